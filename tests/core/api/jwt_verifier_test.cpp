#include "core/api/jwt_verifier.hpp"

#include <gmock/gmock.h>

#include "core/config/config_error.hpp"
#include "tests/core/api/api_fixture.hpp"
#include "tests/support/jwt_signer.hpp"
#include "tests/support/one_route_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class JwtVerifierTest : public ::testing::Test {
 protected:
  config::OAuth2Config settings() {
    config::OAuth2Config c;
    c.issuer = "https://idp.example.com/realms/acme";
    c.audience = "disputed";
    c.jwks_file = dir_.write("jwks.json", idp_.jwks().dump());
    c.role_claim = "groups";
    c.roles = {{"ar-clerks", "controller"}, {"ar-managers", "admin"}, {"auditors", "viewer"}};
    return c;
  }

  json claims(std::chrono::seconds valid_for = std::chrono::minutes(5)) {
    return {{"iss", "https://idp.example.com/realms/acme"},
            {"aud", json::array({"account", "disputed"})},
            {"sub", "0c2b7f"},
            {"email", "anna@example.com"},
            {"groups", json::array({"staff", "ar-clerks"})},
            {"iat", testing::JwtSigner::now_plus(std::chrono::seconds(0))},
            {"exp", testing::JwtSigner::now_plus(valid_for)}};
  }

  static const Principal* principal(const std::variant<Principal, ApiError>& r) {
    return std::get_if<Principal>(&r);
  }
  static int status(const std::variant<Principal, ApiError>& r) {
    return std::holds_alternative<ApiError>(r) ? std::get<ApiError>(r).status : 200;
  }

  testing::TempDir dir_;
  testing::JwtSigner idp_;
};

TEST_F(JwtVerifierTest, AValidTokenNamesTheUserAndTheirMostPowerfulRole) {
  JwtVerifier verifier(settings());
  auto r = verifier.verify(idp_.sign(claims()));
  ASSERT_NE(principal(r), nullptr) << std::get<ApiError>(r).error.describe();
  EXPECT_EQ(principal(r)->actor, "anna@example.com");
  EXPECT_EQ(principal(r)->role, Role::kController);
  auto both = claims();
  both["groups"] = json::array({"auditors", "ar-managers"});
  EXPECT_EQ(principal(verifier.verify(idp_.sign(both)))->role, Role::kAdmin);
  auto one = claims();
  one["groups"] = "auditors";  // a single string works too
  EXPECT_EQ(principal(verifier.verify(idp_.sign(one)))->role, Role::kViewer);
}

