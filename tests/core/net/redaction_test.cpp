#include "core/net/redaction.hpp"

#include <gtest/gtest.h>

namespace disputed::net {
namespace {

TEST(RedactUrlTest, HidesCredentialsInQueryAndUserInfo) {
  EXPECT_EQ(
      redact_url("https://x.example.com/cb?access_token=abc&page=2&client_secret=s3&Password=p"),
      "https://x.example.com/cb?access_token=***&page=2&client_secret=***&Password=***");
  EXPECT_EQ(redact_url("https://user:pw@x.example.com/a"), "https://***@x.example.com/a");
  EXPECT_EQ(redact_url("https://x.example.com/a?token=t#frag=secret"),
            "https://x.example.com/a?token=***");
  EXPECT_EQ(redact_url("not a url?api_key=k"), "not a url?api_key=***");
}

TEST(RedactUrlTest, LeavesOrdinaryUrlsAlone) {
  const std::string url =
      "https://acme.zendesk.com/api/v2/tickets/show_many.json?ids=1,2,3&external_id=dispute:42";
  EXPECT_EQ(redact_url(url), url);
  EXPECT_EQ(redact_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(redact_url("http://h/p?flag&x="), "http://h/p?flag&x=");
  EXPECT_TRUE(is_sensitive_query_param("ACCESS_TOKEN"));
  EXPECT_FALSE(is_sensitive_query_param("page"));
}

TEST(RedactUrlTest, PrintableReplacesControlCharacters) {
  EXPECT_EQ(printable("a\r\nb\tc"), "a??b?c");
  EXPECT_EQ(printable("plain"), "plain");
}

TEST(SecretScrubberTest, ReplacesKnownSecretsLongestFirst) {
  SecretScrubber scrubber;
  scrubber.add("abcd");
  scrubber.add("abcdefgh");
  scrubber.add("xyz");  // too short to scrub
  EXPECT_EQ(scrubber.scrub("key abcdefgh and abcd, not xyz"), "key *** and ***, not xyz");
}

TEST(SecretScrubberTest, KeepsOnlyTheNewestRotatingSecrets) {
  SecretScrubber scrubber;
  for (int i = 0; i < 20; ++i) scrubber.add_rotating("token-" + std::to_string(i));
  EXPECT_EQ(scrubber.scrub("token-19"), "***");
  EXPECT_EQ(scrubber.scrub("token-12"), "***");
  EXPECT_EQ(scrubber.scrub("token-0 "), "token-0 ");
}

}  // namespace
}  // namespace disputed::net
