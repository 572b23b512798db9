#include "core/net/url.hpp"

#include <gtest/gtest.h>

namespace disputed::net {
namespace {

Url url(const std::string& text) {
  auto parsed = parse_url(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : Url{};
}

HostAllowList allow(const std::vector<std::string>& entries) {
  auto list = HostAllowList::parse(entries);
  EXPECT_TRUE(list.ok()) << (list.ok() ? "" : list.error().message);
  return list.ok() ? list.value() : HostAllowList{};
}

TEST(UrlTest, ParsesAbsoluteHttpUrls) {
  Url u = url("HTTPS://Acme.Zendesk.COM/api/v2/tickets.json?page=2#frag");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "acme.zendesk.com");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.target, "/api/v2/tickets.json?page=2");
  EXPECT_EQ(u.host_port(), "acme.zendesk.com:443");

  EXPECT_EQ(url("http://127.0.0.1:8080").target, "/");
  EXPECT_EQ(url("http://127.0.0.1:8080").port, 8080);
  EXPECT_EQ(url("http://localhost?x=1").target, "/?x=1");
  EXPECT_EQ(url("http://example.com./x").host, "example.com");

  Url v6 = url("http://[::1]:9000/x");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9000);
  EXPECT_EQ(v6.host_port(), "[::1]:9000");
}

TEST(UrlTest, RefusesWhatIsNotAnAbsoluteHttpUrl) {
  for (const char* bad :
       {"/api/v2/tickets", "api.example.com/x", "ftp://example.com/",
        "https://user:pw@example.com/", "https://@example.com/", "https:///x",
        "https://exa mple.com/", "https://example.com/a b", "https://ex\nample.com",
        "https://example.com:0/", "https://example.com:65536/", "https://example.com:80a/",
        "https://[::1/", "https://::1/", "https://exa%6dple.com/", "https://a..b/"}) {
    EXPECT_FALSE(parse_url(bad).ok()) << bad;
  }
  auto userinfo = parse_url("https://user:pw@example.com/");
  EXPECT_NE(userinfo.error().message.find("user info"), std::string::npos);
  EXPECT_EQ(userinfo.error().message.find("pw"), std::string::npos);
}

TEST(UrlTest, LoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.nip.io"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("localhost.example.com"));
}

TEST(HostAllowListTest, PlainHostMatchesOnlyItsDefaultPort) {
  HostAllowList list = allow({"api.example.com"});
  EXPECT_TRUE(list.allows(url("https://api.example.com/x")));
  EXPECT_TRUE(list.allows(url("https://API.Example.com:443/x")));
  EXPECT_TRUE(list.allows(url("http://api.example.com/x")));
  EXPECT_FALSE(list.allows(url("https://api.example.com:8443/x")));
  EXPECT_FALSE(list.allows(url("https://other.example.com/x")));
  EXPECT_FALSE(list.allows(url("https://api.example.com.evil.io/x")));
  EXPECT_FALSE(list.allows(url("https://xapi.example.com/x")));
}

TEST(HostAllowListTest, WildcardMatchesSubdomainsOnly) {
  HostAllowList list = allow({"*.zendesk.com"});
  EXPECT_TRUE(list.allows(url("https://acme.zendesk.com/api/v2")));
  EXPECT_TRUE(list.allows(url("https://a.b.zendesk.com/")));
  EXPECT_FALSE(list.allows(url("https://zendesk.com/")));
  EXPECT_FALSE(list.allows(url("https://evilzendesk.com/")));
  EXPECT_FALSE(list.allows(url("https://acme.zendesk.com.evil.io/")));
  EXPECT_FALSE(list.allows(url("https://acme.zendesk.com:8443/")));
}

TEST(HostAllowListTest, PortsAnyOrExplicit) {
  HostAllowList list = allow({"127.0.0.1:*", "localhost:8080", "[::1]:*"});
  EXPECT_TRUE(list.allows(url("http://127.0.0.1:1234/")));
  EXPECT_TRUE(list.allows(url("http://127.0.0.1/")));
  EXPECT_TRUE(list.allows(url("http://localhost:8080/")));
  EXPECT_FALSE(list.allows(url("http://localhost:8081/")));
  EXPECT_FALSE(list.allows(url("http://localhost/")));
  EXPECT_TRUE(list.allows(url("http://[::1]:5/")));
  EXPECT_FALSE(list.allows(url("http://127.0.0.2:1234/")));
  EXPECT_EQ(list.entries().size(), 3u);
}

TEST(HostAllowListTest, EmptyListAllowsNothing) {
  HostAllowList list = allow({});
  EXPECT_FALSE(list.allows(url("https://api.example.com/")));
}

TEST(HostAllowListTest, RefusesMalformedOrTooBroadEntries) {
  for (const char* bad :
       {"*", "*.com", "https://api.example.com", "api.example.com/path", "api.example.com:99999",
        "api.example.com:x", "a b.com", "", "*.", ".com"}) {
    auto list = HostAllowList::parse({bad});
    EXPECT_FALSE(list.ok()) << bad;
  }
  auto refused = HostAllowList::parse({"ok.example.com", "*.com"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("*.com"), std::string::npos);
}

}  // namespace
}  // namespace disputed::net
