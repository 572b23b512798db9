#pragma once
/// @file One HTTP outcome policy for every connector: what an answer from the external system
/// (or the host's reason for not having one) means, and the SDK result it becomes. The table
/// (docs/plugin-guide.md, "What an HTTP answer means"):
///
/// | answer                                   | verdict      | apply                 | poll | |
/// ---------------------------------------- | ------------ | --------------------- | ------------ |
/// | 2xx                                      | ok           | (the plugin's)        | (the
/// plugin's) | | host refused (allow-list, plain http)    | auth failed  | auth failed: hold     |
/// auth failed  | | no credential (token endpoint refused)   | auth failed  | auth failed: hold |
/// auth failed  | | 401 (the host already refreshed once)    | auth failed  | auth failed: hold |
/// auth failed  | | 403                                      | auth failed  | auth failed: hold |
/// auth failed  | | 404, 410                                 | not found    | cancel: already
/// applied; others: rejected | retryable | | 429; 503 with Retry-After                | rate
/// limited | rate limited          | rate limited | | 408, 409, 412, 423, 425, other 5xx       |
/// retryable    | retryable             | retryable    | | timeout, connection error | retryable |
/// retryable             | retryable    | | a 2xx body that cannot be read           | retryable |
/// retryable             | retryable    | | other 4xx                                | rejected |
/// rejected: dead letter | retryable    |
///
/// A request the host refuses is a configuration problem of the instance: every action would
/// fail alike, so the policy holds the instance (auth failed: the host keeps the actions and
/// marks the instance failing) instead of dead-lettering actions one by one; they flow again once
/// the operator fixes the settings or allowed_hosts. Retry-After (delta-seconds or an HTTP-date,
/// capped at a day) is honoured on every retryable or rate-limited answer. A vendor adds what the
/// table cannot know through its ErrorDialect (Salesforce: 403 REQUEST_LIMIT_EXCEEDED is a rate
/// limit). Standard library only.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/kit/expected.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sdk::kit {

/// What an answer means, before it becomes an SDK result.
enum class Verdict { kOk, kRetryable, kRateLimited, kAuthFailed, kNotFound, kRejected };

/// The verdict on one answer, with what the result needs.
struct HttpOutcome {
  Verdict verdict = Verdict::kOk;
  int status = 0;
  HttpResponse::Failure failure = HttpResponse::Failure::kNone;
  std::chrono::seconds retry_after{0};
  std::string code;     ///< the vendor's error code, when its body has one
  std::string message;  ///< for people: "HTTP 422: <vendor's words>", or the host's reason
  bool ok() const noexcept { return verdict == Verdict::kOk; }
  /// The host did not send the request (a configuration problem).
  bool refused() const noexcept { return failure == HttpResponse::Failure::kRefused; }
};

/// What a vendor's error body says.
struct VendorError {
  std::string code;     ///< e.g. "RecordInvalid", "REQUEST_LIMIT_EXCEEDED", "invalidRequest"
  std::string message;  ///< the vendor's words, code included where it reads well
};

/// The vendor-specific part of the policy; every member is optional.
struct ErrorDialect {
  /// The system's name for messages ("no answer from Zendesk").
  std::string system = "the system";
  /// Reads the vendor's error body. Default: {"error": <code or {"title"}>, "message" or
  /// "description" or "error_description": ...}. Must not throw.
  std::function<VendorError(const HttpResponse&)> read_error;
  /// A verdict the table cannot know (status and vendor code in); nullopt keeps the table's.
  std::function<std::optional<Verdict>(int status, const std::string& code)> refine;
  /// How long to wait when the vendor rate-limits without a Retry-After (Salesforce sends none:
  /// its daily allocation is rolling).
  std::chrono::seconds rate_limit_wait{0};
};

/// Remedies an operator reads in `disputed connectors --check`, one per check category.
struct Remedies {
  std::string auth;        ///< credentials rejected or not to be had
  std::string permission;  ///< 403: the API user may not do this
  std::string config;      ///< the host refused the request; or a 404 on the check call
  std::string network;     ///< no answer, 5xx, rate limited
};

/// A value fetched over HTTP, or the outcome (not ok) that kept it from being had.
template <class T>
class Fetched {
 public:
  Fetched(T value) : value_(std::move(value)) {}                  // NOLINT: implicit by design
  Fetched(HttpOutcome failure) : failure_(std::move(failure)) {}  // NOLINT: implicit by design
  bool ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  /// The outcome when not ok.
  const HttpOutcome& failure() const noexcept { return failure_; }

 private:
  std::optional<T> value_;
  HttpOutcome failure_;
};

/// Seconds from a Retry-After value (delta-seconds, or an HTTP-date relative to `now`), capped
/// at a day; nullopt when absent or unreadable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, Instant now);

/// The policy for one system.
class HttpPolicy {
 public:
  explicit HttpPolicy(ErrorDialect dialect = {});

  /// The verdict on an answer (2xx: kOk with empty message).
  HttpOutcome judge(const HttpResponse& response, Instant now) const;
  /// A 2xx answer whose body is not what the API promises: retryable, naming `problem`.
  HttpOutcome malformed(const HttpResponse& response, const Problem& problem) const;
  /// The vendor's words for an answer ("HTTP 422: ..."), or the host's reason for none.
  std::string describe(const HttpResponse& response) const;

  /// The apply result for a failed outcome. 404/410: a cancel is already applied (nothing left
  /// to cancel), anything else rejected. `external_ref` is echoed.
  ApplyResult apply_result(const HttpOutcome& outcome, Action::Kind kind,
                           const std::string& external_ref = {}) const;
  /// The poll result for a failed outcome; the cursor is kept.
  PollResult poll_result(const HttpOutcome& outcome, const std::string& cursor) const;
  /// The check result for a failed outcome, with the remedy of its category.
  CheckResult check_result(const HttpOutcome& outcome, const Remedies& remedies) const;

  const ErrorDialect& dialect() const noexcept { return dialect_; }

 private:
  ErrorDialect dialect_;
};

/// Result builders, so that plugins need not spell out aggregates.
ApplyResult applied(std::string external_ref, std::string external_url = {});
ApplyResult already_applied(std::string external_ref, std::string external_url = {},
                            std::string message = {});
ApplyResult rejected(std::string message, std::string external_ref = {});
ApplyResult retryable(std::string message, std::chrono::seconds retry_after = {},
                      std::string external_ref = {});
ApplyResult rate_limited(std::string message, std::chrono::seconds retry_after,
                         std::string external_ref = {});
PollResult poll_retryable(std::string message, const std::string& cursor,
                          std::chrono::seconds retry_after = {});
PollResult poll_rate_limited(std::string message, const std::string& cursor,
                             std::chrono::seconds retry_after);

}  // namespace disputed::sdk::kit
