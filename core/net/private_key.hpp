#pragma once
// Private keys for RS256 signing: liboauth2 takes an RSA JWK; operators usually hold a PEM file.

#include "core/domain/result.hpp"
#include "core/net/secrets.hpp"

namespace disputed::net {

/// `key` as an RSA private JWK: an RSA JWK (kty RSA with n, e and d) as it is, an unencrypted PEM
/// private key converted. Anything else (an encrypted key, another key type) is an error that
/// says which; the key itself is never in the message.
domain::Result<Secret> rsa_private_jwk(const Secret& key);

}  // namespace disputed::net
