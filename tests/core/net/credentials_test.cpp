#include "core/net/credentials.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/domain/time.hpp"
#include "core/net/host_services.hpp"
#include "core/net/redaction.hpp"
#include "tests/core/net/loopback_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::net {
namespace {

using test::CannedResponse;
using test::LoopbackServer;
using test::RecordedRequest;
using Json = nlohmann::json;

constexpr const char* kClientSecret = "cl!ent-s3cret/with+specials";
const domain::Instant kStart = domain::Instant(std::chrono::seconds(1'800'000'000));

std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

// RS256 signature check of a compact JWS with the key's public half.
bool verify_rs256(const std::string& jwt, EVP_PKEY* key) {
  auto last_dot = jwt.rfind('.');
  std::string signing_input = jwt.substr(0, last_dot);
  std::string signature = test::base64url_decode(jwt.substr(last_dot + 1));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

class OAuth2TokenSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DISPUTED_NET_TEST_CLIENT_SECRET", kClientSecret, 1);
    settings_.token_url = server_.base_url() + "/oauth2/token";
    settings_.client_id = "client id/42";
    settings_.client_secret_ref = "env:DISPUTED_NET_TEST_CLIENT_SECRET";
    settings_.scope = "https://graph.microsoft.com/.default";
    settings_.timeout = std::chrono::milliseconds(5000);
  }
  void TearDown() override { ::unsetenv("DISPUTED_NET_TEST_CLIENT_SECRET"); }

  std::unique_ptr<OAuth2TokenSource> make() {
    auto source = OAuth2TokenSource::create(settings_, clock_, &log_);
    EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error().message);
    return source.ok() ? std::move(source).value() : nullptr;
  }

  std::atomic<int> issued_{0};
  LoopbackServer server_{[this](const RecordedRequest&) {
    return CannedResponse{200,
                          {{"Content-Type", "application/json"}},
                          test::token_json("tok-" + std::to_string(++issued_))};
  }};
  domain::FakeClock fake_{kStart};
  DomainClockAdapter clock_{fake_};
  test::CapturingLogger log_;
  OAuth2ClientSettings settings_;
};

TEST(AuthKindTest, ParsesManifestNames) {
  EXPECT_EQ(parse_auth_kind("oauth2_client_credentials").value(),
            AuthKind::kOAuth2ClientCredentials);
  EXPECT_EQ(parse_auth_kind("basic").value(), AuthKind::kBasic);
  EXPECT_FALSE(parse_auth_kind("digest").ok());
  EXPECT_EQ(parse_client_auth_method("private_key_jwt").value(), ClientAuthMethod::kPrivateKeyJwt);
  EXPECT_FALSE(parse_client_auth_method("client_secret_jwt").ok());
  EXPECT_STREQ(to_string(ClientAuthMethod::kClientSecretPost), "client_secret_post");
}

TEST(AuthenticatorTest, BasicSendsBase64OfComposedUserAndPassword) {
  ::setenv("DISPUTED_NET_TEST_ZD_TOKEN", "zd-api-token-123", 1);
  CredentialSettings settings;
  settings.kind = AuthKind::kBasic;
  settings.username = "agent@acme.com/token";  // Zendesk API token form
  settings.password_ref = "env:DISPUTED_NET_TEST_ZD_TOKEN";
  SecretScrubber scrubber;
  auto auth = make_authenticator(settings, nullptr, &scrubber);
  ::unsetenv("DISPUTED_NET_TEST_ZD_TOKEN");
  ASSERT_TRUE(auth.ok()) << auth.error().message;
  EXPECT_EQ(auth.value()->authorization().value(),
            "Basic " + base64_encode("agent@acme.com/token:zd-api-token-123"));
  EXPECT_EQ(base64_encode("agent@acme.com/token:zd-api-token-123"),
            "YWdlbnRAYWNtZS5jb20vdG9rZW46emQtYXBpLXRva2VuLTEyMw==");
  EXPECT_FALSE(auth.value()->renew_after_unauthorized("Basic x"));
  EXPECT_EQ(scrubber.scrub("pw zd-api-token-123"), "pw ***");
}

TEST(AuthenticatorTest, BasicRefusesAUserNameWithAColon) {
  ::setenv("DISPUTED_NET_TEST_PW", "pw-1234", 1);
  CredentialSettings settings;
  settings.kind = AuthKind::kBasic;
  settings.username = "a:b";
  settings.password_ref = "env:DISPUTED_NET_TEST_PW";
  EXPECT_FALSE(make_authenticator(settings, nullptr).ok());
  ::unsetenv("DISPUTED_NET_TEST_PW");
}

TEST(AuthenticatorTest, BearerSendsTheStaticToken) {
  ::setenv("DISPUTED_NET_TEST_BEARER", "static-tok-789", 1);
  CredentialSettings settings;
  settings.kind = AuthKind::kBearer;
  settings.token_ref = "env:DISPUTED_NET_TEST_BEARER";
  auto auth = make_authenticator(settings, nullptr);
  ::unsetenv("DISPUTED_NET_TEST_BEARER");
  ASSERT_TRUE(auth.ok()) << auth.error().message;
  EXPECT_EQ(auth.value()->authorization().value(), "Bearer static-tok-789");
}

TEST(AuthenticatorTest, UnresolvableSecretFailsWithoutTheValue) {
  CredentialSettings settings;
  settings.kind = AuthKind::kBearer;
  settings.token_ref = "literal-token-value";
  auto auth = make_authenticator(settings, nullptr);
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(auth.error().message.find("literal secret"), std::string::npos);
  EXPECT_EQ(auth.error().message.find("literal-token-value"), std::string::npos);
}

TEST(AuthenticatorTest, NoneSendsNothing) {
  auto auth = make_authenticator(CredentialSettings{}, nullptr);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth.value()->authorization().value(), "");
}

