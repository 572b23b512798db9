#include "plugins/sandbox/host_bridge.hpp"

#include <map>

#include "plugins/sandbox/test_client.hpp"

namespace disputed::sandbox {

namespace {

// "https://acme.zendesk.com/api/v2/x?a=1" -> "/api/v2/x?a=1".
std::string target_of(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

sdk::HttpResponse no_answer(std::string why) {
  sdk::HttpResponse out;
  out.error = std::move(why);
  out.failure = sdk::HttpResponse::Failure::kConnection;
  return out;
}

}  // namespace

Request to_request(const sdk::HttpRequest& request) {
  return Request::make(request.method, target_of(request.url), request.headers, request.body);
}

sdk::HttpResponse serve_in_process(Server& server, const sdk::HttpRequest& request) {
  auto answer = server.serve(to_request(request));
  if (!answer) return no_answer("connection closed without an answer");
  sdk::HttpResponse out;
  out.status = answer->status;
  out.headers = std::move(answer->headers);
  out.body = std::move(answer->body);
  return out;
}

sdk::HttpResponse forward(const std::string& base, const sdk::HttpRequest& request) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) headers[name] = value;
  auto answer = http_call(request.method, base + target_of(request.url), request.body, headers);
  if (answer.status == 0) return no_answer("connection failed: no answer from " + base);
  sdk::HttpResponse out;
  out.status = answer.status;
  for (auto& [name, value] : answer.headers) out.headers.emplace_back(name, value);
  out.body = std::move(answer.body);
  return out;
}

Handler in_process(Server& server) {
  return [&server](const sdk::HttpRequest& r) { return serve_in_process(server, r); };
}

Handler forwarding_to(std::string base) {
  return [base = std::move(base)](const sdk::HttpRequest& r) { return forward(base, r); };
}

}  // namespace disputed::sandbox
