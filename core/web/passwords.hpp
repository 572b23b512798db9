#pragma once
// Local accounts' passwords, hashed with Argon2id (Debian's libargon2; RFC 9106). The encoded
// hash carries its own parameters, so verification keeps working after they change. Each hash
// allocates its memory cost, so at most two run at once: a burst of sign-ins waits instead of
// exhausting RAM.

#include <cstdint>
#include <string>

#include "core/domain/result.hpp"

namespace disputed::web {

struct Argon2Parameters {
  std::uint32_t time_cost = 2;
  std::uint32_t memory_kib = 19456;  // 19 MiB, t=2, p=1: OWASP's minimum for Argon2id
  std::uint32_t parallelism = 1;
};

constexpr std::size_t kMinPasswordLength = 12;
constexpr std::size_t kMaxPasswordLength = 1024;

/// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with a 16-byte random salt and a 32-byte tag.
/// Refuses (invalid argument, field "password") a password shorter than kMinPasswordLength or
/// longer than kMaxPasswordLength bytes.
domain::Result<std::string> hash_password(const std::string& password,
                                          Argon2Parameters parameters = {});
/// True when `password` matches `encoded`; false for a mismatch or a malformed hash.
bool verify_password(const std::string& encoded, const std::string& password);

}  // namespace disputed::web