TEST(CredentialSettingsTest, ReadsAuthJsonAndSecretReferences) {
  auto settings = parse_credential_settings(
      AuthKind::kOAuth2ClientCredentials,
      R"({"token_url":"https://login.microsoftonline.com/t/oauth2/v2.0/token","client_id":"app",
          "client_auth":"client_secret_post","scope":"https://graph.microsoft.com/.default",
          "extra_form":{"resource":"r"},"default_lifetime_seconds":600,"plugin_setting":1})",
      {{"client_secret", "env:GRAPH_SECRET"}});
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->oauth2.client_auth, ClientAuthMethod::kClientSecretPost);
  EXPECT_EQ(settings->oauth2.client_secret_ref, "env:GRAPH_SECRET");
  EXPECT_EQ(settings->oauth2.default_lifetime, std::chrono::seconds(600));
  ASSERT_EQ(settings->oauth2.extra_form.size(), 1u);

  auto basic = parse_credential_settings(AuthKind::kBasic, R"({"username":"a@b.c/token"})",
                                         {{"password", "file:/run/secrets/zd"}});
  ASSERT_TRUE(basic.ok()) << basic.error().message;
  EXPECT_EQ(basic->password_ref, "file:/run/secrets/zd");
}

TEST(CredentialSettingsTest, MissingOrUnusedSecretsAreErrorsNamingThem) {
  auto missing = parse_credential_settings(AuthKind::kBearer, "{}", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("\"token\""), std::string::npos);

  auto unused = parse_credential_settings(AuthKind::kBearer, "{}",
                                          {{"token", "env:A"}, {"password", "env:B"}});
  ASSERT_FALSE(unused.ok());
  EXPECT_NE(unused.error().message.find("\"password\""), std::string::npos);

  auto no_url = parse_credential_settings(AuthKind::kOAuth2ClientCredentials,
                                          R"({"client_id":"x"})", {{"client_secret", "env:A"}});
  ASSERT_FALSE(no_url.ok());
  EXPECT_NE(no_url.error().message.find("token_url"), std::string::npos);
}

TEST_F(OAuth2TokenSourceTest, ClientSecretBasicSendsCredentialsInTheAuthorizationHeader) {
  settings_.client_auth = ClientAuthMethod::kClientSecretBasic;
  auto source = make();
  ASSERT_TRUE(source);
  std::string error;
  auto token = source->token(&error);
  ASSERT_TRUE(token) << error;
  EXPECT_EQ(token->access_token, "tok-1");
  EXPECT_EQ(token->expires_at, kStart + std::chrono::seconds(3600));

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordedRequest& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/oauth2/token");
  EXPECT_EQ(r.header("Content-Type"), "application/x-www-form-urlencoded");
  // RFC 6749 §2.3.1: id and secret are form-encoded before base64 (liboauth2 uses curl escaping).
  EXPECT_EQ(r.header("Authorization"),
            "Basic " + base64_encode("client%20id%2F42:cl%21ent-s3cret%2Fwith%2Bspecials"));
  auto form = r.form();
  EXPECT_EQ(form["grant_type"], "client_credentials");
  EXPECT_EQ(form["scope"], "https://graph.microsoft.com/.default");
  EXPECT_EQ(form.count("client_secret"), 0u);
  EXPECT_EQ(form.count("client_id"), 0u);
}

