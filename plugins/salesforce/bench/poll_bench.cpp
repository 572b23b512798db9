// API calls per poll cycle of the Salesforce plugin against its sandbox, counted from the
// sandbox's request log (what Salesforce would count against the org's daily allocation).
// For N open Tasks (10, 1,000, 10,000) it measures: the first poll of an instance (no cursor),
// a steady poll with C changed Tasks, and a reconciliation (every open ref asked by key).
// Expected: steady poll = 1 + floor(C / 2000), independent of N (C counts the changes since the
// last poll plus those inside the overlap window); reconcile = ceil(N / 100). The sandbox's clock
// is moved 10 minutes between phases so that each phase's changes lie outside the next overlap.
//
//   salesforce_poll_bench            prints a table (Markdown)

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"
#include "plugins/sandbox/host_bridge.hpp"

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
namespace sb = disputed::sandbox;
using nlohmann::json;
using sb::salesforce::SalesforceEmulator;

namespace {

struct Bench {
  sb::Server server{
      std::make_unique<SalesforceEmulator>(sb::Options{{"daily_limit", "100000000"}})};
  std::unique_ptr<sdk::testing::FakeHost> host;
  kit::ConnectorPtr connector;
  std::string token;

  Bench() {
    server.start();
    sdk::testing::FakeHostOptions options;
    options.auth_kind = "oauth2_client_credentials";
    options.allowed_hosts = {"127.0.0.1:*"};
    host = std::make_unique<sdk::testing::FakeHost>(
        options, [this](const sdk::HttpRequest& r) { return sb::serve_in_process(server, r); },
        [this](std::string& error) {
          return sb::fetch_token(server, "/services/oauth2/token", "sandbox-client",
                                 "sandbox-secret", host->clock().now(), error);
        });
    std::string error;
    auto plugin = kit::PluginUnderTest::load(SALESFORCE_PLUGIN, &error);
    if (!plugin) throw std::runtime_error(error);
    connector = plugin->create();
    auto opened = connector->open(R"({"api_version":"v62.0"})", *host);
    if (!opened.ok) throw std::runtime_error(opened.message);
    token = server.with_emulator([this](sb::Emulator& e) {
      return static_cast<SalesforceEmulator&>(e).session_for("manager@example.com", server.url());
    });
  }
  ~Bench() {
    connector.reset();
    server.stop();
  }

  sdk::HttpResponse api(const std::string& method, const std::string& path, const json& body) {
    sdk::HttpRequest r;
    r.method = method;
    r.url = server.url() + "/services/data/v62.0" + path;
    r.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    r.body = body.dump();
    return sb::serve_in_process(server, r);
  }

  // N open Tasks of ours, created 200 at a time through sObject Collections upsert.
  std::vector<sdk::OpenRef> seed(int n) {
    std::vector<std::string> keys;
    for (int i = 0; i < n; ++i) keys.push_back("DSP-" + std::to_string(100000 + i) + "-1");
    for (int start = 0; start < n; start += 200) {
      json records = json::array();
      for (int i = start; i < std::min(n, start + 200); ++i)
        records.push_back({{"attributes", {{"type", "Task"}}},
                           {"Subject", "Open task"},
                           {"Dispute_Action_Id__c", keys[i]}});
      api("PATCH", "/composite/sobjects/Task/Dispute_Action_Id__c", {{"records", records}});
    }
    std::vector<sdk::OpenRef> refs;
    server.with_emulator([&](sb::Emulator& e) {
      for (const auto& t : static_cast<SalesforceEmulator&>(e).tasks())
        refs.push_back({t["Dispute_Action_Id__c"], t["Id"]});
      return 0;
    });
    return refs;
  }

  // The rep changes (here: closes) C Tasks, 200 per collections update.
  void change(const std::vector<sdk::OpenRef>& refs, int c, int offset) {
    for (int start = 0; start < c; start += 200) {
      json records = json::array();
      for (int i = start; i < std::min(c, start + 200); ++i)
        records.push_back({{"attributes", {{"type", "Task"}}},
                           {"Id", refs[offset + i].external_ref},
                           {"Status", "Completed"},
                           {"Dispute_Outcome__c", "approved"}});
      api("PATCH", "/composite/sobjects", {{"records", records}});
    }
  }

  // REST calls only: the token endpoint and the versions list do not count against the limits.
  std::size_t logged() {
    std::size_t n = 0;
    for (const auto& r : server.requests())
      if (r.path.rfind("/services/data/v", 0) == 0) ++n;
    return n;
  }
  // Moves the sandbox's clock past the poll overlap, so that earlier changes are history.
  void later() { server.clock().advance(std::chrono::seconds(600)); }

  // Calls one poll makes (from the request log), its events, and the time it took.
  struct Cost {
    std::size_t calls = 0;
    std::size_t events = 0;
    double ms = 0;
    std::string cursor;
  };
  Cost poll(const std::string& cursor, const std::vector<sdk::OpenRef>& refs, bool reconcile) {
    std::size_t before = logged();
    auto start = std::chrono::steady_clock::now();
    auto r = connector->poll({cursor, refs, reconcile});
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r.status != sdk::PollResult::Status::kOk)
      throw std::runtime_error("poll failed: " + r.message);
    return {logged() - before, r.events.size(), ms, r.next_cursor};
  }
};

}  // namespace

int main() {
  try {
    std::printf(
        "| open Tasks N | first poll (no cursor) | steady poll, C=0 | C=10 | C=2,500 | reconcile "
        "(all N by key) |\n");
    std::printf("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int n : {10, 1000, 10000}) {
      Bench b;
      auto refs = b.seed(n);
      b.later();
      b.api("PATCH", "/sobjects/Task/Dispute_Action_Id__c/DSP-SENTINEL-1",
            {{"Subject", "sentinel"}});
      auto first = b.poll("", refs, false);
      auto idle = b.poll(first.cursor, refs, false);
      b.later();
      b.change(refs, std::min(n, 10), 0);
      auto ten = b.poll(idle.cursor, refs, false);
      std::string big = "n/a";
      int c = std::min(n - 10, 2500);
      Bench::Cost many{};
      if (n > 10) {
        b.later();
        b.change(refs, c, 10);
        many = b.poll(ten.cursor, refs, false);
        big = std::to_string(many.calls) + " calls, " + std::to_string(many.events) + " events";
      }
      auto rec = b.poll(many.cursor.empty() ? ten.cursor : many.cursor, refs, true);
      std::printf(
          "| %d | %zu calls (%.0f ms) | %zu calls | %zu calls, %zu events | %s | %zu calls (%.0f "
          "ms) |\n",
          n, first.calls, first.ms, idle.calls, ten.calls, ten.events, big.c_str(), rec.calls,
          rec.ms);
    }
    std::printf(
        "\nCalls counted from the sandbox's request log (the token fetch is not among them: one "
        "per session).\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "salesforce_poll_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
