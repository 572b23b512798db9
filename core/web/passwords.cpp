#include "core/web/passwords.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace disputed::web {

namespace {

// At most two Argon2 computations at once (each allocates memory_kib).
class HashSlots {
 public:
  void acquire() {
    std::unique_lock lock(mutex_);
    free_.wait(lock, [this] { return in_use_ < kSlots; });
    ++in_use_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      --in_use_;
    }
    free_.notify_one();
  }

 private:
  static constexpr int kSlots = 2;
  std::mutex mutex_;
  std::condition_variable free_;
  int in_use_ = 0;
};

HashSlots& slots() {
  static HashSlots s;
  return s;
}

struct SlotLease {
  SlotLease() { slots().acquire(); }
  ~SlotLease() { slots().release(); }
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;
};

}  // namespace

domain::Result<std::string> hash_password(const std::string& password, Argon2Parameters p) {
  if (password.size() < kMinPasswordLength)
    return domain::Error::invalid(
        "password too short", "password",
        "must be at least " + std::to_string(kMinPasswordLength) + " characters");
  if (password.size() > kMaxPasswordLength)
    return domain::Error::invalid(
        "password too long", "password",
        "must be at most " + std::to_string(kMaxPasswordLength) + " bytes");
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
  std::vector<char> encoded(
      argon2_encodedlen(p.time_cost, p.memory_kib, p.parallelism, sizeof salt, 32, Argon2_id));
  int rc;
  {
    SlotLease lease;
    rc = argon2id_hash_encoded(p.time_cost, p.memory_kib, p.parallelism, password.data(),
                               password.size(), salt, sizeof salt, 32, encoded.data(),
                               encoded.size());
  }
  if (rc != ARGON2_OK)
    return domain::Error::internal(std::string("Argon2id failed: ") + argon2_error_message(rc));
  return std::string(encoded.data());
}

bool verify_password(const std::string& encoded, const std::string& password) {
  if (password.size() > kMaxPasswordLength || encoded.rfind("$argon2id$", 0) != 0) return false;
  SlotLease lease;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace disputed::web