TEST_F(OAuth2TokenSourceTest, ClientSecretPostSendsCredentialsInTheForm) {
  settings_.client_auth = ClientAuthMethod::kClientSecretPost;
  settings_.extra_form = {{"resource", "https://api.example.com"}};
  auto source = make();
  ASSERT_TRUE(source);
  ASSERT_TRUE(source->token());

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0].has_header("Authorization"));
  auto form = requests[0].form();
  EXPECT_EQ(form["grant_type"], "client_credentials");
  EXPECT_EQ(form["client_id"], "client id/42");
  EXPECT_EQ(form["client_secret"], kClientSecret);
  EXPECT_EQ(form["resource"], "https://api.example.com");
}

TEST_F(OAuth2TokenSourceTest, PrivateKeyJwtSendsASignedClientAssertion) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ASSERT_NE(key, nullptr);
  disputed::testing::TempDir dir;
  settings_.client_auth = ClientAuthMethod::kPrivateKeyJwt;
  settings_.client_secret_ref.clear();
  settings_.private_key_ref = "file:" + dir.write("key.pem", pem_of(key)).string();
  auto source = make();
  ASSERT_TRUE(source);
  std::string error;
  ASSERT_TRUE(source->token(&error)) << error;

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0].has_header("Authorization"));
  auto form = requests[0].form();
  EXPECT_EQ(form["grant_type"], "client_credentials");
  EXPECT_EQ(form["client_id"], "client id/42");
  EXPECT_EQ(form["client_assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  EXPECT_EQ(form.count("client_secret"), 0u);

  const std::string jwt = form["client_assertion"];
  auto first_dot = jwt.find('.');
  auto last_dot = jwt.rfind('.');
  ASSERT_NE(first_dot, last_dot);
  Json header = Json::parse(test::base64url_decode(jwt.substr(0, first_dot)));
  Json claims =
      Json::parse(test::base64url_decode(jwt.substr(first_dot + 1, last_dot - first_dot - 1)));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(claims["iss"], "client id/42");
  EXPECT_EQ(claims["sub"], "client id/42");
  EXPECT_EQ(claims["aud"], settings_.token_url);  // RFC 7523 §3: the token endpoint by default
  EXPECT_TRUE(claims.contains("exp"));
  EXPECT_TRUE(claims.contains("jti"));
  EXPECT_TRUE(verify_rs256(jwt, key));
  EVP_PKEY_free(key);
}

TEST_F(OAuth2TokenSourceTest, PrivateKeyMustBeAnUnencryptedRsaKey) {
  disputed::testing::TempDir dir;
  settings_.client_auth = ClientAuthMethod::kPrivateKeyJwt;
  settings_.client_secret_ref.clear();

  EVP_PKEY* ec = EVP_EC_gen("P-256");
  settings_.private_key_ref = "file:" + dir.write("ec.pem", pem_of(ec)).string();
  EVP_PKEY_free(ec);
  auto refused = OAuth2TokenSource::create(settings_, clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("RSA"), std::string::npos);

  settings_.private_key_ref = "file:" + dir.write("junk.pem", "not a key").string();
  EXPECT_FALSE(OAuth2TokenSource::create(settings_, clock_).ok());
  EXPECT_EQ(server_.requests().size(), 0u);
}

TEST_F(OAuth2TokenSourceTest, TokenIsCachedUntilAMinuteBeforeExpiry) {
  auto source = make();
  ASSERT_TRUE(source);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(source->token()->access_token, "tok-1");
  fake_.advance(std::chrono::seconds(3600 - 61));
  EXPECT_EQ(source->token()->access_token, "tok-1");
  fake_.advance(std::chrono::seconds(2));  // now 59 s before expiry
  EXPECT_EQ(source->token()->access_token, "tok-2");
  EXPECT_EQ(source->fetch_count(), 2u);
  EXPECT_EQ(server_.count("/oauth2/token"), 2u);
}

TEST_F(OAuth2TokenSourceTest, InvalidateForcesANewTokenButOnlyOnceForAStaleOne) {
  auto source = make();
  ASSERT_TRUE(source);
  EXPECT_EQ(source->token()->access_token, "tok-1");
  source->invalidate();
  EXPECT_EQ(source->token()->access_token, "tok-2");
  source->invalidate_if_current("tok-1");  // already replaced: keep tok-2
  EXPECT_EQ(source->token()->access_token, "tok-2");
  source->invalidate_if_current("tok-2");
  EXPECT_EQ(source->token()->access_token, "tok-3");
  EXPECT_EQ(server_.count("/oauth2/token"), 3u);
}

TEST_F(OAuth2TokenSourceTest, AnswerWithoutExpiresInUsesTheDefaultAndKeepsTheWholeResponse) {
  // Salesforce: no expires_in; REST calls go to instance_url.
  server_.set_handler([](const RecordedRequest&) {
    return CannedResponse{
        200,
        {{"Content-Type", "application/json"}},
        R"({"access_token":"00DXX!AQ","instance_url":"https://acme.my.salesforce.com",)"
        R"("token_type":"Bearer","issued_at":"1735689600000"})"};
  });
  settings_.default_lifetime = std::chrono::minutes(30);
  auto source = make();
  ASSERT_TRUE(source);
  auto token = source->token();
  ASSERT_TRUE(token);
  EXPECT_EQ(token->access_token, "00DXX!AQ");
  EXPECT_EQ(token->expires_at, kStart + std::chrono::minutes(30));
  EXPECT_EQ(Json::parse(token->response_json)["instance_url"], "https://acme.my.salesforce.com");
  fake_.advance(std::chrono::minutes(28));
  EXPECT_TRUE(source->token());
  EXPECT_EQ(source->fetch_count(), 1u);
  fake_.advance(std::chrono::minutes(1) + std::chrono::seconds(1));
  EXPECT_TRUE(source->token());
  EXPECT_EQ(source->fetch_count(), 2u);
}

TEST_F(OAuth2TokenSourceTest, ShortLivedTokensAreRenewedHalfwayNotEveryCall) {
  server_.set_handler([this](const RecordedRequest&) {
    return CannedResponse{200, {}, test::token_json("short-" + std::to_string(++issued_), 60)};
  });
  auto source = make();
  ASSERT_TRUE(source);
  EXPECT_TRUE(source->token());
  EXPECT_TRUE(source->token());
  EXPECT_EQ(source->fetch_count(), 1u);
  fake_.advance(std::chrono::seconds(31));
  EXPECT_TRUE(source->token());
  EXPECT_EQ(source->fetch_count(), 2u);
}

TEST_F(OAuth2TokenSourceTest, TokenEndpointErrorSurfacesTheOAuthErrorCode) {
  server_.set_handler([](const RecordedRequest&) {
    return CannedResponse{
        400,
        {{"Content-Type", "application/json"}},
        R"({"error":"invalid_grant","error_description":"authentication failure"})"};
  });
  auto source = make();
  ASSERT_TRUE(source);
  std::string error;
  EXPECT_FALSE(source->token(&error));
  EXPECT_NE(error.find("invalid_grant"), std::string::npos) << error;
  EXPECT_NE(error.find("authentication failure"), std::string::npos) << error;
  EXPECT_NE(error.find(settings_.token_url), std::string::npos) << error;
  EXPECT_NE(error.find("400"), std::string::npos) << error;
  EXPECT_EQ(error.find(kClientSecret), std::string::npos);
  EXPECT_NE(log_.text().find("invalid_grant"), std::string::npos);
  EXPECT_EQ(log_.text().find(kClientSecret), std::string::npos);
  EXPECT_EQ(log_.text().find("s3cret"), std::string::npos);
}

TEST_F(OAuth2TokenSourceTest, AnswersWithoutAUsableTokenAreErrors) {
  for (const char* body : {R"({"token_type":"Bearer"})", R"({"access_token":""})",
                           R"({"access_token":"x","token_type":"DPoP"})", "not json"}) {
    server_.set_handler([body](const RecordedRequest&) { return CannedResponse{200, {}, body}; });
    auto source = make();
    ASSERT_TRUE(source);
    std::string error;
    EXPECT_FALSE(source->token(&error)) << body;
    EXPECT_NE(error.find("answered 200"), std::string::npos) << error;
  }
}

// Issue 13, finding 5: liboauth2's libcurl followed a token endpoint's redirects (up to five,
// also to plain http) and re-sent the client secret or the assertion wherever they pointed.
TEST_F(OAuth2TokenSourceTest, ARedirectIsAnAnswerAndTheCredentialsGoNowhereElse) {
  for (auto auth : {ClientAuthMethod::kClientSecretBasic, ClientAuthMethod::kClientSecretPost}) {
    LoopbackServer elsewhere([](const RecordedRequest&) {
      return CannedResponse{200, {{"Content-Type", "application/json"}}, test::token_json("x")};
    });
    server_.set_handler([&](const RecordedRequest&) {
      return CannedResponse{307, {{"Location", elsewhere.base_url() + "/steal"}}, ""};
    });
    settings_.client_auth = auth;
    auto source = make();
    ASSERT_TRUE(source);
    std::string error;
    EXPECT_FALSE(source->token(&error));
    EXPECT_NE(error.find("answered 307"), std::string::npos) << error;
    EXPECT_TRUE(elsewhere.requests().empty()) << to_string(auth) << " followed the redirect";
    EXPECT_EQ(log_.text().find(kClientSecret), std::string::npos);
  }
}

TEST_F(OAuth2TokenSourceTest, UnreachableOrSlowTokenEndpointIsAnError) {
  settings_.token_url = "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/token";
  auto source = make();
  ASSERT_TRUE(source);
  std::string error;
  EXPECT_FALSE(source->token(&error));
  EXPECT_NE(error.find("cannot reach token endpoint"), std::string::npos) << error;

  server_.set_handler([](const RecordedRequest&) {
    return CannedResponse{200, {}, test::token_json("late"), std::chrono::milliseconds(4000)};
  });
  settings_.token_url = server_.base_url() + "/slow";
  settings_.timeout = std::chrono::milliseconds(1000);  // liboauth2's resolution is 1 s
  auto slow = make();
  ASSERT_TRUE(slow);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(slow->token(&error));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_NE(error.find("did not answer within 1000 ms"), std::string::npos) << error;
}

TEST_F(OAuth2TokenSourceTest, ConcurrentCallersShareOneFetch) {
  server_.set_handler([this](const RecordedRequest&) {
    return CannedResponse{200,
                          {},
                          test::token_json("shared-" + std::to_string(++issued_)),
                          std::chrono::milliseconds(200)};
  });
  auto source = make();
  ASSERT_TRUE(source);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      if (auto t = source->token(); t && t->access_token == "shared-1") ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(source->fetch_count(), 1u);
}

TEST_F(OAuth2TokenSourceTest, RefusesBadSettingsBeforeAnyRequest) {
  auto bad = settings_;
  bad.extra_form = {{"client_secret", "x"}};
  EXPECT_FALSE(OAuth2TokenSource::create(bad, clock_).ok());
  bad = settings_;
  bad.token_url = "/relative";
  EXPECT_FALSE(OAuth2TokenSource::create(bad, clock_).ok());
  bad = settings_;
  bad.client_id.clear();
  EXPECT_FALSE(OAuth2TokenSource::create(bad, clock_).ok());
  bad = settings_;
  bad.client_secret_ref = "plain-secret";
  auto literal = OAuth2TokenSource::create(bad, clock_);
  ASSERT_FALSE(literal.ok());
  EXPECT_EQ(literal.error().message.find("plain-secret"), std::string::npos);
  EXPECT_EQ(server_.requests().size(), 0u);
}

// ---------------------------------------------------------------------------------------------
// JWT bearer grant (RFC 7523 §2.1), as Salesforce's server-to-server flow uses it.

constexpr const char* kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

struct DecodedJwt {
  Json header;
  Json claims;
};

DecodedJwt decode_jwt(const std::string& jwt) {
  auto first_dot = jwt.find('.');
  auto last_dot = jwt.rfind('.');
  if (first_dot == std::string::npos || first_dot == last_dot) return {};
  return {Json::parse(test::base64url_decode(jwt.substr(0, first_dot)), nullptr, false),
          Json::parse(test::base64url_decode(jwt.substr(first_dot + 1, last_dot - first_dot - 1)),
                      nullptr, false)};
}

class JwtBearerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = EVP_RSA_gen(2048);
    ASSERT_NE(key_, nullptr);
    settings_.grant = OAuth2Grant::kJwtBearer;
    settings_.token_url = server_.base_url() + "/services/oauth2/token";
    settings_.client_id = "3MVG9consumer.key";
    settings_.subject = "integration@acme.example";
    settings_.assertion_audience = "https://login.salesforce.com";
    settings_.private_key_ref = "file:" + dir_.write("server.key", pem_of(key_)).string();
    settings_.default_lifetime = std::chrono::minutes(30);
    settings_.timeout = std::chrono::milliseconds(5000);
  }
  void TearDown() override { EVP_PKEY_free(key_); }

  std::unique_ptr<OAuth2TokenSource> make() {
    auto source = OAuth2TokenSource::create(settings_, clock_, &log_, &scrubber_);
    EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error().message);
    return source.ok() ? std::move(source).value() : nullptr;
  }
  std::vector<RecordedRequest> token_requests() const {
    std::vector<RecordedRequest> out;
    for (auto& r : server_.requests())
      if (r.path == "/services/oauth2/token") out.push_back(r);
    return out;
  }

  EVP_PKEY* key_ = nullptr;
  disputed::testing::TempDir dir_;
  std::atomic<int> issued_{0};
  // Salesforce's answer: access_token and instance_url, no expires_in, no refresh token.
  LoopbackServer server_{[this](const RecordedRequest& r) {
    if (r.path == "/services/oauth2/token")
      return CannedResponse{200,
                            {{"Content-Type", "application/json"}},
                            Json{{"access_token", "00D!sf-" + std::to_string(++issued_)},
                                 {"instance_url", "https://acme.my.salesforce.com"},
                                 {"id", "https://login.salesforce.com/id/00D/005"},
                                 {"token_type", "Bearer"},
                                 {"issued_at", "1735689600000"}}
                                .dump()};
    return CannedResponse{200, {}, "{}"};
  }};
  domain::FakeClock fake_{kStart};
  DomainClockAdapter clock_{fake_};
  test::CapturingLogger log_;
  SecretScrubber scrubber_;
  OAuth2ClientSettings settings_;
};

