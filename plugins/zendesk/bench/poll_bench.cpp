// API calls per poll cycle for N open tickets (10, 1,000, 10,000), counted from the Zendesk
// sandbox's request log. The plugin is loaded like the host loads it; the sandbox answers in
// process. Cycles: the first poll (empty cursor), a quiet poll (nothing changed), and a poll
// after 1% of the tickets got an agent comment and 1% were solved.
//
//   build-zendesk/bin/zendesk_poll_bench [N ...]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/sandbox/host_bridge.hpp"
#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"
#include "plugins/zendesk/tests/zendesk_agent.hpp"

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
namespace sb = disputed::sandbox;

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::stoi(argv[i]));
  if (sizes.empty()) sizes = {10, 1000, 10000};
  std::string error;
  auto plugin = kit::PluginUnderTest::load(ZENDESK_PLUGIN, &error);
  if (!plugin) {
    std::fprintf(stderr, "cannot load %s: %s\n", ZENDESK_PLUGIN, error.c_str());
    return 1;
  }
  sb::Server server(
      sb::make_zendesk_sandbox({{"rate_limit", "1000000"}, {"export_rate_limit", "1000000"}}));
  sdk::testing::FakeHost host(
      disputed::sandbox::zendesk::agent_host_options(),
      [&](const sdk::HttpRequest& r) { return disputed::sandbox::serve_in_process(server, r); });
  auto connector = plugin->create();
  if (!connector
           ->open(
               R"({"base_url": "https://acme.zendesk.com", "custom_fields": {"outcome": 360000000005}})",
               host)
           .ok)
    return 1;
  auto incremental = plugin->create();
  if (!incremental
           ->open(
               R"({"base_url": "https://acme.zendesk.com", "custom_fields": {"outcome": 360000000005},
                             "poll_mode": "incremental"})",
               host)
           .ok)
    return 1;
  std::vector<std::string> incremental_rows;

  std::printf(
      "| open tickets N | calls, first poll | calls, quiet poll | calls, 1%% commented + 1%% "
      "solved | ms per quiet poll |\n");
  std::printf("| --- | --- | --- | --- | --- |\n");
  for (int n : sizes) {
    server.reset();
    auto ids = server.with_emulator([&](sb::Emulator& e) {
      return static_cast<sb::zendesk::ZendeskEmulator&>(e).seed_tickets(n,
                                                                        "https://acme.zendesk.com");
    });
    sdk::PollRequest request;
    for (auto id : ids)
      request.open_refs.push_back({"SEED-" + std::to_string(id) + "-1", std::to_string(id)});
    auto calls = [&](const sdk::PollRequest& r, double* ms = nullptr) {
      std::size_t before = server.requests().size();
      auto start = std::chrono::steady_clock::now();
      auto result = connector->poll(r);
      auto took =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (ms) *ms = took;
      if (result.status != sdk::PollResult::Status::kOk)
        std::fprintf(stderr, "poll failed: %s\n", result.message.c_str());
      request.cursor = result.next_cursor;
      return std::make_pair(server.requests().size() - before, result.events.size());
    };
    auto first = calls(request);
    double quiet_ms = 0;
    auto quiet = calls(request, &quiet_ms);
    server.clock().advance(std::chrono::seconds(2));  // the changes land in a later second
    int changed = std::max(1, n / 100);
    server.with_emulator([&](sb::Emulator& e) {
      auto& z = static_cast<sb::zendesk::ZendeskEmulator&>(e);
      for (int i = 0; i < changed; ++i) {
        z.solve(ids[std::size_t(i)], "agent@example.com", 360000000005, "approved", "done");
        // a plain comment on another ticket: reopen-free change
        sb::Request put;
        put.method = "PUT";
        put.path = "/api/v2/tickets/" + std::to_string(ids[std::size_t(n - 1 - i)]);
        put.target = put.path;
        put.body = R"({"ticket": {"comment": {"body": "Called the customer", "public": true}}})";
        put.headers["authorization"] = "Bearer sandbox-oauth-token";
        z.handle(put, "https://acme.zendesk.com");
      }
      return 0;
    });
    auto busy = calls(request);
    std::printf("| %d | %zu | %zu | %zu (%zu events) | %.1f |\n", n, first.first, quiet.first,
                busy.first, busy.second, quiet_ms);

    // The same account polled through the cursor incremental export (independent of N; each
    // call returns up to 1000 changed tickets, at most 2 calls per poll).
    sdk::PollRequest inc;
    inc.open_refs = request.open_refs;
    auto inc_calls = [&]() {
      std::size_t before = server.requests().size();
      auto result = incremental->poll(inc);
      if (result.status != sdk::PollResult::Status::kOk)
        std::fprintf(stderr, "poll failed: %s\n", result.message.c_str());
      inc.cursor = result.next_cursor;
      return server.requests().size() - before;
    };
    std::size_t catch_up = 0;
    int polls = 0;
    for (std::string last = "x"; last != inc.cursor && polls < 100; ++polls) {
      last = inc.cursor;
      catch_up += inc_calls();
    }
    std::size_t inc_quiet = inc_calls();
    incremental_rows.push_back("| " + std::to_string(n) + " | " + std::to_string(catch_up) +
                               " in " + std::to_string(polls) + " polls | " +
                               std::to_string(inc_quiet) + " |");
  }
  std::printf("\nincremental export mode (account with only these tickets):\n\n");
  std::printf(
      "| open tickets N | calls to catch up from one hour back | calls, quiet poll |\n| --- | --- "
      "| --- |\n");
  for (const auto& row : incremental_rows) std::printf("%s\n", row.c_str());
  return 0;
}
