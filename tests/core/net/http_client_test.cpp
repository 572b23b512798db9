#include "core/net/http_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "core/domain/time.hpp"
#include "core/net/credentials.hpp"
#include "core/net/host_services.hpp"
#include "plugins/sandbox/sandbox_server.hpp"
#include "tests/core/net/loopback_server.hpp"

namespace disputed::net {
namespace {

using test::CannedResponse;
using test::LoopbackServer;
using test::RecordedRequest;

constexpr const char* kClientSecret = "oauth-client-s3cret";
constexpr const char* kPassword = "zd-api-t0ken-value";
const domain::Instant kStart = domain::Instant(std::chrono::seconds(1'800'000'000));

sdk::HttpRequest get(const std::string& url) {
  sdk::HttpRequest request;
  request.url = url;
  return request;
}

std::unique_ptr<HttpClient> make_client(Authenticator* auth, sdk::Logger& log,
                                        std::vector<std::string> allowed = {"127.0.0.1:*"}) {
  HttpClientOptions options;
  options.allowed_hosts = std::move(allowed);
  auto client = HttpClient::create(std::move(options), auth, log);
  EXPECT_TRUE(client.ok()) << (client.ok() ? "" : client.error().message);
  return client.ok() ? std::move(client).value() : nullptr;
}

// ---------------------------------------------------------------------------------------------
// Without credentials, and with static ones.

class HttpClientTest : public ::testing::Test {
 protected:
  LoopbackServer server_{[](const RecordedRequest& r) {
    return CannedResponse{
        200, {{"Content-Type", "application/json"}}, R"({"path":")" + r.path + "\"}"};
  }};
  test::CapturingLogger log_;
};

TEST_F(HttpClientTest, SendsMethodHeadersAndBodyAndReturnsTheAnswerAsIs) {
  server_.set_handler([](const RecordedRequest&) {
    return CannedResponse{422,
                          {{"Content-Type", "application/json"}, {"X-Request-Id", "abc"}},
                          std::string("{\"error\":\"RecordInvalid\"}\0tail", 30)};
  });
  auto client = make_client(nullptr, log_);
  sdk::HttpRequest request;
  request.method = "POST";
  request.url = server_.base_url() + "/api/v2/tickets.json?async=false";
  request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", "act:1"}};
  request.body = R"({"ticket":{"subject":"Dispute 42"}})";
  auto response = client->send(request);

  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.header("x-request-id"), "abc");
  EXPECT_EQ(response.body, std::string("{\"error\":\"RecordInvalid\"}\0tail", 30));

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/api/v2/tickets.json");
  EXPECT_EQ(requests[0].query, "async=false");
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
  EXPECT_EQ(requests[0].header("Idempotency-Key"), "act:1");
  EXPECT_EQ(requests[0].body, request.body);
  EXPECT_FALSE(requests[0].has_header("Authorization"));
}

TEST_F(HttpClientTest, RefusesHostsOutsideTheAllowListWithoutANetworkCall) {
  auto client = make_client(nullptr, log_, {"api.example.com", "*.zendesk.com"});
  auto response = client->send(get(server_.base_url() + "/api/v2/tickets.json"));
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.failure, disputed::sdk::HttpResponse::Failure::kRefused);
  EXPECT_NE(response.error.find("refused: host 127.0.0.1:" + std::to_string(server_.port()) +
                                " is not in the allowed hosts"),
            std::string::npos)
      << response.error;

