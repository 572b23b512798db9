#include "disputed/sdk/kit/http_policy.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/time.hpp"

namespace disputed::sdk::kit {

namespace {

using std::chrono::seconds;
constexpr seconds kMaxWait{86400};
constexpr std::size_t kMessageBytes = 1000;
constexpr std::size_t kExcerptBytes = 200;

// {"error": "code" | {"title": ...}, "message" | "description" | "error_description": ...}
VendorError generic_error(const HttpResponse& response) {
  VendorError out;
  auto body = parse_json(response.body, {1024 * 1024, 32});
  if (!body) return out;
  JsonView root(*body);
  JsonView error = root["error"];
  if (error.is_string())
    out.code = error.string_or();
  else
    out.code = error["title"].string_or(error["code"].string_or());
  std::string words = root["message"].string_or(root["description"].string_or(
      root["error_description"].string_or(error["message"].string_or())));
  if (!out.code.empty() && !words.empty() && words != out.code)
    out.message = out.code + ": " + words;
  else
    out.message = words.empty() ? out.code : words;
  return out;
}

}  // namespace

std::optional<seconds> parse_retry_after(std::string_view value, Instant now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = value.size() <= 18;
  for (char c : value) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    long long n = 0;
    for (char c : value) n = std::min<long long>(n * 10 + (c - '0'), kMaxWait.count());
    return seconds(n);
  }
  if (auto at = parse_http_date(value))
    return at > now ? std::min(*at - now, kMaxWait) : seconds(0);
  return std::nullopt;
}

HttpPolicy::HttpPolicy(ErrorDialect dialect) : dialect_(std::move(dialect)) {
  if (!dialect_.read_error) dialect_.read_error = generic_error;
}

std::string HttpPolicy::describe(const HttpResponse& response) const {
  if (response.status == 0)
    return clean_text(response.error.empty() ? "no answer from " + dialect_.system : response.error,
                      kMessageBytes);
  VendorError vendor;
  try {
    vendor = dialect_.read_error(response);
  } catch (...) {  // a dialect must not throw; if it does, the body speaks for itself
  }
  std::string words =
      !vendor.message.empty() ? vendor.message : clean_text(response.body, kExcerptBytes);
  return clean_text("HTTP " + std::to_string(response.status) + (words.empty() ? "" : ": " + words),
                    kMessageBytes);
}

HttpOutcome HttpPolicy::judge(const HttpResponse& response, Instant now) const {
  HttpOutcome out;
  out.status = response.status;
  out.failure = response.status == 0 && response.failure == HttpResponse::Failure::kNone
                    ? HttpResponse::Failure::kConnection
                    : response.failure;
  const int s = response.status;
  if (s >= 200 && s < 300) return out;

  out.message = describe(response);
  if (s == 0) {
    switch (out.failure) {
      case HttpResponse::Failure::kRefused:
        out.verdict = Verdict::kAuthFailed;
        out.message =
            "the host refused the request (a configuration problem: check the "
            "settings' URLs and the instance's allowed_hosts): " +
            out.message;
        break;
      case HttpResponse::Failure::kNoCredential:
        out.verdict = Verdict::kAuthFailed;
        out.message = "no credential: " + out.message;
        break;
      default:
        out.verdict = Verdict::kRetryable;
    }
    return out;
  }
  if (s >= 300 && s < 400) {  // the host returns redirects instead of following them
    out.verdict = Verdict::kRejected;
    return out;
  }
  try {
    out.code = dialect_.read_error(response).code;
  } catch (...) {
  }
  auto wait = parse_retry_after(response.header("Retry-After"), now);
  if (s == 401 || s == 403)
    out.verdict = Verdict::kAuthFailed;
  else if (s == 404 || s == 410)
    out.verdict = Verdict::kNotFound;
  else if (s == 429 || (s == 503 && wait))
    out.verdict = Verdict::kRateLimited;
  else if (s >= 500 || s == 408 || s == 409 || s == 412 || s == 423 || s == 425)
    out.verdict = Verdict::kRetryable;
  else
    out.verdict = Verdict::kRejected;
  if (dialect_.refine)
    if (auto refined = dialect_.refine(s, out.code)) out.verdict = *refined;
  if (out.verdict == Verdict::kRateLimited)
    out.retry_after = wait.value_or(dialect_.rate_limit_wait);
  else if (out.verdict == Verdict::kRetryable)
    out.retry_after = wait.value_or(seconds(0));
  return out;
}

HttpOutcome HttpPolicy::malformed(const HttpResponse& response, const Problem& problem) const {
  HttpOutcome out;
  out.verdict = Verdict::kRetryable;
  out.status = response.status;
  out.message = clean_text("unexpected answer from " + dialect_.system + " (HTTP " +
                               std::to_string(response.status) + "): " + problem.text(),
                           kMessageBytes);
  return out;
}

