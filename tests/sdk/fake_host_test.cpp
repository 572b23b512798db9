// FakeHost must apply the real host's rules, or a plugin could pass its contract tests with
// a configuration the host refuses.

#include "disputed/sdk/testing/fake_host.hpp"

#include <gmock/gmock.h>

namespace disputed::sdk::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Recorder {
  std::vector<HttpRequest> seen;
  int status = 200;
  SandboxHandler handler() {
    return [this](const HttpRequest& r) {
      seen.push_back(r);
      return HttpResponse{status, {}, "{}", ""};
    };
  }
};

FakeHostOptions options(std::string auth_kind, std::vector<std::string> allowed) {
  FakeHostOptions o;
  o.auth_kind = std::move(auth_kind);
  o.allowed_hosts = std::move(allowed);
  return o;
}

HttpResponse get(FakeHost& host, const std::string& url) {
  HttpRequest r;
  r.url = url;
  return host.http().send(r);
}

std::string authorization(const HttpRequest& r) {
  for (const auto& [k, v] : r.headers)
    if (k == "Authorization") return v;
  return {};
}

TEST(FakeHost, AllowsHostsInTheHostsFormsOnly) {
  Recorder sandbox;
  FakeHost host(
      options("none", {"api.example.com", "*.zendesk.com", "127.0.0.1:*", "alt.example.com:8443"}),
      sandbox.handler());
  EXPECT_EQ(get(host, "https://api.example.com/v1/me").status, 200);
  EXPECT_EQ(get(host, "https://API.example.com:443/x").status, 200);
  EXPECT_EQ(get(host, "https://acme.zendesk.com/api").status, 200);
  EXPECT_EQ(get(host, "http://127.0.0.1:8123/api").status, 200);
  EXPECT_EQ(get(host, "https://alt.example.com:8443/").status, 200);

  for (const char* refused : {"https://api.example.com:8443/", "https://zendesk.com/",
                              "https://evil.example.org/", "http://api.example.com/", "/relative",
                              "https://user:pw@api.example.com/", "https://alt.example.com/"}) {
    HttpResponse r = get(host, refused);
    EXPECT_EQ(r.status, 0) << refused;
    EXPECT_THAT(r.error, StartsWith("refused: ")) << refused;
    EXPECT_EQ(r.failure, HttpResponse::Failure::kRefused) << refused;
  }
  EXPECT_EQ(sandbox.seen.size(), 5u);  // refused requests never reach the sandbox
}

TEST(FakeHost, AddsBasicAndBearerCredentialsOverThePluginsOwn) {
  Recorder sandbox;
  FakeHostOptions basic = options("basic", {"api.example.com"});
  basic.basic_username = "agent@example.com/token";
  basic.basic_password = "secret";
  FakeHost basic_host(basic, sandbox.handler());
  HttpRequest r;
  r.url = "https://api.example.com/";
  r.headers.emplace_back("Authorization", "Bearer plugin-made-this-up");
  basic_host.http().send(r);
  ASSERT_EQ(sandbox.seen.size(), 1u);
  EXPECT_EQ(authorization(sandbox.seen[0]), "Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46c2VjcmV0");

  FakeHostOptions bearer = options("bearer", {"api.example.com"});
  bearer.bearer_token = "t0k3n";
  FakeHost bearer_host(bearer, sandbox.handler());
  r.authenticate = false;
  bearer_host.http().send(r);
  EXPECT_EQ(authorization(sandbox.seen[1]),
            "Bearer plugin-made-this-up");  // not authenticated: left alone
  r.authenticate = true;
  bearer_host.http().send(r);
  EXPECT_EQ(authorization(sandbox.seen[2]), "Bearer t0k3n");
}

