#include "graph_client.hpp"

#include <cctype>
#include <ctime>

namespace disputed::msgraph {

using nlohmann::json;

std::string encode_segment(const std::string& segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '@') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::chrono::seconds> parse_retry_after(const std::string& value, sdk::Instant now) {
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    if (value.size() > 9) return std::chrono::seconds(86400);
    return std::chrono::seconds(std::stol(value));
  }
  std::tm tm{};
  if (!strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return std::nullopt;
  auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto delta = std::chrono::duration_cast<std::chrono::seconds>(at - now);
  return delta.count() > 0 ? delta : std::chrono::seconds(0);
}

Failure classify(const sdk::HttpResponse& response, sdk::Instant now) {
  Failure f;
  f.status = response.status;
  if (response.status == 0) {
    const std::string& e = response.error;
    if (e.rfind("auth:", 0) == 0) {
      f.kind = Failure::Kind::kAuth;
    } else if (e.rfind("refused:", 0) == 0) {
      f.kind = Failure::Kind::kRejected;
    } else {
      f.kind = Failure::Kind::kRetryable;
    }
    f.message = e.empty() ? "no answer from Microsoft Graph" : e;
    return f;
  }
  json body = json::parse(response.body, nullptr, false);
  std::string graph_message, request_id;
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& e = body["error"];
    if (e.contains("code") && e["code"].is_string()) f.code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string())
      graph_message = e["message"].get<std::string>();
    if (e.contains("innerError") && e["innerError"].is_object()) {
      const json& inner = e["innerError"];
      if (inner.contains("request-id") && inner["request-id"].is_string())
        request_id = inner["request-id"].get<std::string>();
    }
  } else if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    // OAuth2 token endpoint shape: {"error":"invalid_client","error_description":"..."}
    f.code = body["error"].get<std::string>();
    if (body.contains("error_description") && body["error_description"].is_string())
      graph_message = body["error_description"].get<std::string>();
  }
  if (request_id.empty()) request_id = response.header("request-id");
  f.message = "HTTP " + std::to_string(response.status);
  if (!f.code.empty()) f.message += " " + f.code;
  if (!graph_message.empty()) f.message += ": " + graph_message;
  if (!request_id.empty()) f.message += " (request-id " + request_id + ")";

  auto retry_after = parse_retry_after(response.header("Retry-After"), now);
  int s = response.status;
  if (s == 429 || ((s == 503 || s == 504) && retry_after)) {
    f.kind = Failure::Kind::kRateLimited;
    f.retry_after = retry_after.value_or(std::chrono::seconds(0));
  } else if (s == 401 || s == 403) {
    f.kind = Failure::Kind::kAuth;
  } else if (s == 404) {
    f.kind = Failure::Kind::kNotFound;
  } else if (s == 410) {
    f.kind = Failure::Kind::kGone;
  } else if (s >= 500 || s == 408 || s == 409 || s == 412 || s == 423) {
    f.kind = Failure::Kind::kRetryable;
  } else {
    f.kind = Failure::Kind::kRejected;
  }
  return f;
}

Reply call(sdk::Host& host, const std::string& method, const std::string& url, const json* body,
           std::chrono::milliseconds timeout) {
  sdk::HttpRequest request;
  request.timeout = timeout;
  request.method = method;
  request.url = url;
  request.headers.emplace_back("Accept", "application/json");
  if (body) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body->dump();
  }
  sdk::HttpResponse response;
  try {
    response = host.http().send(request);
  } catch (...) {
    response.status = 0;
    response.error = "the host's HTTP client failed";
  }
  Reply reply;
  reply.status = response.status;
  if (response.status >= 200 && response.status < 300) {
    if (!response.body.empty()) reply.body = json::parse(response.body, nullptr, false);
    if (reply.body.is_discarded()) reply.body = nullptr;
    return reply;
  }
  reply.failure = classify(response, host.clock().now());
  return reply;
}

}  // namespace disputed::msgraph