  for (const std::string& bad :
       {std::string("/api/v2/tickets.json"), std::string("ftp://127.0.0.1/x"),
        "http://user:pw@127.0.0.1:" + std::to_string(server_.port()) + "/"}) {
    auto refused = client->send(get(bad));
    EXPECT_EQ(refused.status, 0) << bad;
    EXPECT_EQ(refused.error.rfind("refused: ", 0), 0u) << refused.error;
    EXPECT_EQ(refused.failure, disputed::sdk::HttpResponse::Failure::kRefused) << bad;
  }
  EXPECT_EQ(server_.requests().size(), 0u);
  EXPECT_EQ(client->metrics().refused, 4u);
  EXPECT_EQ(client->metrics().requests, 0u);
  EXPECT_NE(log_.text().find("-> refused: host 127.0.0.1"), std::string::npos);
  EXPECT_EQ(log_.text().find(":pw@"), std::string::npos);
}

TEST_F(HttpClientTest, RefusesPlainHttpBeyondLoopbackAndBadHeaders) {
  auto client = make_client(nullptr, log_, {"example.com:*", "127.0.0.1:*"});
  auto plain = client->send(get("http://example.com/x"));
  EXPECT_EQ(plain.status, 0);
  EXPECT_NE(plain.error.find("use https"), std::string::npos) << plain.error;
  EXPECT_TRUE(client->check_url("https://example.com/x").ok());
  EXPECT_FALSE(client->check_url("http://example.com/x").ok());

  sdk::HttpRequest smuggle = get(server_.base_url() + "/x");
  smuggle.headers = {{"X-Note", "a\r\nAuthorization: Basic Zm9v"}};
  EXPECT_EQ(client->send(smuggle).status, 0);
  sdk::HttpRequest bad_method = get(server_.base_url() + "/x");
  bad_method.method = "GET /evil";
  EXPECT_EQ(client->send(bad_method).status, 0);
  sdk::HttpRequest host_header = get(server_.base_url() + "/x");
  host_header.headers = {{"host", "internal.example.com"}};
  auto managed = client->send(host_header);
  EXPECT_EQ(managed.status, 0);
  EXPECT_NE(managed.error.find("\"host\" is set by the host"), std::string::npos) << managed.error;
  auto unencoded = client->send(get(server_.base_url() + "/x?q=[1]"));  // cpprestsdk refuses it
  EXPECT_EQ(unencoded.status, 0);
  EXPECT_NE(unencoded.error.find("percent-encode"), std::string::npos) << unencoded.error;
  // A refused URL cannot forge a log line.
  EXPECT_EQ(client->send(get("https://example.com/x\n[other] forged")).status, 0);
  EXPECT_EQ(server_.requests().size(), 0u);
  for (const auto& line : log_.lines()) EXPECT_EQ(line.find('\n'), std::string::npos) << line;
}

TEST_F(HttpClientTest, TimeoutGivesStatusZeroWithATimeoutError) {
  server_.set_handler([](const RecordedRequest&) {
    return CannedResponse{200, {}, "late", std::chrono::milliseconds(5000)};
  });
  auto client = make_client(nullptr, log_);
  sdk::HttpRequest request = get(server_.base_url() + "/slow");
  request.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  auto response = client->send(request);
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "timeout after 300 ms");
  EXPECT_EQ(response.failure, disputed::sdk::HttpResponse::Failure::kTimeout);
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_EQ(client->metrics().timeouts, 1u);
  EXPECT_EQ(client->metrics().no_response, 1u);
  EXPECT_NE(log_.text().find("/slow -> no response"), std::string::npos) << log_.text();
}

/// Answers 201 to POST and 200 to anything else (for the sandbox kit's server).
class CreateCounter : public sandbox::Emulator {
 public:
  std::string name() const override { return "counter"; }
  sandbox::Response handle(const sandbox::Request& r, const std::string&) override {
    return sandbox::Response::json(r.method == "POST" ? 201 : 200, nlohmann::json::object());
  }
  void reset() override {}
};