TEST_F(JwtBearerTest, PostsTheGrantWithAnRs256AssertionForTheSubject) {
  auto source = make();
  ASSERT_TRUE(source);
  const auto before = static_cast<long long>(std::time(nullptr));
  std::string error;
  auto token = source->token(&error);
  const auto after = static_cast<long long>(std::time(nullptr));
  ASSERT_TRUE(token) << error;
  EXPECT_EQ(token->access_token, "00D!sf-1");
  EXPECT_EQ(Json::parse(token->response_json)["instance_url"], "https://acme.my.salesforce.com");

  auto requests = token_requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordedRequest& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_FALSE(r.has_header("Authorization")) << "the assertion is the only credential";
  auto form = r.form();
  EXPECT_EQ(form.size(), 2u) << r.body;
  EXPECT_EQ(form["grant_type"], kJwtBearerGrant);
  for (const char* absent : {"client_id", "client_secret", "client_assertion", "scope"})
    EXPECT_EQ(form.count(absent), 0u) << absent;

  const std::string jwt = form["assertion"];
  auto decoded = decode_jwt(jwt);
  ASSERT_TRUE(decoded.header.is_object()) << jwt;
  ASSERT_TRUE(decoded.claims.is_object()) << jwt;
  EXPECT_EQ(decoded.header["alg"], "RS256");
  EXPECT_EQ(decoded.header["typ"], "JWT");
  EXPECT_EQ(decoded.claims["iss"], "3MVG9consumer.key");
  EXPECT_EQ(decoded.claims["sub"], "integration@acme.example");
  EXPECT_EQ(decoded.claims["aud"], "https://login.salesforce.com");
  ASSERT_TRUE(decoded.claims["exp"].is_number_integer());
  // Salesforce: exp at most 3 minutes ahead, by the wall clock (the token endpoint's clock).
  const auto exp = decoded.claims["exp"].get<long long>();
  EXPECT_GT(exp, before);
  EXPECT_LE(exp, after + 180);
  EXPECT_TRUE(decoded.claims.contains("jti"));
  EXPECT_TRUE(verify_rs256(jwt, key_)) << "the signature verifies with the public key";

  // The assertion is a credential too: it never reaches a log line.
  EXPECT_EQ(scrubber_.scrub("sent " + jwt), "sent ***");
  EXPECT_EQ(log_.text().find(jwt.substr(0, jwt.find('.') + 10)), std::string::npos);
}

