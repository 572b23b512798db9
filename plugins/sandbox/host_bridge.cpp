#include "plugins/sandbox/host_bridge.hpp"

#include <map>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/json.hpp"

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
  if (answer->wire == Response::Wire::kTruncated)
    return no_answer("connection closed in the middle of the answer");
  sdk::HttpResponse out;
  out.status = answer->status;
  out.headers = std::move(answer->headers);
  out.body = std::move(answer->body);
  return out;
}

sdk::HttpResponse forward(const sdk::HttpRequest& request) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) headers[name] = value;
  auto answer = http_call(request.method, request.url, request.body, headers);
  if (answer.status == 0) return no_answer("connection failed: no answer from " + request.url);
  sdk::HttpResponse out;
  out.status = answer.status;
  for (auto& [name, value] : answer.headers) out.headers.emplace_back(name, value);
  out.body = std::move(answer.body);
  return out;
}

sdk::HttpResponse forward(const std::string& base, const sdk::HttpRequest& request) {
  sdk::HttpRequest rebased = request;
  rebased.url = base + target_of(request.url);
  return forward(rebased);
}

std::optional<sdk::AccessToken> fetch_token(Server& server, const std::string& token_path,
                                            const std::string& client_id,
                                            const std::string& client_secret, sdk::Instant now,
                                            std::string& error, const std::string& extra_form) {
  const std::string url = server.url() + token_path;
  auto answer = server.serve(Request::make(
      "POST", token_path, {{"Content-Type", "application/x-www-form-urlencoded"}},
      "grant_type=client_credentials&client_id=" + sdk::kit::percent_encode(client_id) +
          "&client_secret=" + sdk::kit::percent_encode(client_secret) + extra_form));
  auto parsed = answer ? sdk::kit::parse_json(answer->body) : sdk::kit::Problem{"", "no answer"};
  const sdk::kit::Json body = parsed ? *parsed : sdk::kit::Json();
  sdk::kit::JsonView token(body);
  if (!answer || answer->status != 200 || !token["access_token"].is_string()) {
    error = "token endpoint " + url + " answered " +
            (answer ? std::to_string(answer->status) + " " + token["error"].string_or()
                    : std::string("nothing"));
    return std::nullopt;
  }
  auto lifetime = token["expires_in"].integer_or_none().value_or(30 * 60);
  return sdk::AccessToken{token["access_token"].string_or(), now + std::chrono::seconds(lifetime),
                          answer->body};
}

Handler in_process(Server& server) {
  return [&server](const sdk::HttpRequest& r) { return serve_in_process(server, r); };
}

Handler forwarding_to(std::string base) {
  return [base = std::move(base)](const sdk::HttpRequest& r) { return forward(base, r); };
}

Handler over_loopback() {
  return [](const sdk::HttpRequest& r) { return forward(r); };
}

}  // namespace disputed::sandbox
