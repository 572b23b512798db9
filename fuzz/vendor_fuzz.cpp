// A connector plugin reading its vendor's answers (Zendesk, Salesforce, Microsoft Graph): the
// plugin library, built for the fuzz build, is loaded as the host loads it and runs against a
// FakeHost whose every HTTP answer comes from the input. The input is a list of answers
// separated by lines "--", each
//   STATUS\n(name: value\n)*\nBODY
// answered in the order the plugin asks (then: connection lost). With them the plugin creates a
// task, applies a second action whose kind the first byte of the input picks, and polls twice
// (following the cursor and reconciling). A plugin must never crash or let an exception out.
//
// Built once per plugin with FUZZ_PLUGIN (the library) and FUZZ_SYSTEM_<NAME>, which picks the
// manifest's auth kind and the instance settings below.
//
// Seeds (fuzz/corpus/<plugin>/) are recorded from the system's sandbox, one per action kind:
//   DISPUTED_FUZZ_RECORD=fuzz/corpus/zendesk build-fuzz/bin/fuzz_zendesk
// runs the same scenario against the in-process sandbox and writes what it answered.
#include <fstream>
#include <nlohmann/json.hpp>

#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "fuzz/fuzz_support.hpp"

// Every system at one fixed loopback address: the recorded seeds (see record() below) carry links
// under it. No socket is opened while fuzzing.
#define FUZZ_BASE "http://127.0.0.1:47391"
#if defined(FUZZ_SYSTEM_ZENDESK)
#define FUZZ_AUTH "basic"
#define FUZZ_SETTINGS R"({"base_url":")" FUZZ_BASE R"("})"
#define FUZZ_TOKEN_PATH ""
#define FUZZ_TOKEN_FORM ""
#define FUZZ_ASSIGNEE "agent@example.com"
#define FUZZ_SANDBOX disputed::sandbox::make_zendesk_sandbox
#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"
#elif defined(FUZZ_SYSTEM_SALESFORCE)
#define FUZZ_AUTH "oauth2_client_credentials"
#define FUZZ_SETTINGS "{}"  // the instance URL comes with the token
#define FUZZ_TOKEN_PATH "/services/oauth2/token"
#define FUZZ_TOKEN_FORM ""
#define FUZZ_ASSIGNEE "agent@example.com"
#define FUZZ_SANDBOX disputed::sandbox::make_salesforce_sandbox
#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"
#elif defined(FUZZ_SYSTEM_MSGRAPH)
#define FUZZ_AUTH "oauth2_client_credentials"
#define FUZZ_SETTINGS \
  R"({"graph_base_url":")" FUZZ_BASE R"(/v1.0","check_user":"alex@example.com"})"
#define FUZZ_TOKEN_PATH "/sandbox-tenant/oauth2/v2.0/token"
#define FUZZ_TOKEN_FORM "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
#define FUZZ_ASSIGNEE "alex@example.com"
#define FUZZ_SANDBOX disputed::sandbox::make_msgraph_sandbox
#include "plugins/msgraph/sandbox/msgraph_sandbox.hpp"
#else
#error "FUZZ_SYSTEM_<NAME> picks the plugin's settings"
#endif
#include "plugins/sandbox/host_bridge.hpp"
#include "plugins/sandbox/sandbox_server.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace testkit = disputed::sdk::testkit;
using disputed::fuzz::fail;

std::shared_ptr<testkit::PluginUnderTest> plugin;

sdk::HttpResponse answer_of(const std::string& part) {
  sdk::HttpResponse r;
  auto head_end = part.find("\n\n");
  std::string head = part.substr(0, head_end);
  if (head_end != std::string::npos) r.body = part.substr(head_end + 2);
  auto lines = disputed::fuzz::split(head, "\n", 32);
  int status = 0;
  for (char c : lines[0]) {
    if (c < '0' || c > '9' || status > 999) break;
    status = status * 10 + (c - '0');
  }
  r.status = status;
  if (status == 0) {
    r.failure = lines[0] == "timeout" ? sdk::HttpResponse::Failure::kTimeout
                                      : sdk::HttpResponse::Failure::kConnection;
    r.error = "connection lost";
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    std::string value = lines[i].substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers.emplace_back(lines[i].substr(0, colon), value);
  }
  return r;
}

sdk::Action action(sdk::Action::Kind kind, const std::string& suffix, const std::string& ref) {
  nlohmann::json payload = {{"task_key", "DSP-000001-check"},
                            {"dispute", "DSP-000001"},
                            {"subject", "Check the price agreement — DSP-000001 (Acme BV)"},
                            {"instructions", "Compare the invoiced price with the contract."},
                            {"assignee", FUZZ_ASSIGNEE},
                            {"assignee_kind", "person"},
                            {"deadline_at", "2026-12-04T16:00:00Z"},
                            {"deadline_local_date", "2026-12-04"},
                            {"time_zone", "Europe/Amsterdam"},
                            {"outcomes", {"approved", "declined"}},
                            {"customer", {{"id", "C1"}, {"name", "Acme BV"}}},
                            {"currency", "EUR"},
                            {"disputed_amount", "125.00"},
                            {"note", "Reminder: the deadline is near"},
                            {"invoices", {{{"number", "INV-1"}, {"disputed_amount", "125.00"}}}}};
  sdk::Action a;
  a.kind = kind;
  a.task_key = "DSP-000001-check";
  a.action_key = a.task_key + ":" + suffix;
  a.external_ref = ref;
  a.payload_json = payload.dump();
  return a;
}

// What the plugin does with the answers: the same whether they come from the input or the
// sandbox.
void scenario(sdk::Host& host, sdk::Action::Kind kind) {
  auto connector = plugin->create();
  if (!connector) fail("the plugin made no connector");
  auto opened = connector->open(FUZZ_SETTINGS, host);
  if (!opened.ok) {
    if (std::getenv("DISPUTED_FUZZ_RECORD")) fail("the plugin did not open: " + opened.message);
    return;
  }
  auto created = connector->apply(action(sdk::Action::Kind::kCreate, "create", ""));
  std::string ref = created.external_ref.empty() ? "1001" : created.external_ref;
  connector->apply(action(kind, "second", ref));
  sdk::PollRequest poll;
  poll.open_refs = {{"DSP-000001-check", ref}};
  auto polled = connector->poll(poll);
  poll.cursor = polled.next_cursor;
  poll.reconcile = true;
  connector->poll(poll);
  connector->check();
}

sdk::testing::FakeHostOptions host_options() {
  sdk::testing::FakeHostOptions options;
  options.auth_kind = FUZZ_AUTH;
  options.basic_username = "agent@example.com/token";
  options.basic_password = "sandbox-token";
  options.allowed_hosts = {"127.0.0.1:*"};
  return options;
}

std::string serialise(const sdk::HttpResponse& r) {
  std::string text = r.status == 0 ? std::string("lost") : std::to_string(r.status);
  for (const auto& [name, value] : r.headers) text += "\n" + name + ": " + value;
  return text + "\n\n" + r.body;
}

// One seed per action kind: the sandbox's answers to the scenario.
void record(const std::string& dir) {
  for (int kind = 0; kind < 5; ++kind) {
    disputed::sandbox::Server server(FUZZ_SANDBOX(disputed::sandbox::Options{}), "127.0.0.1",
                                     47391);
    server.start();
    std::vector<std::string> answers;
    sdk::testing::FakeHost host(
        host_options(),
        [&](const sdk::HttpRequest& r) {
          auto answer = disputed::sandbox::serve_in_process(server, r);
          answers.push_back(serialise(answer));
          return answer;
        },
        [&](std::string& error) {
          return disputed::sandbox::fetch_token(
              server, FUZZ_TOKEN_PATH, "sandbox-client", "sandbox-secret",
              sdk::Instant(std::chrono::floor<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())),
              error, FUZZ_TOKEN_FORM);
        });
    scenario(host, static_cast<sdk::Action::Kind>(kind));
    std::string seed(1, char(kind));
    for (std::size_t i = 0; i < answers.size(); ++i) seed += (i ? "\n--\n" : "") + answers[i];
    std::ofstream(dir + "/recorded_kind" + std::to_string(kind), std::ios::binary) << seed;
    server.stop();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string error;
  plugin = testkit::PluginUnderTest::load(FUZZ_PLUGIN, &error);
  if (!plugin) fail("loading " FUZZ_PLUGIN ": " + error);
  if (const char* dir = std::getenv("DISPUTED_FUZZ_RECORD")) {
    record(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto kind = static_cast<sdk::Action::Kind>(data[0] % 5);
  auto parts = disputed::fuzz::split(disputed::fuzz::text_of(data + 1, size - 1), "\n--\n", 64);
  std::size_t next = 0;
  sdk::testing::FakeHost host(
      host_options(),
      [&](const sdk::HttpRequest&) {
        if (next >= parts.size()) return answer_of("");
        return answer_of(parts[next++]);
      },
      [](std::string&) {
        sdk::AccessToken token;
        token.access_token = "fuzz-access-token";
        token.expires_at = sdk::Instant(std::chrono::hours(24 * 365 * 100));
        token.response_json = R"({"instance_url":")" FUZZ_BASE R"("})";
        return std::optional<sdk::AccessToken>(token);
      });
  scenario(host, kind);
  return 0;
}