ApplyResult HttpPolicy::apply_result(const HttpOutcome& outcome, Action::Kind kind,
                                     const std::string& external_ref) const {
  switch (outcome.verdict) {
    case Verdict::kOk:
      return applied(external_ref);
    case Verdict::kRetryable:
      return retryable(outcome.message, outcome.retry_after, external_ref);
    case Verdict::kRateLimited:
      return rate_limited(outcome.message, outcome.retry_after, external_ref);
    case Verdict::kAuthFailed: {
      ApplyResult r;
      r.status = ApplyResult::Status::kAuthFailed;
      r.external_ref = external_ref;
      r.message = outcome.message;
      return r;
    }
    case Verdict::kNotFound:
      if (kind == Action::Kind::kCancel)
        return already_applied(external_ref, {},
                               "nothing left to cancel (" + outcome.message + ")");
      if (kind == Action::Kind::kCreate) return rejected(outcome.message, external_ref);
      return rejected(
          "the task no longer exists in " + dialect_.system + " (" + outcome.message + ")",
          external_ref);
    case Verdict::kRejected:
      return rejected(outcome.message, external_ref);
  }
  return retryable(outcome.message, {}, external_ref);
}

PollResult HttpPolicy::poll_result(const HttpOutcome& outcome, const std::string& cursor) const {
  PollResult r;
  r.next_cursor = cursor;
  r.message = outcome.message;
  r.retry_after = outcome.retry_after;
  switch (outcome.verdict) {
    case Verdict::kRateLimited:
      r.status = PollResult::Status::kRateLimited;
      break;
    case Verdict::kAuthFailed:
      r.status = PollResult::Status::kAuthFailed;
      break;
    case Verdict::kOk:
      r.status = PollResult::Status::kOk;
      break;
    default:
      r.status = PollResult::Status::kRetryable;
  }
  return r;
}

CheckResult HttpPolicy::check_result(const HttpOutcome& outcome, const Remedies& remedies) const {
  using Category = CheckResult::Category;
  CheckResult r;
  r.ok = outcome.ok();
  if (r.ok) return r;
  r.message = outcome.message;
  if (outcome.refused()) {
    r.category = Category::kConfig;
    r.remedy = remedies.config;
  } else if (outcome.failure == HttpResponse::Failure::kNoCredential || outcome.status == 401) {
    r.category = Category::kAuth;
    r.remedy = remedies.auth;
  } else if (outcome.status == 403 && outcome.verdict == Verdict::kAuthFailed) {
    r.category = Category::kPermission;
    r.remedy = remedies.permission;
  } else if (outcome.verdict == Verdict::kNotFound) {
    r.category = Category::kConfig;
    r.remedy = remedies.config;
  } else {
    r.category = Category::kNetwork;
    r.remedy = remedies.network;
  }
  return r;
}

ApplyResult applied(std::string external_ref, std::string external_url) {
  ApplyResult r;
  r.status = ApplyResult::Status::kApplied;
  r.external_ref = std::move(external_ref);
  r.external_url = std::move(external_url);
  return r;
}

ApplyResult already_applied(std::string external_ref, std::string external_url,
                            std::string message) {
  ApplyResult r;
  r.status = ApplyResult::Status::kAlreadyApplied;
  r.external_ref = std::move(external_ref);
  r.external_url = std::move(external_url);
  r.message = std::move(message);
  return r;
}

ApplyResult rejected(std::string message, std::string external_ref) {
  ApplyResult r;
  r.status = ApplyResult::Status::kRejected;
  r.message = std::move(message);
  r.external_ref = std::move(external_ref);
  return r;
}

ApplyResult retryable(std::string message, std::chrono::seconds retry_after,
                      std::string external_ref) {
  ApplyResult r;
  r.status = ApplyResult::Status::kRetryable;
  r.message = std::move(message);
  r.retry_after = retry_after;
  r.external_ref = std::move(external_ref);
  return r;
}

ApplyResult rate_limited(std::string message, std::chrono::seconds retry_after,
                         std::string external_ref) {
  ApplyResult r = retryable(std::move(message), retry_after, std::move(external_ref));
  r.status = ApplyResult::Status::kRateLimited;
  return r;
}

PollResult poll_retryable(std::string message, const std::string& cursor,
                          std::chrono::seconds retry_after) {
  PollResult r;
  r.status = PollResult::Status::kRetryable;
  r.next_cursor = cursor;
  r.message = std::move(message);
  r.retry_after = retry_after;
  return r;
}

PollResult poll_rate_limited(std::string message, const std::string& cursor,
                             std::chrono::seconds retry_after) {
  PollResult r = poll_retryable(std::move(message), cursor, retry_after);
  r.status = PollResult::Status::kRateLimited;
  return r;
}

}  // namespace disputed::sdk::kit
