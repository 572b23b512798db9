#pragma once
// Result<T>: a value or an Error, for expected runtime failures (bad input, not found, conflict).
// Start-up and programming errors throw instead (see docs/architecture.md).

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace disputed::domain {

/// What kind of failure an Error is; the REST layer maps these to status codes.
enum class ErrorCode {
  kInvalidArgument,  // malformed or out-of-range input (422)
  kNotFound,         // a referenced thing does not exist (404)
  kConflict,         // the thing exists but is in the wrong state (409)
  kInternal,         // storage or other unexpected failure (500)
};

const char* to_string(ErrorCode code);

/// One problem with one input field, e.g. {"invoices[1].amount", "must be positive"}.
struct FieldProblem {
  std::string field;
  std::string problem;
};

/// An expected failure: what is wrong (message) and where (details).
struct Error {
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string message;
  std::vector<FieldProblem> details;

  static Error invalid(std::string message, std::string field = {}, std::string problem = {});
  static Error not_found(std::string message);
  static Error conflict(std::string message);
  static Error internal(std::string message);
  /// Message plus details on one line, for CLI output and logs.
  std::string describe() const;
};

/// Either a T or an Error. Cheap to move; check ok() before value().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// Result of an operation that yields nothing on success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace disputed::domain