TEST_F(JwtVerifierTest, ExpiredWrongIssuerWrongAudienceAndForeignKeysAre401) {
  JwtVerifier verifier(settings());
  auto expired = verifier.verify(idp_.sign(claims(std::chrono::seconds(-60))));
  EXPECT_EQ(status(expired), 401);
  auto issuer = claims();
  issuer["iss"] = "https://evil.example.com";
  auto wrong_issuer = verifier.verify(idp_.sign(issuer));
  EXPECT_EQ(status(wrong_issuer), 401);
  EXPECT_THAT(std::get<ApiError>(wrong_issuer).error.message, HasSubstr("issuer"));
  auto audience = claims();
  audience["aud"] = "some-other-api";
  auto wrong_audience = verifier.verify(idp_.sign(audience));
  EXPECT_EQ(status(wrong_audience), 401);
  EXPECT_THAT(std::get<ApiError>(wrong_audience).error.message, HasSubstr("audience"));
  testing::JwtSigner stranger;
  EXPECT_EQ(status(verifier.verify(stranger.sign(claims()))), 401);
  std::string token = idp_.sign(claims());
  token[token.size() - 3] = token[token.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(status(verifier.verify(token)), 401);
  EXPECT_EQ(status(verifier.verify("not-a-jwt")), 401);
}

TEST_F(JwtVerifierTest, ATokenAcceptedByOneConfigurationIsNotAcceptedByAnother) {
  // liboauth2's own verification cache is process-wide; ours is per verifier.
  std::string token = idp_.sign(claims());
  JwtVerifier ours(settings());
  ASSERT_EQ(status(ours.verify(token)), 200);
  testing::JwtSigner other_idp;
  auto other_settings = settings();
  other_settings.jwks_file = dir_.write("other-jwks.json", other_idp.jwks().dump());
  JwtVerifier theirs(other_settings);
  EXPECT_EQ(status(theirs.verify(token)), 401);
}

TEST_F(JwtVerifierTest, AValidTokenWithoutAConfiguredRoleIs403) {
  JwtVerifier verifier(settings());
  auto c = claims();
  c["groups"] = json::array({"staff"});
  auto r = verifier.verify(idp_.sign(c));
  EXPECT_EQ(status(r), 403);
  c.erase("groups");
  EXPECT_EQ(status(verifier.verify(idp_.sign(c))), 403);
}

TEST_F(JwtVerifierTest, RoleClaimMayBeADottedPathAndTheActorClaimConfigured) {
  auto s = settings();
  s.role_claim = "realm_access.roles";
  s.actor_claim = "preferred_username";
  JwtVerifier verifier(s);
  auto c = claims();
  c["realm_access"] = {{"roles", json::array({"ar-managers"})}};
  c["preferred_username"] = "anna";
  auto r = verifier.verify(idp_.sign(c));
  ASSERT_NE(principal(r), nullptr);
  EXPECT_EQ(principal(r)->role, Role::kAdmin);
  EXPECT_EQ(principal(r)->actor, "anna");
}

TEST_F(JwtVerifierTest, KeysComeFromTheProvidersJwksUri) {
  testing::OneRouteServer idp_keys(idp_.jwks().dump());
  auto s = settings();
  s.jwks_file.clear();
  s.jwks_uri = idp_keys.url("/protocol/openid-connect/certs");
  JwtVerifier verifier(s);
  auto r = verifier.verify(idp_.sign(claims()));
  ASSERT_NE(principal(r), nullptr) << std::get<ApiError>(r).error.describe();
  EXPECT_GE(idp_keys.served(), 1);
  EXPECT_EQ(status(verifier.verify(idp_.sign(claims(std::chrono::seconds(-5))))), 401);
}

// Issue 13, finding 4: with jwks_uri, liboauth2 fetched the key set again on every failed
// verification, under a global lock: forged tokens kept the provider and the pool busy.
TEST_F(JwtVerifierTest, ForgedTokensDoNotMakeTheVerifierFetchTheKeysAgain) {
  testing::OneRouteServer idp_keys(idp_.jwks().dump());
  auto s = settings();
  s.jwks_file.clear();
  s.jwks_uri = idp_keys.url("/certs");
  JwtVerifier verifier(s);
  ASSERT_NE(principal(verifier.verify(idp_.sign(claims()))), nullptr);
  testing::JwtSigner forger("test-key");  // the same key id, another key
  for (int i = 0; i < 50; ++i) {
    auto forged = claims();
    forged["jti"] = i;
    EXPECT_EQ(status(verifier.verify(forger.sign(forged))), 401);
  }
  EXPECT_EQ(idp_keys.served(), 1);
  EXPECT_EQ(verifier.jwks_fetches(), 1u);
}

TEST_F(JwtVerifierTest, ARotatedKeyIsFetchedOnceTheIntervalAllows) {
  testing::JwtSigner next("next-key");
  testing::OneRouteServer idp_keys(idp_.jwks().dump());
  auto s = settings();
  s.jwks_file.clear();
  s.jwks_uri = idp_keys.url("/certs");
  s.jwks_min_refresh_seconds = 0;  // a test cannot wait a minute
  JwtVerifier verifier(s);
  EXPECT_EQ(status(verifier.verify(next.sign(claims()))), 401);  // unknown yet: fetched twice
  idp_keys.set_body(nlohmann::json{{"keys", {idp_.jwk(), next.jwk()}}}.dump());
  auto r = verifier.verify(next.sign(claims()));
  ASSERT_NE(principal(r), nullptr) << std::get<ApiError>(r).error.describe();
  EXPECT_NE(principal(verifier.verify(idp_.sign(claims()))), nullptr);
}

TEST_F(JwtVerifierTest, AJwksUriInClearTextBeyondLoopbackIsRefused) {
  auto s = settings();
  s.jwks_file.clear();
  s.jwks_uri = "http://idp.example.com/realms/acme/protocol/openid-connect/certs";
  try {
    JwtVerifier verifier(s);
    FAIL() << "accepted " << s.jwks_uri;
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.key_path(), "/jwks_uri");
    EXPECT_THAT(e.problem(), HasSubstr("https://"));
  }
}