TEST(FakeHost, RetriesOnceWithAFreshTokenAfterA401) {
  int issued = 0;
  std::string valid;
  std::vector<std::string> sent;
  FakeHost host(
      options("oauth2_client_credentials", {"api.example.com"}),
      [&](const HttpRequest& r) {
        sent.push_back(authorization(r));
        return HttpResponse{authorization(r) == "Bearer " + valid ? 200 : 401, {}, "", ""};
      },
      [&](std::string&) {
        valid = "token-" + std::to_string(++issued);
        return std::optional<AccessToken>(
            AccessToken{valid, Instant{}, ""});  // no expiry: cached until invalidated
      });
  EXPECT_EQ(get(host, "https://api.example.com/a").status, 200);
  EXPECT_EQ(host.token_fetches(), 1);
  EXPECT_EQ(get(host, "https://api.example.com/b").status, 200);
  EXPECT_EQ(host.token_fetches(), 1);  // cached

  valid = "revoked";  // the system forgets the token
  EXPECT_EQ(get(host, "https://api.example.com/c").status, 200);
  EXPECT_EQ(host.token_fetches(), 2);
  EXPECT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[2], "Bearer token-1");
  EXPECT_EQ(sent[3], "Bearer token-2");
  EXPECT_THAT(host.log_lines().back(), HasSubstr("[retry with a new token]"));
}

TEST(FakeHost, AnswersNoCredentialWhenNoTokenCanBeHad) {
  Recorder sandbox;
  FakeHost host(options("oauth2_client_credentials", {"api.example.com"}), sandbox.handler(),
                [](std::string& error) {
                  error = "token endpoint answered 401 invalid_client";
                  return std::optional<AccessToken>();
                });
  HttpResponse r = get(host, "https://api.example.com/me");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "auth: token endpoint answered 401 invalid_client");
  EXPECT_EQ(r.failure, HttpResponse::Failure::kNoCredential);
  EXPECT_TRUE(sandbox.seen.empty());
  ASSERT_NE(host.tokens(), nullptr);
  EXPECT_FALSE(host.tokens()->token());
}

TEST(FakeHost, ClockStoreLogAndCancellationAreTheTests) {
  FakeHost host(options("none", {}), nullptr);
  Instant start = host.clock().now();
  host.advance(std::chrono::seconds(90));
  EXPECT_EQ(host.clock().now() - start, std::chrono::seconds(90));
  host.store().put("k", "v");
  EXPECT_EQ(host.store().get("k"), "v");
  host.store().erase("k");
  EXPECT_FALSE(host.store().get("k"));
  EXPECT_FALSE(host.cancelled());
  host.set_cancelled(true);
  EXPECT_TRUE(host.cancelled());
  host.log().log(LogLevel::kWarn, "careful");
  EXPECT_EQ(host.log_lines().back(), "warn: careful");
  EXPECT_EQ(host.tokens(), nullptr);  // not OAuth2
}

TEST(FakeHost, WithoutAHandlerRefusesEveryRequest) {
  FakeHost host;
  HttpResponse r = get(host, "https://api.example.com/me");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.failure, HttpResponse::Failure::kRefused);
  EXPECT_THAT(r.error, HasSubstr("no handler"));
}

TEST(FakeHost, AHandlerThatAnswersNothingIsALostConnection) {
  FakeHost host(options("none", {"api.example.com"}), [](const HttpRequest&) {
    return HttpResponse{0, {}, "", "closed", {}};
  });
  HttpResponse r = get(host, "https://api.example.com/me");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.failure, HttpResponse::Failure::kConnection);
}

TEST(FakeHost, FollowsAClockItIsGivenAndAdvancesOnTopOfIt) {
  Instant engine_time = Instant(std::chrono::sys_days(std::chrono::year(2026) / 3 / 2));
  FakeHostOptions o;
  o.clock = [&] { return engine_time; };
  FakeHost host(o);
  EXPECT_EQ(host.clock().now(), engine_time);
  engine_time += std::chrono::hours(1);
  EXPECT_EQ(host.clock().now(), engine_time);
  host.advance(std::chrono::seconds(5));
  EXPECT_EQ(host.clock().now(), engine_time + std::chrono::seconds(5));
}

}  // namespace
}  // namespace disputed::sdk::testing