TEST(HttpClientResend, ATimedOutPostIsNeverSentTwice) {
  // cpprestsdk re-sends a request whose answer fails on a reused keep-alive connection, also
  // after its own timeout; a POST that reached the system must not arrive a second time (it
  // would create a second task where the system has no idempotency key, e.g. Graph).
  sandbox::Server server(std::make_unique<CreateCounter>());
  server.start();
  test::CapturingLogger log;
  auto client = make_client(nullptr, log);
  sdk::HttpRequest warm = get(server.url() + "/tasks");
  warm.timeout = std::chrono::milliseconds(1000);
  ASSERT_EQ(client->send(warm).status, 200);  // a keep-alive connection now exists for this timeout
  ASSERT_EQ(client->send(warm).status, 200);

  sandbox::Fault slow;
  slow.method = "POST";
  slow.path = "/tasks";
  slow.delay_ms = 1500;
  server.add_fault(slow);
  sdk::HttpRequest create = warm;
  create.method = "POST";
  create.body = R"({"title":"x"})";
  auto response = client->send(create);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "timeout after 1000 ms");
  EXPECT_EQ(response.failure, disputed::sdk::HttpResponse::Failure::kTimeout);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(2000));  // a re-sent copy would have arrived by now
  std::size_t posts = 0;
  for (const auto& r : server.requests()) posts += r.method == "POST";
  EXPECT_EQ(posts, 1u);
  server.stop();
}

TEST_F(HttpClientTest, ConnectionRefusedGivesStatusZero) {
  auto client = make_client(nullptr, log_);
  auto response =
      client->send(get("http://127.0.0.1:" + std::to_string(test::unused_port()) + "/"));
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error.rfind("connection failed: ", 0), 0u) << response.error;
  EXPECT_EQ(response.failure, disputed::sdk::HttpResponse::Failure::kConnection);
}

TEST_F(HttpClientTest, RedirectsAreReturnedNotFollowed) {
  LoopbackServer elsewhere([](const RecordedRequest&) { return CannedResponse{200, {}, "moved"}; });
  server_.set_handler([&](const RecordedRequest&) {
    return CannedResponse{302, {{"Location", elsewhere.base_url() + "/x"}}, ""};
  });
  auto client = make_client(nullptr, log_);
  auto response = client->send(get(server_.base_url() + "/old"));
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(elsewhere.requests().size(), 0u);
}

// Issue 13, finding 9: a chunked answer (no Content-Length) was buffered whole before its size
// was checked. Now the client stops reading, and closes the connection, at the limit.
TEST(HttpClientLimits, AnEndlessChunkedAnswerIsCutAtTheLimitAndNotReadToTheEnd) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  constexpr std::size_t kOffered = 512u << 20;  // what the server would send if let
  std::atomic<std::size_t> sent{0};
  std::thread server([&] {
    int client = ::accept(listener, nullptr, nullptr);
    if (client < 0) return;
    char request[4096];
    (void)::recv(client, request, sizeof request, 0);
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    (void)::send(client, head.data(), head.size(), MSG_NOSIGNAL);
    std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    timeval five_seconds{5, 0};  // a client that stopped reading ends the test too
    ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &five_seconds, sizeof five_seconds);
    while (sent < kOffered) {
      if (::send(client, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) break;
      sent += 0x10000;
    }
    ::close(client);
  });
  test::CapturingLogger log;
  HttpClientOptions options;
  options.allowed_hosts = {"127.0.0.1:*"};
  options.max_response_bytes = 1u << 20;
  auto client = HttpClient::create(std::move(options), nullptr, log);
  ASSERT_TRUE(client.ok());
  sdk::HttpRequest request = get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/");
  request.timeout = std::chrono::seconds(60);
  auto response = client.value()->send(request);
  server.join();
  ::close(listener);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "response body exceeds the limit of 1048576 bytes");
  // Socket buffers hold a few MiB at most; the rest was never sent.
  EXPECT_LT(sent.load(), 64u << 20) << "the client read " << (sent.load() >> 20) << " MiB";
}

