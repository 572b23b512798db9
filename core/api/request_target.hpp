#pragma once
// An HTTP request-target in origin form ("/api/v1/disputes?status=open&limit=50") split into its
// path and decoded query parameters. A pure function of the text, so it can be tested and
// fuzzed without a socket.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/domain/result.hpp"

namespace disputed::api {

struct RequestTarget {
  std::string path;  ///< as sent (the router decodes each segment); its escapes are well-formed
  std::map<std::string, std::string> query;  ///< decoded; a repeated name keeps the last value
};

/// Splits and decodes `target`; an error (never a throw) when it is not origin form ("/..."),
/// has a malformed %-escape, or decodes to a NUL byte. '+' stays '+' (RFC 3986).
domain::Result<RequestTarget> parse_request_target(std::string_view target);

}  // namespace disputed::api