TEST_F(JwtBearerTest, ScopeAndExtraFormFieldsAreSentButNotTheReservedOnes) {
  settings_.scope = "api";
  settings_.extra_form = {{"format", "json"}};
  auto source = make();
  ASSERT_TRUE(source);
  ASSERT_TRUE(source->token());
  auto form = token_requests().at(0).form();
  EXPECT_EQ(form["scope"], "api");
  EXPECT_EQ(form["format"], "json");

  settings_.extra_form = {{"assertion", "forged"}};
  auto refused = OAuth2TokenSource::create(settings_, clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("assertion"), std::string::npos);
}

TEST_F(JwtBearerTest, TokenWithoutExpiresInIsCachedForTheDefaultLifetime) {
  auto source = make();
  ASSERT_TRUE(source);
  auto token = source->token();
  ASSERT_TRUE(token);
  EXPECT_EQ(token->expires_at, kStart + std::chrono::minutes(30));
  fake_.advance(std::chrono::minutes(28));
  EXPECT_EQ(source->token()->access_token, "00D!sf-1");
  EXPECT_EQ(source->fetch_count(), 1u);
  fake_.advance(std::chrono::minutes(1) + std::chrono::seconds(1));  // inside the 60 s margin
  EXPECT_EQ(source->token()->access_token, "00D!sf-2");
  auto requests = token_requests();
  ASSERT_EQ(requests.size(), 2u);
  // Each request carries a freshly signed assertion (a new jti).
  EXPECT_NE(decode_jwt(requests[0].form()["assertion"]).claims["jti"],
            decode_jwt(requests[1].form()["assertion"]).claims["jti"]);
}

