#pragma once
// Fetching an identity provider's JWKS document (the keys that sign its access tokens): one GET,
// no redirects followed, TLS certificates verified, the answer bounded in size. Kept apart from
// the verifier so the HTTP client (cpprestsdk) and liboauth2 are not compiled together.

#include <chrono>
#include <string>

#include "core/domain/result.hpp"

namespace disputed::api {

/// The largest JWKS document accepted (a provider publishes a handful of keys, a few KiB).
inline constexpr std::size_t kMaxJwksBytes = 1 << 20;

/// The body of `GET uri` when it answers 200; an error naming the URI and what went wrong
/// otherwise (status, timeout, a redirect, a body over kMaxJwksBytes). Blocks the calling
/// thread up to `timeout`; never throws.
domain::Result<std::string> fetch_jwks(const std::string& uri, std::chrono::milliseconds timeout);

/// Whether `uri` may be used for a JWKS: https://, or http:// to a loopback address only (keys
/// fetched in clear text from elsewhere could be replaced on the way).
domain::Status check_jwks_uri(const std::string& uri);

}  // namespace disputed::api