// Issue 13, finding 2: vendor answers are bounded in depth before any plugin parses them.
TEST_F(HttpClientTest, AnAnswerNestedTooDeepIsRefusedForEveryPlugin) {
  server_.set_handler([](const RecordedRequest&) {
    return CannedResponse{
        200, {{"Content-Type", "application/json"}}, std::string(100, '[') + std::string(100, ']')};
  });
  auto client = make_client(nullptr, log_);
  auto response = client->send(get(server_.base_url() + "/deep"));
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "answer refused: JSON nested deeper than 64 levels");
  server_.set_handler([](const RecordedRequest&) {
    return CannedResponse{
        200, {{"Content-Type", "application/json"}}, std::string(64, '[') + std::string(64, ']')};
  });
  EXPECT_EQ(client->send(get(server_.base_url() + "/deep")).status, 200);
}

TEST_F(HttpClientTest, BasicCredentialsAsSentAndNeverLogged) {
  ::setenv("DISPUTED_NET_TEST_ZD", kPassword, 1);
  CredentialSettings settings;
  settings.kind = AuthKind::kBasic;
  settings.username = "agent@acme.com/token";
  settings.password_ref = "env:DISPUTED_NET_TEST_ZD";
  auto auth = make_authenticator(settings, nullptr);
  ::unsetenv("DISPUTED_NET_TEST_ZD");
  ASSERT_TRUE(auth.ok());
  auto client = make_client(auth.value().get(), log_);

  sdk::HttpRequest request = get(server_.base_url() + "/api/v2/users/me.json");
  request.headers = {{"Authorization", "Bearer plugin-supplied"}};  // replaced by ours
  EXPECT_EQ(client->send(request).status, 200);
  sdk::HttpRequest anonymous = get(server_.base_url() + "/api/v2/public.json");
  anonymous.authenticate = false;
  EXPECT_EQ(client->send(anonymous).status, 200);

  const std::string credential = base64_encode(std::string("agent@acme.com/token:") + kPassword);
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("Authorization"), "Basic " + credential);
  EXPECT_FALSE(requests[1].has_header("Authorization"));
  EXPECT_EQ(log_.text().find(kPassword), std::string::npos);
  EXPECT_EQ(log_.text().find(credential), std::string::npos);
  EXPECT_EQ(log_.text().find("Basic"), std::string::npos);
}

TEST_F(HttpClientTest, BearerTokenAsSent) {
  ::setenv("DISPUTED_NET_TEST_BEARER", "static-bearer-123", 1);
  CredentialSettings settings;
  settings.kind = AuthKind::kBearer;
  settings.token_ref = "env:DISPUTED_NET_TEST_BEARER";
  auto auth = make_authenticator(settings, nullptr);
  ::unsetenv("DISPUTED_NET_TEST_BEARER");
  ASSERT_TRUE(auth.ok());
  server_.set_handler([](const RecordedRequest&) { return CannedResponse{401, {}, "{}"}; });
  auto client = make_client(auth.value().get(), log_);
  EXPECT_EQ(client->send(get(server_.base_url() + "/me")).status, 401);
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);  // a static token is not retried
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer static-bearer-123");
  EXPECT_EQ(log_.text().find("static-bearer-123"), std::string::npos);
}

