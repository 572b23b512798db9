#pragma once
// The Graph sandbox on a loopback port, seen by the plugin's tests through the SDK's SandboxHost
// (in-process host: allowed hosts, OAuth2 with one retry after 401, a fake clock, a KV store):
// requests are forwarded over HTTP to the sandbox, tokens come from its real token endpoint.
// Shared by the contract test, the conformance test and the bench.

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "disputed/sdk/testkit/contract.hpp"
#include "disputed/sdk/testkit/sandbox_host.hpp"
#include "plugins/sandbox/sandbox_server.hpp"
#include "plugins/sandbox/sandboxes.hpp"
#include "plugins/sandbox/test_client.hpp"

namespace disputed::msgraph::testing {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
using nlohmann::json;

constexpr const char* kTenant = "sandbox-tenant";
constexpr const char* kClientId = "sandbox-client";
constexpr const char* kSecret = "sandbox-secret";

/// Forwards a host request to a server over HTTP (the sandbox, or Prism in front of it).
inline sdk::HttpResponse forward(const sdk::HttpRequest& request) {
  std::map<std::string, std::string> headers;
  for (const auto& [k, v] : request.headers) headers[k] = v;
  auto answer = disputed::sandbox::http_call(request.method, request.url, request.body, headers);
  sdk::HttpResponse out;
  out.status = answer.status;
  if (answer.status == 0) out.error = "connection failed: no answer from " + request.url;
  for (const auto& [k, v] : answer.headers) out.headers.emplace_back(k, v);
  out.body = answer.body;
  return out;
}

/// "http://127.0.0.1:1234/v1.0/users/a%40b?$top=1" as the sandbox server sees it.
inline disputed::sandbox::Request to_sandbox_request(
    const std::string& method, const std::string& url,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  auto decode = [](const std::string& s, bool plus) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += plus && s[i] == '+' ? ' ' : s[i];
      }
    }
    return out;
  };
  disputed::sandbox::Request r;
  r.method = method;
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  r.target = slash == std::string::npos ? "/" : url.substr(slash);
  auto q = r.target.find('?');
  r.path = decode(r.target.substr(0, q), false);
  if (q != std::string::npos) {
    std::string rest = r.target.substr(q + 1);
    std::size_t start = 0;
    while (start <= rest.size()) {
      auto amp = rest.find('&', start);
      std::string pair =
          rest.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      auto eq = pair.find('=');
      if (!pair.empty())
        r.query[decode(pair.substr(0, eq), true)] =
            eq == std::string::npos ? "" : decode(pair.substr(eq + 1), true);
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  for (const auto& [k, v] : headers) {
    std::string name = k;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = v;
  }
  r.body = body;
  return r;
}

class GraphSandbox {
 public:
  explicit GraphSandbox(disputed::sandbox::Options options = {})
      : server_(disputed::sandbox::make_msgraph_sandbox(options)) {
    server_.start();
  }

  disputed::sandbox::Server& server() { return server_; }
  std::string url() const { return server_.url(); }
  std::string token_url() const { return server_.url() + "/" + kTenant + "/oauth2/v2.0/token"; }

  /// Answers a host request in process (no socket, no server thread): Server::serve().
  sdk::HttpResponse serve(const sdk::HttpRequest& request) {
    auto answer = server_.serve(
        to_sandbox_request(request.method, request.url, request.headers, request.body));
    sdk::HttpResponse out;
    if (!answer) {
      out.error = "connection failed: closed without an answer";
      return out;
    }
    out.status = answer->status;
    out.headers = answer->headers;
    out.body = answer->body;
    return out;
  }

  /// A token from the real endpoint with client_secret_post (what the host's token source does).
  std::optional<sdk::AccessToken> fetch_token(const std::string& secret, std::string& error) {
    ++token_fetches_;
    sdk::HttpRequest form;
    form.method = "POST";
    form.url = token_url();
    form.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    form.body = std::string("grant_type=client_credentials&client_id=") + kClientId +
                "&client_secret=" + secret + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default";
    auto answer = serve(form);
    json body = json::parse(answer.body, nullptr, false);
    if (answer.status != 200 || !body.is_object() || !body.contains("access_token")) {
      error = "token endpoint " + token_url() + " answered " + std::to_string(answer.status) + " " +
              (body.is_object() ? body.value("error", "") : std::string());
      return std::nullopt;
    }
    return sdk::AccessToken{body["access_token"].get<std::string>(),
                            sdk::Instant(std::chrono::floor<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())) +
                                std::chrono::seconds(body.value("expires_in", 3599)),
                            answer.body};
  }

  /// A host whose requests go to `handler` (default: this sandbox, in process).
  std::unique_ptr<kit::SandboxHost> make_host(const std::string& secret,
                                              kit::SandboxHandler handler = {}) {
    if (!handler) handler = [this](const sdk::HttpRequest& r) { return serve(r); };
    kit::SandboxHostOptions options;
    options.instance_name = "msgraph";
    options.auth_kind = "oauth2_client_credentials";
    options.allowed_hosts = {"127.0.0.1:*"};
    return std::make_unique<kit::SandboxHost>(
        options, std::move(handler),
        [this, secret](std::string& error) { return fetch_token(secret, error); });
  }

  int token_fetches() const { return token_fetches_.load(); }

  /// A Graph call as a person's client would make it (own token).
  disputed::sandbox::ClientAnswer graph(const std::string& method, const std::string& path,
                                        const json& body = nullptr) {
    std::string error;
    auto token = fetch_token(kSecret, error);
    --token_fetches_;  // not the plugin's
    sdk::HttpRequest r;
    r.method = method;
    r.url = url() + "/v1.0" + path;
    r.body = body.is_null() ? "" : body.dump();
    r.headers = {{"Authorization", "Bearer " + (token ? token->access_token : "")},
                 {"Content-Type", "application/json"}};
    auto answer = serve(r);
    disputed::sandbox::ClientAnswer out;
    out.status = answer.status;
    out.body = answer.body;
    return out;
  }

  json state() {
    sdk::HttpRequest r;
    r.url = url() + "/_sandbox/state";
    return json::parse(serve(r).body, nullptr, false);
  }

  /// POSTs to a /_sandbox/ control endpoint.
  int control(const std::string& path, const std::string& body = "") {
    sdk::HttpRequest r;
    r.method = "POST";
    r.url = url() + path;
    r.body = body;
    return serve(r).status;
  }

  /// Every task (deleted ones too) whose linked resource carries `key`.
  std::vector<json> tasks_for(const std::string& key) {
    std::vector<json> out;
    json s = state();
    for (const auto& t : s["tasks"])
      for (const auto& l : t.value("linkedResources", json::array()))
        if (l.value("externalId", "") == key) out.push_back(t);
    return out;
  }

  /// The person completes the task through the real API path, choosing the outcome by category.
  int complete(const std::string& ref, const std::string& outcome) {
    auto a = ref.find('|'), b = ref.find('|', a + 1);
    json body = {{"status", "completed"}};
    if (!outcome.empty()) body["categories"] = json::array({outcome});
    return graph("PATCH",
                 "/users/" + ref.substr(0, a) + "/todo/lists/" + ref.substr(a + 1, b - a - 1) +
                     "/tasks/" + ref.substr(b + 1),
                 body)
        .status;
  }

  void reset() {
    server_.reset();
    token_fetches_ = 0;
  }

 private:
  disputed::sandbox::Server server_;
  std::atomic<int> token_fetches_{0};
};

}  // namespace disputed::msgraph::testing
