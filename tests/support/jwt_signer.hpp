#pragma once
// An RSA key pair made for one test, its public key as a JWK/JWKS, and RS256-signed JWTs
// (OpenSSL 3). Stands in for a company's identity provider.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace disputed::testing {

class JwtSigner {
 public:
  explicit JwtSigner(std::string kid = "test-key", unsigned bits = 2048)
      : kid_(std::move(kid)), key_(EVP_RSA_gen(bits), &EVP_PKEY_free) {
    if (!key_) throw std::runtime_error("EVP_RSA_gen failed");
  }

  /// {"kty":"RSA","kid":...,"n":...,"e":...}
  nlohmann::json jwk() const {
    return {{"kty", "RSA"},
            {"kid", kid_},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", component(OSSL_PKEY_PARAM_RSA_N)},
            {"e", component(OSSL_PKEY_PARAM_RSA_E)}};
  }
  nlohmann::json jwks() const { return {{"keys", nlohmann::json::array({jwk()})}}; }

  /// A signed token with `claims`.
  std::string sign(const nlohmann::json& claims) const {
    return sign_text(nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid_}}.dump(),
                     claims.dump());
  }

  /// A token whose header and payload are `header` and `payload` as given (any bytes), with a
  /// valid RS256 signature over them (for the JWT fuzz harness).
  std::string sign_text(const std::string& header, const std::string& payload) const {
    std::string input = base64url(header) + "." + base64url(payload);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::size_t length = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
      throw std::runtime_error("EVP_DigestSign failed");
    std::vector<unsigned char> signature(length);
    if (EVP_DigestSign(ctx.get(), signature.data(), &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
      throw std::runtime_error("EVP_DigestSign failed");
    return input + "." +
           base64url(std::string(signature.begin(), signature.begin() + long(length)));
  }

  /// Seconds since the epoch, `offset` from now (liboauth2 checks "exp" against the real clock).
  static std::int64_t now_plus(std::chrono::seconds offset) {
    return std::chrono::duration_cast<std::chrono::seconds>(
               (std::chrono::system_clock::now() + offset).time_since_epoch())
        .count();
  }

  static std::string base64url(const std::string& bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return unsigned(static_cast<unsigned char>(bytes[k])); };
    for (; i + 2 < bytes.size(); i += 3) {
      unsigned v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
      for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
    }
    if (bytes.size() - i == 1) {
      unsigned v = at(i) << 16;
      for (int shift : {18, 12}) out += kAlphabet[(v >> shift) & 63];
    } else if (bytes.size() - i == 2) {
      unsigned v = at(i) << 16 | at(i + 1) << 8;
      for (int shift : {18, 12, 6}) out += kAlphabet[(v >> shift) & 63];
    }
    return out;
  }

 private:
  std::string component(const char* name) const {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key_.get(), name, &bn) != 1)
      throw std::runtime_error("EVP_PKEY_get_bn_param failed");
    std::string bytes(std::size_t(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return base64url(bytes);
  }

  std::string kid_;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

}  // namespace disputed::testing