TEST_F(HttpClientTest, LogsOneRedactedLinePerRequestAndCountsMetrics) {
  server_.set_handler([](const RecordedRequest& r) {
    return CannedResponse{r.path == "/missing" ? 404 : (r.method == "POST" ? 201 : 200), {}, "{}"};
  });
  auto client = make_client(nullptr, log_);
  const std::string base = server_.base_url();
  client->send(get(base + "/api/v2/tickets.json?access_token=leaky-token&page=2"));
  sdk::HttpRequest post = get(base + "/api/v2/tickets.json");
  post.method = "POST";
  post.body = "{}";
  client->send(post);
  client->send(get(base + "/missing"));

  auto lines = log_.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(
      lines[0].rfind("GET " + base + "/api/v2/tickets.json?access_token=***&page=2 -> 200 (", 0),
      0u)
      << lines[0];
  EXPECT_EQ(lines[1].rfind("POST " + base + "/api/v2/tickets.json -> 201 (", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find(" ms)"), std::string::npos);
  EXPECT_EQ(lines[2].rfind("GET " + base + "/missing -> 404 (", 0), 0u) << lines[2];
  EXPECT_EQ(log_.text().find("leaky-token"), std::string::npos);

  HttpMetrics m = client->metrics();
  EXPECT_EQ(m.requests, 3u);
  EXPECT_EQ(m.by_class[2], 2u);
  EXPECT_EQ(m.by_class[4], 1u);
  EXPECT_EQ(m.by_status[200], 1u);
  EXPECT_EQ(m.by_status[201], 1u);
  EXPECT_EQ(m.by_status[404], 1u);
  EXPECT_EQ(m.refused, 0u);
}

TEST_F(HttpClientTest, ConcurrentRequestsAreAllCounted) {
  auto client = make_client(nullptr, log_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i)
        if (client->send(get(server_.base_url() + "/c")).status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(client->metrics().requests, 40u);
  EXPECT_EQ(server_.count("/c"), 40u);
}

// ---------------------------------------------------------------------------------------------
// OAuth2: one loopback server is both the token endpoint (/oauth2/token) and the API (/api/...).
// The API accepts only the token named in `valid_token_`.

class HttpClientOAuth2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DISPUTED_NET_TEST_OAUTH_SECRET", kClientSecret, 1);
    OAuth2ClientSettings settings;
    settings.token_url = server_.base_url() + "/oauth2/token";
    settings.client_id = "disputed-app";
    settings.client_secret_ref = "env:DISPUTED_NET_TEST_OAUTH_SECRET";
    auto tokens = OAuth2TokenSource::create(settings, clock_, &log_);
    ASSERT_TRUE(tokens.ok()) << tokens.error().message;
    tokens_ = std::move(tokens).value();
    CredentialSettings credentials;
    credentials.kind = AuthKind::kOAuth2ClientCredentials;
    auto auth = make_authenticator(credentials, tokens_.get());
    ASSERT_TRUE(auth.ok());
    auth_ = std::move(auth).value();
    client_ = make_client(auth_.get(), log_);
  }
  void TearDown() override { ::unsetenv("DISPUTED_NET_TEST_OAUTH_SECRET"); }

  CannedResponse answer(const RecordedRequest& r) {
    if (r.path == "/oauth2/token") {
      if (token_error_)
        return CannedResponse{
            400, {}, R"({"error":"invalid_grant","error_description":"expired"})"};
      return CannedResponse{200,
                            {{"Content-Type", "application/json"}},
                            test::token_json("at-" + std::to_string(++issued_))};
    }
    bool valid = r.header("Authorization") == "Bearer " + valid_token_;
    return valid ? CannedResponse{200, {}, R"({"ok":true})"}
                 : CannedResponse{401, {}, R"([{"errorCode":"INVALID_SESSION_ID"}])"};
  }

  std::atomic<int> issued_{0};
  std::string valid_token_ = "at-1";
  bool token_error_ = false;
  LoopbackServer server_{[this](const RecordedRequest& r) { return answer(r); }};
  domain::FakeClock fake_{kStart};
  DomainClockAdapter clock_{fake_};
  test::CapturingLogger log_;
  std::unique_ptr<OAuth2TokenSource> tokens_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpClientOAuth2Test, OneTokenRequestForManyApiCalls) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(client_->send(get(server_.base_url() + "/api/tasks")).status, 200);
  EXPECT_EQ(server_.count("/oauth2/token"), 1u);
  EXPECT_EQ(server_.count("/api/tasks"), 5u);
  for (const auto& r : server_.requests()) {
    if (r.path == "/api/tasks") {
      EXPECT_EQ(r.header("Authorization"), "Bearer at-1");
    }
  }
}

