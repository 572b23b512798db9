// The kit's codecs, written once for every connector: RFC 4648 base64 vectors, RFC 3986
// percent-encoding, UTF-8 safe cutting and cleaning of vendor text, and vendor links that must
// stay under the instance's base URL.

#include "disputed/sdk/kit/codecs.hpp"

#include <gmock/gmock.h>

namespace disputed::sdk::kit {
namespace {

TEST(Base64, EncodesTheRfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("agent@example.com/token:secret"),
            "YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46c2VjcmV0");
}

TEST(Base64, UrlAlphabetHasNoPaddingAndNoPlusOrSlash) {
  std::string bytes = "\xfb\xff\xbf";
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_decode("-_-_"), bytes);
  EXPECT_EQ(base64url_decode("Zg"), "f");
}

TEST(Base64, DecodingRoundTripsAndRefusesWhatIsNotBase64) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                       "foobar", std::string("\0\x01\xff", 3)})
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  EXPECT_EQ(base64_decode("Zm9vYg"), "foob");  // padding may be left out
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));        // one character cannot carry a byte
  EXPECT_FALSE(base64_decode("Zg=a"));     // '=' only at the end
  EXPECT_FALSE(base64_decode("Zm9vYg="));  // padded but not a multiple of four
  EXPECT_FALSE(base64_decode("-_-_"));     // URL alphabet is not the standard one
}

TEST(PercentEncoding, KeepsUnreservedAndWhatTheCallerKeeps) {
  EXPECT_EQ(percent_encode("DSP-000123-2:create_x.y~"), "DSP-000123-2%3Acreate_x.y~");
  EXPECT_EQ(percent_encode("email:a b@c.com"), "email%3Aa%20b%40c.com");
  EXPECT_EQ(percent_encode("sam@example.com", "@"), "sam@example.com");
  EXPECT_EQ(percent_encode("é/?"), "%C3%A9%2F%3F");
}

TEST(PercentEncoding, DecodesEscapesAndLeavesBrokenOnesAlone) {
  EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(form_encode({{"grant_type", "client_credentials"}, {"scope", "a b"}}),
            "grant_type=client_credentials&scope=a%20b");
}

TEST(Text, LowerAndIequalsAreAsciiOnly) {
  EXPECT_EQ(lower("Agent@Example.COM"), "agent@example.com");
  EXPECT_TRUE(iequals("Retry-After", "retry-after"));
  EXPECT_FALSE(iequals("Retry-After", "Retry-Afte"));
}

TEST(Text, Utf8IsNeverCutInsideACharacter) {
  std::string euro = "\xE2\x82\xAC";  // 3 bytes
  EXPECT_EQ(truncate_utf8("ab" + euro, 4), "ab");
  EXPECT_EQ(truncate_utf8("ab" + euro, 5), "ab" + euro);
  EXPECT_EQ(truncate_utf8("abc", 10), "abc");
}

TEST(Text, VendorTextIsCleanedOfInvalidUtf8AndControlCharacters) {
  // A Zendesk error body cut at 200 bytes inside a character, with a forged log line in it.
  std::string body = "RecordInvalid\r\n[zendesk] forged\tline \xC3";
  EXPECT_EQ(clean_text(body), "RecordInvalid??[zendesk] forged line \xEF\xBF\xBD");
  EXPECT_EQ(clean_text("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(clean_text("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(clean_text("caf\xC3\xA9", 4), "caf");  // cut at a boundary
}

TEST(Urls, AVendorLinkMustStayUnderTheBaseUrl) {
  const std::string base = "https://graph.microsoft.com/v1.0";
  EXPECT_TRUE(url_within("https://graph.microsoft.com/v1.0/users/a/todo/lists?$skip=2", base));
  EXPECT_TRUE(url_within("https://GRAPH.microsoft.com/v1.0", base));
  EXPECT_TRUE(url_within("https://graph.microsoft.com/v1.0?x=1", base + "/"));
  EXPECT_FALSE(url_within("https://graph.microsoft.com/v1.0x/users", base));
  EXPECT_FALSE(url_within("https://graph.microsoft.com/beta/users", base));
  EXPECT_FALSE(url_within("http://graph.microsoft.com/v1.0/users", base));
  EXPECT_FALSE(url_within("https://graph.microsoft.com.evil.example/v1.0/users", base));
  EXPECT_FALSE(url_within("https://graph.microsoft.com:8443/v1.0/users", base));
  EXPECT_FALSE(url_within("/v1.0/users", base));
  EXPECT_TRUE(
      url_within("http://127.0.0.1:4010/services/data/v62.0/query/01g", "http://127.0.0.1:4010"));
}

TEST(Urls, OnlyLoopbackMayBePlainHttp) {
  EXPECT_TRUE(is_loopback_http("http://127.0.0.1:8080/x"));
  EXPECT_TRUE(is_loopback_http("http://localhost"));
  EXPECT_TRUE(is_loopback_http("http://[::1]:9/"));
  EXPECT_FALSE(is_loopback_http("http://127.0.0.1.evil.example/"));
  EXPECT_FALSE(is_loopback_http("http://localhostx/"));
  EXPECT_FALSE(is_loopback_http("https://127.0.0.1/"));
}

}  // namespace
}  // namespace disputed::sdk::kit
