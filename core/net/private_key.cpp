#include "core/net/private_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "core/net/credentials.hpp"

namespace disputed::net {

namespace {

using Json = nlohmann::json;

std::string bn_base64url(const BIGNUM* bn) {
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  std::string out = base64url_encode(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return out;
}

int refuse_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return 0;  // never prompt on a terminal; an encrypted key is a configuration error
}

}  // namespace

domain::Result<Secret> rsa_private_jwk(const Secret& key) {
  const std::string& text = key.reveal();
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    Json jwk = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!jwk.is_object())
      return domain::Error::invalid("private key (secret private_key) is not valid JWK JSON");
    if (jwk.value("kty", "") != "RSA" || !jwk.contains("n") || !jwk.contains("e") ||
        !jwk.contains("d"))
      return domain::Error::invalid(
          "private key (secret private_key) must be an RSA private JWK "
          "(kty RSA with n, e and d)");
    return key;
  }

  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  if (bio == nullptr) return domain::Error::internal("cannot read private key: out of memory");
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, refuse_passphrase, nullptr);
  BIO_free(bio);
  if (pkey == nullptr)
    return domain::Error::invalid(
        "private key (secret private_key) is neither an unencrypted PEM "
        "private key nor an RSA JWK");
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    return domain::Error::invalid("private key (secret private_key) must be an RSA key (RS256)");
  }
  static constexpr std::pair<const char*, const char*> kParams[] = {
      {"n", OSSL_PKEY_PARAM_RSA_N},          {"e", OSSL_PKEY_PARAM_RSA_E},
      {"d", OSSL_PKEY_PARAM_RSA_D},          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
      {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
      {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
  Json jwk = {{"kty", "RSA"}};
  bool complete = true;
  for (const auto& [name, param] : kParams) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1 || bn == nullptr) {
      // p, q and the CRT values are optional in a JWK; n, e and d are not.
      const std::string_view n(name);
      if (n == "n" || n == "e" || n == "d") complete = false;
      continue;
    }
    jwk[name] = bn_base64url(bn);
    BN_clear_free(bn);
  }
  EVP_PKEY_free(pkey);
  if (!complete)
    return domain::Error::invalid("private key (secret private_key) lacks its private part");
  return Secret(jwk.dump());
}

}  // namespace disputed::net
