#pragma once
// The Graph sandbox on a loopback port, seen by the plugin's tests through the SDK's FakeHost
// (in-process host: allowed hosts, OAuth2 with one retry after 401, a fake clock, a KV store):
// requests are forwarded over HTTP to the sandbox, tokens come from its real token endpoint.
// Shared by the contract test, the conformance test and the bench.

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "disputed/sdk/kit/message_contract.hpp"
#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/contract.hpp"
#include "plugins/msgraph/sandbox/msgraph_sandbox.hpp"
#include "plugins/sandbox/host_bridge.hpp"
#include "plugins/sandbox/sandbox_server.hpp"
#include "plugins/sandbox/test_client.hpp"

namespace disputed::msgraph::testing {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
using nlohmann::json;

constexpr const char* kTenant = "sandbox-tenant";
constexpr const char* kClientId = "sandbox-client";
constexpr const char* kSecret = "sandbox-secret";

/// A message as the engine writes it (a customer's confirmation of dispute DSP-7, text and HTML,
/// with Auto-Submitted and one X- header) to `to`; tests change what they need.
inline sdk::kit::MessagePayload sample_message(const std::string& key, const std::string& to) {
  sdk::kit::MessagePayload m;
  m.kind = "dispute_confirmation";
  m.idempotency_key = key + ":confirmation";
  m.message_id = "<" + key + ".confirmation@disputes.example.com>";
  m.date = "2026-03-27T08:00:00Z";
  m.from = {"disputes@example.com", "Credit control"};
  m.to = {{to, "Jan Jansen"}};
  m.reply_to = {{"disputes+DSP-7@example.com", "Credit control"}};
  m.subject = "Wij hebben uw geschil DSP-7 ontvangen";
  m.text = "Beste Jan Jansen,";
  m.html = "<p>Beste Jan Jansen,</p>";
  m.headers = {{"Auto-Submitted", "auto-generated"}, {"X-Disputed-Kind", m.kind}};
  m.dispute = "DSP-7";
  return m;
}

/// The message action that carries `m`.
inline sdk::Action message_action(const sdk::kit::MessagePayload& m) {
  sdk::Action a;
  a.kind = sdk::Action::Kind::kMessage;
  a.action_key = m.idempotency_key;
  a.payload_json = sdk::kit::serialise_message_payload(m);
  return a;
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
    return disputed::sandbox::serve_in_process(server_, request);
  }

  /// A token from the real endpoint with client_secret_post (what the host's token source does).
  std::optional<sdk::AccessToken> fetch_token(const std::string& secret, std::string& error) {
    ++token_fetches_;
    return disputed::sandbox::fetch_token(
        server_, std::string("/") + kTenant + "/oauth2/v2.0/token", kClientId, secret,
        sdk::Instant(std::chrono::floor<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch())),
        error, "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
  }

  /// A host whose requests go to `handler` (default: this sandbox, in process).
  std::unique_ptr<sdk::testing::FakeHost> make_host(const std::string& secret,
                                                    disputed::sandbox::Handler handler = {}) {
    if (!handler) handler = [this](const sdk::HttpRequest& r) { return serve(r); };
    sdk::testing::FakeHostOptions options;
    options.instance_name = "msgraph";
    options.auth_kind = "oauth2_client_credentials";
    options.allowed_hosts = {"127.0.0.1:*"};
    return std::make_unique<sdk::testing::FakeHost>(
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

  /// Every message sendMail accepted (GET /_sandbox/mail), oldest first.
  json sent_mail() {
    sdk::HttpRequest r;
    r.url = url() + "/_sandbox/mail";
    json answer = json::parse(serve(r).body, nullptr, false);
    return answer.is_object() ? answer.value("sent", json::array()) : json::array();
  }

  /// How many messages went out with this X-Disputed-Message-Id.
  int messages_with_id(const std::string& message_id) {
    int n = 0;
    for (const auto& m : sent_mail()) n += m.value("disputed_message_id", "") == message_id;
    return n;
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
