#include "core/net/host_services.hpp"

#include <gtest/gtest.h>

#include "tests/core/net/loopback_server.hpp"

namespace disputed::net {
namespace {

using test::CannedResponse;
using test::LoopbackServer;
using test::RecordedRequest;

constexpr const char* kSecret = "host-services-s3cret";
const domain::Instant kStart = domain::Instant(std::chrono::seconds(1'800'000'000));

struct Captured {
  std::vector<std::pair<sdk::LogLevel, std::string>> lines;
  std::string text() const {
    std::string out;
    for (const auto& [level, line] : lines) out += line + "\n";
    return out;
  }
};

class HostServicesTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("DISPUTED_NET_TEST_HOST_SECRET", kSecret, 1); }
  void TearDown() override { ::unsetenv("DISPUTED_NET_TEST_HOST_SECRET"); }

  HostServicesConfig oauth2_config() {
    HostServicesConfig config;
    config.instance_name = "graph-acme";
    config.credentials.kind = AuthKind::kOAuth2ClientCredentials;
    config.credentials.oauth2.token_url = server_.base_url() + "/token";
    config.credentials.oauth2.client_id = "app";
    config.credentials.oauth2.client_secret_ref = "env:DISPUTED_NET_TEST_HOST_SECRET";
    config.http.allowed_hosts = {"127.0.0.1:*"};
    config.log_sink = [this](sdk::LogLevel level, const std::string& line) {
      captured_.lines.emplace_back(level, line);
    };
    return config;
  }

  LoopbackServer server_{[](const RecordedRequest& r) {
    if (r.path == "/token") return CannedResponse{200, {}, test::token_json("host-token-1")};
    return CannedResponse{200, {}, "{}"};
  }};
  domain::FakeClock clock_{kStart};
  Captured captured_;
};

TEST_F(HostServicesTest, AssemblesEverythingAConnectorNeeds) {
  auto created = HostServices::create(oauth2_config(), clock_);
  ASSERT_TRUE(created.ok()) << created.error().message;
  HostServices& host = *created.value();
  sdk::Host& sdk_host = host;

  EXPECT_EQ(sdk_host.instance_name(), "graph-acme");
  ASSERT_NE(sdk_host.tokens(), nullptr);
  EXPECT_EQ(sdk_host.tokens()->token()->access_token, "host-token-1");

  sdk::HttpRequest request;
  request.url = server_.base_url() + "/v1.0/users/u/todo/lists";
  EXPECT_EQ(sdk_host.http().send(request).status, 200);
  EXPECT_EQ(server_.requests().back().header("Authorization"), "Bearer host-token-1");
  EXPECT_EQ(host.http_metrics().requests, 1u);
  EXPECT_EQ(host.token_fetches(), 1u);

  EXPECT_EQ(sdk_host.clock().now(), kStart);
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(sdk_host.clock().now(), kStart + std::chrono::hours(1));

  sdk_host.store().put("list-id", "AAMk");
  EXPECT_EQ(sdk_host.store().get("list-id"), "AAMk");
  sdk_host.store().erase("list-id");
  EXPECT_FALSE(sdk_host.store().get("list-id"));

  EXPECT_FALSE(sdk_host.cancelled());
  host.set_cancelled(true);
  EXPECT_TRUE(sdk_host.cancelled());
  host.set_cancelled(false);
  EXPECT_FALSE(sdk_host.cancelled());

  // Every line is tagged with the instance, the HTTP client's included.
  ASSERT_FALSE(captured_.lines.empty());
  for (const auto& [level, line] : captured_.lines)
    EXPECT_EQ(line.rfind("[graph-acme] ", 0), 0u) << line;
  EXPECT_EQ(captured_.text().find(kSecret), std::string::npos);
  EXPECT_EQ(captured_.text().find("host-token-1"), std::string::npos);
}

TEST_F(HostServicesTest, ProcessShutdownFlagCancelsToo) {
  std::atomic<bool> shutdown{false};
  auto config = oauth2_config();
  config.shutdown = &shutdown;
  auto host = HostServices::create(config, clock_);
  ASSERT_TRUE(host.ok());
  EXPECT_FALSE(host.value()->cancelled());
  shutdown = true;
  EXPECT_TRUE(host.value()->cancelled());
}

TEST_F(HostServicesTest, LoggerScrubsKnownSecretsAndHonoursTheLevel) {
  auto config = oauth2_config();
  config.min_log_level = sdk::LogLevel::kInfo;
  auto host = HostServices::create(config, clock_);
  ASSERT_TRUE(host.ok());
  sdk::Host& h = *host.value();
  ASSERT_TRUE(h.tokens()->token());  // the host now knows the access token too
  h.log().log(sdk::LogLevel::kDebug, "debug line");
  h.log().log(sdk::LogLevel::kWarn,
              std::string("careless plugin: secret=") + kSecret + " token=host-token-1");
  const std::string text = captured_.text();
  EXPECT_EQ(text.find("debug line"), std::string::npos);
  EXPECT_NE(text.find("[graph-acme] careless plugin: secret=*** token=***"), std::string::npos)
      << text;
}

// Issue 13, finding 9: a plugin's message (often a vendor's text) could start a line of its own.
TEST_F(HostServicesTest, APluginCannotForgeALogLine) {
  auto config = oauth2_config();
  config.min_log_level = sdk::LogLevel::kInfo;
  auto host = HostServices::create(config, clock_);
  ASSERT_TRUE(host.ok());
  host.value()->log().log(sdk::LogLevel::kWarn,
                          "vendor said: bad\r\n[other-instance] all is well \xE2\x82");
  ASSERT_FALSE(captured_.lines.empty());
  EXPECT_EQ(captured_.lines.back().second,
            "[graph-acme] vendor said: bad  [other-instance] all is well \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_F(HostServicesTest, BasicInstanceHasNoTokenSource) {
  HostServicesConfig config;
  config.instance_name = "zendesk-acme";
  config.credentials.kind = AuthKind::kBasic;
  config.credentials.username = "agent@acme.com/token";
  config.credentials.password_ref = "env:DISPUTED_NET_TEST_HOST_SECRET";
  config.http.allowed_hosts = {"*.zendesk.com"};
  auto host = HostServices::create(config, clock_);
  ASSERT_TRUE(host.ok()) << host.error().message;
  EXPECT_EQ(host.value()->tokens(), nullptr);
  EXPECT_EQ(host.value()->auth_kind(), AuthKind::kBasic);
  sdk::HttpRequest request;
  request.url = server_.base_url() + "/api/v2/tickets.json";
  EXPECT_EQ(host.value()->http().send(request).status, 0);  // loopback not allowed here
  EXPECT_EQ(server_.requests().size(), 0u);
}

TEST_F(HostServicesTest, ConfigErrorsNameTheInstanceAndNeverTheSecret) {
  auto outside = oauth2_config();
  outside.http.allowed_hosts = {"graph.microsoft.com"};
  auto refused = HostServices::create(outside, clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(
      refused.error().message.find("connector instance graph-acme: OAuth2 token endpoint host"),
      std::string::npos)
      << refused.error().message;

  auto literal = oauth2_config();
  literal.credentials.oauth2.client_secret_ref = kSecret;
  auto refused_literal = HostServices::create(literal, clock_);
  ASSERT_FALSE(refused_literal.ok());
  EXPECT_NE(refused_literal.error().message.find("literal secret"), std::string::npos);
  EXPECT_EQ(refused_literal.error().describe().find(kSecret), std::string::npos);

  auto bad_host = oauth2_config();
  bad_host.http.allowed_hosts = {"*"};
  EXPECT_FALSE(HostServices::create(bad_host, clock_).ok());
  EXPECT_EQ(server_.requests().size(), 0u);
}

}  // namespace
}  // namespace disputed::net
