#pragma once
/// @file A JSON API call through the host, written once: the request every connector sends (JSON
/// Accept and Content-Type, the body dumped with invalid UTF-8 replaced, the instance's timeout),
/// the answer judged by the connector's HttpPolicy, and a 2xx body read as bounded JSON (a body
/// that is not JSON makes the answer a malformed one: retryable). Shows nlohmann/json.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/kit/http_policy.hpp"
#include "disputed/sdk/kit/json.hpp"

namespace disputed::sdk::kit {

/// An answer: ok with its JSON body (null when it had none), or the outcome that says why not.
struct Reply {
  HttpOutcome outcome;
  Json body;
  HttpResponse response;
  bool ok() const noexcept { return outcome.ok(); }
  bool not_found() const noexcept { return outcome.verdict == Verdict::kNotFound; }
};

/// A JSON request: Accept (and with a body Content-Type) application/json, plus `headers`.
HttpRequest json_request(std::string method, std::string url, const Json* body,
                         std::chrono::milliseconds timeout,
                         std::vector<std::pair<std::string, std::string>> headers = {});

/// Sends `request` through the host and reads the answer with `policy`.
Reply exchange(Host& host, const HttpPolicy& policy, const HttpRequest& request);

}  // namespace disputed::sdk::kit
