#pragma once
// Microsoft Graph over the host's HTTP port: URL building, JSON answers and the mapping of
// Graph's answers (error shape, throttling, auth) onto the statuses the host acts on.
// https://learn.microsoft.com/en-us/graph/errors ,
// https://learn.microsoft.com/en-us/graph/throttling

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "disputed/sdk/host.hpp"

namespace disputed::msgraph {

/// Why a Graph call did not give the answer we wanted, in the host's terms.
struct Failure {
  enum class Kind { kRetryable, kRateLimited, kAuth, kRejected, kNotFound, kGone };
  Kind kind = Kind::kRetryable;
  int status = 0;
  std::chrono::seconds retry_after{0};
  std::string code;     ///< Graph's error.code, e.g. "invalidRequest"
  std::string message;  ///< for people: status, Graph's code and message, request-id
};

/// A Graph answer: the JSON body on success (2xx), else the failure.
struct Reply {
  int status = 0;
  nlohmann::json body;  ///< null when there was no (JSON) body
  std::optional<Failure> failure;
  bool ok() const { return !failure.has_value(); }
};

/// Percent-encodes one path segment (user ids, UPNs, Graph ids).
std::string encode_segment(const std::string& segment);

/// Maps a non-2xx answer (or status 0) onto a Failure. `now` turns an HTTP-date Retry-After into
/// seconds.
Failure classify(const sdk::HttpResponse& response, sdk::Instant now);

/// Seconds from a Retry-After value (delta-seconds or an HTTP date); nullopt when unreadable.
std::optional<std::chrono::seconds> parse_retry_after(const std::string& value, sdk::Instant now);

/// Sends one request with an optional JSON body through the host and parses the answer.
Reply call(sdk::Host& host, const std::string& method, const std::string& url,
           const nlohmann::json* body = nullptr,
           std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));

}  // namespace disputed::msgraph