TEST_F(JwtBearerTest, A401FetchesOneNewTokenThroughTheHostServices) {
  // The API accepts only the newest token: the first one has been revoked ("session expired").
  server_.set_handler([this](const RecordedRequest& r) {
    if (r.path == "/services/oauth2/token")
      return CannedResponse{200,
                            {},
                            Json{{"access_token", "00D!sf-" + std::to_string(++issued_)},
                                 {"instance_url", server_.base_url()},
                                 {"token_type", "Bearer"}}
                                .dump()};
    if (r.header("Authorization") == "Bearer 00D!sf-2") return CannedResponse{200, {}, "[]"};
    return CannedResponse{401, {}, R"([{"errorCode":"INVALID_SESSION_ID"}])"};
  });
  HostServicesConfig config;
  config.instance_name = "salesforce-acme";
  config.credentials.kind = AuthKind::kOAuth2ClientCredentials;
  config.credentials.oauth2 = settings_;
  config.http.allowed_hosts = {"127.0.0.1:*"};
  std::vector<std::string> lines;
  config.log_sink = [&lines](sdk::LogLevel, const std::string& line) { lines.push_back(line); };
  auto created = HostServices::create(config, fake_);
  ASSERT_TRUE(created.ok()) << created.error().message;
  sdk::Host& host = *created.value();

  sdk::HttpRequest request;
  request.url = server_.base_url() + "/services/data/v62.0/sobjects/Task/describe";
  EXPECT_EQ(host.http().send(request).status, 200);
  EXPECT_EQ(token_requests().size(), 2u) << "one new token after the 401";
  EXPECT_EQ(server_.count("/services/data/v62.0/sobjects/Task/describe"), 2u);
  EXPECT_EQ(host.http().send(request).status, 200);
  EXPECT_EQ(token_requests().size(), 2u) << "the new token is cached";

  server_.set_handler([](const RecordedRequest& r) {
    if (r.path == "/services/oauth2/token")
      return CannedResponse{200, {}, R"({"access_token":"00D!sf-x","token_type":"Bearer"})"};
    return CannedResponse{401, {}, "[]"};
  });
  host.tokens()->invalidate();
  EXPECT_EQ(host.http().send(request).status, 401) << "a second 401 is answered, not looped";
  std::string all;
  for (const auto& line : lines) all += line + "\n";
  EXPECT_EQ(all.find("eyJ"), std::string::npos) << "no assertion or JWT in the log";
}