TEST_F(HttpClientOAuth2Test, ExpiredTokenIsReplacedBeforeTheCall) {
  EXPECT_EQ(client_->send(get(server_.base_url() + "/api/tasks")).status, 200);
  fake_.advance(std::chrono::seconds(3600));
  valid_token_ = "at-2";
  EXPECT_EQ(client_->send(get(server_.base_url() + "/api/tasks")).status, 200);
  EXPECT_EQ(server_.count("/oauth2/token"), 2u);
  EXPECT_EQ(server_.count("/api/tasks"), 2u);  // no 401 round trip
  EXPECT_EQ(client_->metrics().retries_after_401, 0u);
}

TEST_F(HttpClientOAuth2Test, A401FetchesANewTokenAndRetriesOnce) {
  EXPECT_EQ(client_->send(get(server_.base_url() + "/api/tasks")).status, 200);
  valid_token_ = "at-2";  // the system revoked at-1 early (Salesforce session timeout)
  sdk::HttpRequest post = get(server_.base_url() + "/api/tasks");
  post.method = "POST";
  post.body = R"({"Subject":"x"})";
  auto response = client_->send(post);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(server_.count("/oauth2/token"), 2u);
  EXPECT_EQ(server_.count("/api/tasks"), 3u);
  auto requests = server_.requests();
  EXPECT_EQ(requests.back().body, post.body);  // the retry carries the same body
  EXPECT_EQ(requests.back().header("Authorization"), "Bearer at-2");
  EXPECT_EQ(client_->metrics().retries_after_401, 1u);
  EXPECT_NE(log_.text().find("-> 401 ("), std::string::npos);
  EXPECT_NE(log_.text().find("[retry with a new token]"), std::string::npos);
}

TEST_F(HttpClientOAuth2Test, ASecond401IsReturnedWithoutLooping) {
  valid_token_ = "never";
  auto response = client_->send(get(server_.base_url() + "/api/tasks"));
  EXPECT_EQ(response.status, 401);
  EXPECT_NE(response.body.find("INVALID_SESSION_ID"), std::string::npos);
  EXPECT_EQ(server_.count("/oauth2/token"), 2u);
  EXPECT_EQ(server_.count("/api/tasks"), 2u);
  EXPECT_EQ(client_->metrics().retries_after_401, 1u);
  EXPECT_EQ(client_->metrics().by_status[401], 2u);
}

TEST_F(HttpClientOAuth2Test, TokenEndpointRefusalMeansNoApiCall) {
  token_error_ = true;
  auto response = client_->send(get(server_.base_url() + "/api/tasks"));
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error.rfind("auth: ", 0), 0u) << response.error;
  EXPECT_EQ(response.failure, disputed::sdk::HttpResponse::Failure::kNoCredential);
  EXPECT_NE(response.error.find("invalid_grant"), std::string::npos) << response.error;
  EXPECT_EQ(server_.count("/api/tasks"), 0u);
  EXPECT_EQ(client_->metrics().auth_unavailable, 1u);
}

TEST_F(HttpClientOAuth2Test, LogsNeverContainTheClientSecretOrTokens) {
  valid_token_ = "at-2";  // force a 401, a refresh and a retry
  client_->send(get(server_.base_url() + "/api/tasks?client_secret=" + std::string(kClientSecret)));
  const std::string text = log_.text();
  EXPECT_NE(text.find("GET " + server_.base_url() + "/api/tasks?client_secret=*** -> 401"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("POST " + server_.base_url() + "/oauth2/token -> 200"), std::string::npos)
      << text;
  EXPECT_EQ(text.find(kClientSecret), std::string::npos);
  EXPECT_EQ(text.find("at-1"), std::string::npos);
  EXPECT_EQ(text.find("at-2"), std::string::npos);
  EXPECT_EQ(text.find("Bearer"), std::string::npos);
}

}  // namespace
}  // namespace disputed::net