TEST_F(JwtVerifierTest, ABadConfigurationStopsTheStart) {
  auto missing = settings();
  missing.jwks_file = dir_ / "nope.json";
  EXPECT_THROW(JwtVerifier{missing}, config::ConfigError);
  auto empty = settings();
  empty.jwks_file = dir_.write("empty.json", R"({"keys":[]})");
  EXPECT_THROW(JwtVerifier{empty}, config::ConfigError);
  auto role = settings();
  role.roles["x"] = "superuser";
  EXPECT_THROW(JwtVerifier{role}, config::ConfigError);
}

TEST(RedactTokens, RemovesAnythingThatLooksLikeACredential) {
  std::string token =
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm5hIiwiZXhwIjoxfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";
  EXPECT_EQ(redact_tokens("could not verify " + token + " (expired)"),
            "could not verify [redacted] (expired)");
  EXPECT_EQ(redact_tokens("key dsp_0123456789abcdefghijABCDEFGHIJ_-xyz!"), "key [redacted]!");
  EXPECT_EQ(redact_tokens("JWT expired 300 seconds ago"), "JWT expired 300 seconds ago");
}

// Through the API: a JWT works like an API key, with the role from the token.
class ApiWithJwtTest : public testing_support::ApiTest {};

TEST_F(ApiWithJwtTest, BearerJwtIsAcceptedAndItsRoleApplies) {
  testing::TempDir dir;
  testing::JwtSigner idp;
  config::OAuth2Config c;
  c.issuer = "https://idp.example.com";
  c.audience = "disputed";
  c.jwks_file = dir.write("jwks.json", idp.jwks().dump());
  c.role_claim = "roles";
  c.roles = {{"disputed-viewer", "viewer"}, {"disputed-clerk", "controller"}};
  auth_ = std::make_unique<Authenticator>(std::make_unique<JwtVerifier>(c));
  api_ = std::make_unique<Api>(*readers_, *writer_, *auth_, defs_, clock_, ApiSettings{});
  auto token = [&](const char* role, std::chrono::seconds valid_for = std::chrono::minutes(5)) {
    return idp.sign({{"iss", "https://idp.example.com"},
                     {"aud", "disputed"},
                     {"sub", "u1"},
                     {"email", "piet@example.com"},
                     {"roles", json::array({role})},
                     {"exp", testing::JwtSigner::now_plus(valid_for)}});
  };
  keys_["jwt-viewer"] = token("disputed-viewer");
  keys_["jwt-clerk"] = token("disputed-clerk");
  keys_["jwt-expired"] = token("disputed-clerk", std::chrono::seconds(-10));
  keys_["jwt-nobody"] = token("marketing");
  std::string body = R"({"invoices":[{"number":"INV-2"}],"category":"price","description":"x"})";
  EXPECT_EQ(call("GET", "/api/v1/disputes", "", "jwt-viewer").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/disputes", body, "jwt-viewer").status, 403);
  auto made = call("POST", "/api/v1/disputes", body, "jwt-clerk");
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_EQ(made.body["reported_by"], "piet@example.com");
  EXPECT_EQ(call("GET", "/api/v1/disputes", "", "jwt-expired").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/disputes", "", "jwt-nobody").status, 403);
  EXPECT_EQ(call("GET", "/api/v1/disputes", "", "admin").status, 200);  // API keys still work
}

}  // namespace
}  // namespace disputed::api