TEST_F(JwtBearerTest, RefusalSurfacesSalesforcesErrorWithoutTheAssertion) {
  server_.set_handler([](const RecordedRequest&) {
    return CannedResponse{
        400,
        {{"Content-Type", "application/json"}},
        R"({"error":"invalid_grant","error_description":"user hasn't approved this consumer"})"};
  });
  auto source = make();
  ASSERT_TRUE(source);
  std::string error;
  EXPECT_FALSE(source->token(&error));
  EXPECT_NE(error.find("400 invalid_grant: user hasn't approved this consumer"), std::string::npos)
      << error;
  EXPECT_EQ(error.find("eyJ"), std::string::npos) << error;
  EXPECT_EQ(log_.text().find("eyJ"), std::string::npos);
}

TEST_F(JwtBearerTest, RefusesIncompleteSettingsBeforeAnyRequest) {
  auto refused = [&](OAuth2ClientSettings bad, const std::string& field) {
    auto created = OAuth2TokenSource::create(bad, clock_);
    if (created.ok()) return ::testing::AssertionFailure() << "accepted";
    const auto& e = created.error();
    if (!field.empty() && (e.details.empty() || e.details[0].field != field))
      return ::testing::AssertionFailure()
             << "field " << (e.details.empty() ? "" : e.details[0].field) << ": " << e.message;
    return ::testing::AssertionSuccess();
  };
  auto bad = settings_;
  bad.subject.clear();
  EXPECT_TRUE(refused(bad, "subject"));
  bad = settings_;
  bad.assertion_audience.clear();
  EXPECT_TRUE(refused(bad, "assertion_audience"));
  bad = settings_;
  bad.private_key_ref.clear();
  EXPECT_TRUE(refused(bad, ""));
  bad = settings_;
  bad.client_secret_ref = "env:WHATEVER";
  EXPECT_TRUE(refused(bad, "client_secret"));
  bad = settings_;
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  bad.private_key_ref = "file:" + dir_.write("ec.pem", pem_of(ec)).string();
  EVP_PKEY_free(ec);
  EXPECT_TRUE(refused(bad, ""));
  bad = settings_;
  bad.grant = OAuth2Grant::kClientCredentials;  // subject is a jwt_bearer setting
  bad.client_secret_ref = "env:WHATEVER";
  bad.private_key_ref.clear();
  EXPECT_TRUE(refused(bad, "subject"));
  EXPECT_TRUE(token_requests().empty());
}

TEST(JwtBearerSettingsTest, ReadsTheGrantFromTheAuthObject) {
  auto settings = parse_credential_settings(
      AuthKind::kOAuth2ClientCredentials,
      R"({"grant":"jwt_bearer","token_url":"https://login.salesforce.com/services/oauth2/token",
          "client_id":"3MVG9key","subject":"integration@acme.example",
          "assertion_audience":"https://login.salesforce.com","default_lifetime_seconds":900})",
      {{"private_key", "file:/run/secrets/salesforce.key"}});
  ASSERT_TRUE(settings.ok()) << settings.error().describe();
  const auto& o = settings->oauth2;
  EXPECT_EQ(o.grant, OAuth2Grant::kJwtBearer);
  EXPECT_EQ(o.subject, "integration@acme.example");
  EXPECT_EQ(o.assertion_audience, "https://login.salesforce.com");
  EXPECT_EQ(o.private_key_ref, "file:/run/secrets/salesforce.key");
  EXPECT_TRUE(o.client_secret_ref.empty());
  EXPECT_EQ(o.default_lifetime, std::chrono::seconds(900));

  auto plain = parse_credential_settings(AuthKind::kOAuth2ClientCredentials,
                                         R"({"token_url":"https://x/t","client_id":"c"})",
                                         {{"client_secret", "env:S"}});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->oauth2.grant, OAuth2Grant::kClientCredentials) << "the default";
  EXPECT_STREQ(to_string(OAuth2Grant::kJwtBearer), "jwt_bearer");
}

