#include "disputed/sdk/kit/json_api.hpp"

namespace disputed::sdk::kit {

HttpRequest json_request(std::string method, std::string url, const Json* body,
                         std::chrono::milliseconds timeout,
                         std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.timeout = timeout;
  request.headers.emplace_back("Accept", "application/json");
  if (body) {
    request.headers.emplace_back("Content-Type", "application/json");
    // Text a person typed may hold anything: never fail on invalid UTF-8.
    request.body = body->dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  for (auto& header : headers) request.headers.push_back(std::move(header));
  return request;
}

Reply exchange(Host& host, const HttpPolicy& policy, const HttpRequest& request) {
  Reply reply;
  reply.response = host.http().send(request);
  reply.outcome = policy.judge(reply.response, host.clock().now());
  if (reply.ok() && !reply.response.body.empty()) {
    auto parsed = parse_json(reply.response.body);
    if (parsed)
      reply.body = std::move(*parsed);
    else
      reply.outcome = policy.malformed(reply.response, parsed.problem());
  }
  return reply;
}

}  // namespace disputed::sdk::kit
