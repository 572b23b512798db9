// The ID token check of the OpenID Connect sign-in: an RS256 signature from the provider's key
// set, issuer, audience, expiry and nonce, and the role claim mapped to a disputed role. The
// end-to-end round trip against the Graph sandbox is in tests/web (browser).

#include <gmock/gmock.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/web/crypto.hpp"
#include "core/web/oidc.hpp"
#include "tests/core/api/api_fixture.hpp"

namespace disputed::web {
namespace {

using api::testing_support::json;

class IdTokenTest : public api::testing_support::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    key_ = EVP_RSA_gen(2048);
    ASSERT_TRUE(key_);
    sessions_ = std::make_unique<Sessions>(*writer_, clock_, SessionSettings{});
    OidcSettings s;
    s.issuer = "https://login.example/tenant/v2.0";
    s.client_id = "disputed-app";
    s.client_secret = "unused";
    s.roles = {{"Disputes.Controller", api::Role::kController},
               {"Disputes.Admin", api::Role::kAdmin}};
    oidc_ =
        std::make_unique<OidcSignIn>(s, *sessions_, *writer_, clock_, [](const std::string&) {});
  }
  void TearDown() override {
    EVP_PKEY_free(key_);
    ApiTest::TearDown();
  }

  std::string bignum(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key_, name, &bn);
    std::string bytes(std::size_t(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return base64url_encode(bytes);
  }
  std::string jwks(const std::string& kid = "k1") const {
    return json{{"keys", json::array({{{"kty", "RSA"},
                                       {"kid", kid},
                                       {"use", "sig"},
                                       {"n", bignum(OSSL_PKEY_PARAM_RSA_N)},
                                       {"e", bignum(OSSL_PKEY_PARAM_RSA_E)}}})}}
        .dump();
  }
  std::string sign(const json& claims, const std::string& kid = "k1") const {
    std::string head =
        base64url_encode(json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid}}.dump());
    std::string body = base64url_encode(claims.dump());
    std::string input = head + "." + body;
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    std::size_t n = 0;
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_);
    EVP_DigestSign(md, nullptr, &n, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string signature(n, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(signature.data()), &n,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(md);
    signature.resize(n);
    return input + "." + base64url_encode(signature);
  }
  json claims() const {
    std::int64_t now = clock_.now().time_since_epoch().count();
    return {{"iss", "https://login.example/tenant/v2.0"},
            {"aud", "disputed-app"},
            {"exp", now + 3600},
            {"iat", now},
            {"nbf", now},
            {"nonce", "n-1"},
            {"email", "anna@example.com"},
            {"name", "Anna Jansen"},
            {"roles", json::array({"Disputes.Controller"})}};
  }
  domain::Result<IdTokenClaims> check(const std::string& token, const std::string& nonce = "n-1") {
    return oidc_->check_id_token(token, jwks(), "https://login.example/tenant/v2.0", nonce);
  }

  EVP_PKEY* key_ = nullptr;
  std::unique_ptr<Sessions> sessions_;
  std::unique_ptr<OidcSignIn> oidc_;
};

TEST_F(IdTokenTest, AValidTokenNamesThePersonAndTheirHighestRole) {
  auto c = claims();
  c["roles"].push_back("Disputes.Admin");
  auto r = check(sign(c));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->user, "anna@example.com");
  EXPECT_EQ(r->name, "Anna Jansen");
  EXPECT_EQ(r->role, api::Role::kAdmin);
}

TEST_F(IdTokenTest, ForgedOrMisdirectedTokensAreRefusedWithTheReason) {
  auto expect_refused = [&](const std::string& token, const std::string& why,
                            const std::string& nonce = "n-1") {
    auto r = check(token, nonce);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_THAT(r.error().message, ::testing::HasSubstr(why));
  };
  std::string good = sign(claims());
  std::string tampered = good;
  tampered[tampered.find('.') + 5] ^= 1;
  expect_refused(tampered, "");
  auto c = claims();
  c["aud"] = "another-app";
  expect_refused(sign(c), "aud");
  c = claims();
  c["iss"] = "https://evil.example";
  expect_refused(sign(c), "issuer");
  c = claims();
  c["exp"] = clock_.now().time_since_epoch().count() - 600;
  expect_refused(sign(c), "expired");
  expect_refused(good, "nonce", "another-nonce");
  expect_refused(sign(claims(), "k2"), "unknown signing key");
  expect_refused("a.b", "not a JWS");
  std::string none =
      base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(claims().dump()) + ".";
  expect_refused(none, "RS256");
}

TEST_F(IdTokenTest, APersonWithoutAConfiguredRoleIsNotSignedIn) {
  auto c = claims();
  c["roles"] = json::array({"Something.Else"});
  auto r = check(sign(c));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, domain::ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("no disputed role"));
}

}  // namespace
}  // namespace disputed::web