TEST(JwtBearerSettingsTest, BadSettingsNameTheKey) {
  const std::string base =
      R"("token_url":"https://login.salesforce.com/services/oauth2/token","client_id":"k")";
  const std::map<std::string, std::string> key = {{"private_key", "env:K"}};
  struct Case {
    std::string json;
    std::map<std::string, std::string> secrets;
    std::string field;
    std::string says;
  };
  const Case cases[] = {
      {R"({"grant":"jwt_bearer",)" + base +
           R"(,"assertion_audience":"https://login.salesforce.com"})",
       key, "subject", "required for grant jwt_bearer"},
      {R"({"grant":"jwt_bearer",)" + base + R"(,"subject":"u@x"})", key, "assertion_audience",
       "required for grant jwt_bearer"},
      {R"({"grant":"jwt_bearer",)" + base + R"(,"subject":"u@x","assertion_audience":"a"})",
       {},
       "secrets.private_key",
       "private_key"},
      {R"({"grant":"jwt_bearer",)" + base + R"(,"subject":"u@x","assertion_audience":"a"})",
       {{"private_key", "env:K"}, {"client_secret", "env:S"}},
       "secrets.client_secret",
       "not used by grant jwt_bearer"},
      {R"({"grant":"jwt_bearer",)" + base +
           R"(,"subject":"u@x","assertion_audience":"a","client_auth":"private_key_jwt"})",
       key, "client_auth", "not used by grant jwt_bearer"},
      {R"({"grant":"password",)" + base + "}", key, "grant", "client_credentials or jwt_bearer"},
      {R"({"grant":7,)" + base + "}", key, "grant", "must be a string"},
      {"{" + base + R"(,"subject":"u@x"})",
       {{"client_secret", "env:S"}},
       "subject",
       "not used by grant client_credentials"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_credential_settings(AuthKind::kOAuth2ClientCredentials, c.json, c.secrets);
    ASSERT_FALSE(parsed.ok()) << c.json;
    ASSERT_FALSE(parsed.error().details.empty()) << parsed.error().message;
    EXPECT_EQ(parsed.error().details[0].field, c.field) << c.json;
    EXPECT_NE(parsed.error().message.find(c.says), std::string::npos)
        << c.json << " -> " << parsed.error().message;
  }
}

}  // namespace
}  // namespace disputed::net
