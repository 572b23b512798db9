#include "core/net/secrets.hpp"

#include <sys/stat.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ostream>

namespace disputed::net {

namespace {

constexpr const char* kEnvPrefix = "env:";
constexpr const char* kFilePrefix = "file:";

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

bool valid_env_name(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

domain::Result<std::string> from_env(const std::string& name) {
  if (!valid_env_name(name))
    return domain::Error::invalid(
        "secret reference env:NAME needs a variable name of letters, "
        "digits and '_' (not starting with a digit)");
  const char* value = std::getenv(name.c_str());
  if (value == nullptr)
    return domain::Error::not_found("secret environment variable " + name + " is not set");
  if (*value == '\0')
    return domain::Error::invalid("secret environment variable " + name + " is empty");
  return std::string(value);
}

domain::Result<std::string> from_file(const std::string& path) {
  if (path.empty()) return domain::Error::invalid("secret reference file:PATH needs a path");
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    int err = errno;
    if (err == ENOENT) return domain::Error::not_found("secret file " + path + " does not exist");
    return domain::Error::invalid("cannot read secret file " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(info.st_mode))
    return domain::Error::invalid("secret file " + path + " is not a regular file");
  if (static_cast<std::size_t>(info.st_size) > kMaxSecretFileBytes)
    return domain::Error::invalid("secret file " + path + " is larger than 64 KiB");

  std::ifstream in(path, std::ios::binary);
  if (!in) return domain::Error::invalid("cannot read secret file " + path);
  // Read one byte past the limit so a file that grew after stat() is still caught.
  std::string value(kMaxSecretFileBytes + 1, '\0');
  in.read(value.data(), static_cast<std::streamsize>(value.size()));
  if (in.bad()) return domain::Error::invalid("cannot read secret file " + path);
  value.resize(static_cast<std::size_t>(in.gcount()));
  if (value.size() > kMaxSecretFileBytes)
    return domain::Error::invalid("secret file " + path + " is larger than 64 KiB");

  // Editors and `echo` add a final newline that is not part of the secret.
  if (!value.empty() && value.back() == '\n') {
    value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
  }
  if (value.empty()) return domain::Error::invalid("secret file " + path + " is empty");
  return value;
}

}  // namespace

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

void Secret::wipe() noexcept {
  // Growing to the capacity (never reallocates) zeroes bytes left past the end, e.g. in the
  // small-string buffer of a moved-from string; volatile keeps the stores from being elided.
  value_.resize(value_.capacity());
  volatile char* p = value_.data();
  for (std::size_t i = 0; i < value_.size(); ++i) p[i] = '\0';
  value_.clear();
}

void PrintTo(const Secret& /*secret*/, std::ostream* out) { *out << Secret::redacted(); }

bool is_secret_ref(const std::string& text) noexcept {
  return starts_with(text, kEnvPrefix) || starts_with(text, kFilePrefix);
}

domain::Result<std::string> resolve_secret(const std::string& ref) {
  try {
    if (starts_with(ref, kEnvPrefix)) return from_env(ref.substr(std::strlen(kEnvPrefix)));
    if (starts_with(ref, kFilePrefix)) return from_file(ref.substr(std::strlen(kFilePrefix)));
    if (ref.empty())
      return domain::Error::invalid("secret reference is empty; use env:NAME or file:PATH");
    // Never echo the text: it is probably the secret itself.
    return domain::Error::invalid("a literal secret; use env:NAME or file:PATH");
  } catch (const std::exception& e) {
    return domain::Error::internal(std::string("cannot resolve secret reference: ") + e.what());
  }
}

domain::Result<Secret> load_secret(const std::string& ref) {
  auto value = resolve_secret(ref);
  if (!value) return value.error();
  return Secret(std::move(value).value());
}

}  // namespace disputed::net
