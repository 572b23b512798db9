#pragma once
// Secret references: configs name where a secret lives (`env:NAME`, `file:PATH`), never the
// secret itself, so no secret sits in a config file, in git or in the database (invariant 5).

#include <cstddef>
#include <iosfwd>
#include <string>

#include "core/domain/result.hpp"

namespace disputed::net {

/// Largest secret file we read; anything bigger is not a credential but a mistake.
inline constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

/// A secret value that does not print itself. There is deliberately no operator<<: to send it,
/// call reveal() at the one place that must (a header, a form field). The bytes are overwritten
/// when the Secret is destroyed (best effort: copies made by callers are theirs to wipe).
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) noexcept : value_(std::move(value)) {}
  Secret(const Secret& other) = default;
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret() { wipe(); }

  /// The secret itself. Never log it, store it or put it in an error message.
  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  /// What to show wherever the secret would appear: "***".
  static const char* redacted() noexcept { return "***"; }

 private:
  void wipe() noexcept;
  std::string value_;
};

/// GoogleTest's value printer: a failing assertion on a Secret shows "***", not its bytes.
void PrintTo(const Secret& secret, std::ostream* out);

/// True when `text` has the form of a reference (`env:` or `file:` prefix), valid or not.
bool is_secret_ref(const std::string& text) noexcept;

/// Resolves a secret reference:
/// - `env:NAME`  the value of environment variable NAME; unset or empty is an error;
/// - `file:PATH` the file's contents with one trailing newline ("\n" or "\r\n") stripped; a
///   missing, unreadable, empty or too large (> 64 KiB) file is an error.
/// Anything else is refused as a literal secret. Error messages name the variable or file,
/// never the value (not even a refused literal).
domain::Result<std::string> resolve_secret(const std::string& ref);

/// resolve_secret() wrapped in a Secret.
domain::Result<Secret> load_secret(const std::string& ref);

}  // namespace disputed::net
