// Graph API calls per poll cycle against the number of open tasks and users, counted from the
// sandbox's request log (the plugin in process, the sandbox answering in process).
//
//   msgraph_poll_bench [max_tasks]      (default 10000)
//
// For each (open tasks N, users U) it creates N tasks spread over U users' dedicated lists and
// prints, per poll: the first round (empty cursor: every list read from the start), a quiet
// poll (nothing changed), a poll after 1% of the tasks were completed, and a reconciliation
// (every open task asked about in $batch requests of 20; inner requests counted separately,
// since Graph's throttling counts them).

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/msgraph/tests/msgraph_env.hpp"

namespace {

using namespace disputed::msgraph::testing;

struct Counts {
  std::size_t http = 0;
  double ms = 0;
};

Counts measure(GraphSandbox& sandbox, const std::function<void()>& what) {
  auto before = sandbox.server().requests().size();
  auto started = std::chrono::steady_clock::now();
  what();
  Counts c;
  c.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  auto log = sandbox.server().requests();
  for (std::size_t i = before; i < log.size(); ++i) {
    if (log[i].path.find("/oauth2/") != std::string::npos) continue;
    ++c.http;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t max_tasks = argc > 1 ? std::stoul(argv[1]) : 10000;
  std::printf(
      "| open tasks | users | first round | quiet poll | poll, 1%% completed | reconcile (HTTP / "
      "inner) | quiet poll ms |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (std::size_t n : {std::size_t(10), std::size_t(1000), std::size_t(10000)}) {
    if (n > max_tasks) continue;
    for (std::size_t u : {std::size_t(1), std::size_t(10), std::size_t(100)}) {
      if (u > n) continue;
      std::string users;
      for (std::size_t i = 0; i < u; ++i)
        users += (i ? "," : "") + std::string("user") + std::to_string(i) + "@example.com";
      GraphSandbox sandbox(disputed::sandbox::Options{{"users", users}});
      auto host = sandbox.make_host(kSecret);
      std::string error;
      auto plugin = kit::PluginUnderTest::load(MSGRAPH_PLUGIN, &error);
      if (!plugin) {
        std::fprintf(stderr, "cannot load the plugin: %s\n", error.c_str());
        return 1;
      }
      auto connector = plugin->create();
      connector->open(
          json{{"graph_base_url", sandbox.url() + "/v1.0"}, {"check_user", "user0@example.com"}}
              .dump(),
          *host);
      std::vector<sdk::OpenRef> open;
      for (std::size_t i = 0; i < n; ++i) {
        sdk::Action a;
        a.task_key = "DSP-" + std::to_string(i) + "-1";
        a.action_key = a.task_key + ":create";
        a.payload_json = json{
            {"subject", "Check"},
            {"assignee", "user" + std::to_string(i % u) + "@example.com"},
            {"deadline_at", "2026-03-30T15:00:00Z"},
            {"deadline_local_date", "2026-03-30"},
            {"time_zone", "Europe/Amsterdam"},
            {"outcomes",
             {"approved"}}}.dump();
        auto r = connector->apply(a);
        if (r.status != sdk::ApplyResult::Status::kApplied) {
          std::fprintf(stderr, "create failed: %s\n", r.message.c_str());
          return 1;
        }
        open.push_back({a.task_key, r.external_ref});
      }
      std::string cursor;
      auto poll = [&](bool reconcile) {
        auto r = connector->poll({cursor, open, reconcile});
        if (r.status != sdk::PollResult::Status::kOk)
          std::fprintf(stderr, "poll failed: %s\n", r.message.c_str());
        cursor = r.next_cursor;
      };
      // The first round reads every list from the start, max_pages_per_poll pages per poll; it
      // may take several polls (the cursor then holds nextLinks).
      int first_polls = 0;
      Counts first = measure(sandbox, [&] {
        do {
          poll(false);
          ++first_polls;
        } while (cursor.find("skiptoken") != std::string::npos && first_polls < 100);
      });
      Counts quiet = measure(sandbox, [&] { poll(false); });
      std::size_t changed = std::max<std::size_t>(1, n / 100);
      for (std::size_t i = 0; i < changed; ++i)
        sandbox.complete(open[i * (n / changed)].external_ref, "approved");
      Counts after = measure(sandbox, [&] { poll(false); });
      Counts reconcile = measure(sandbox, [&] { poll(true); });
      // Inner requests of the $batch calls: one GET per open task (each counts toward throttling).
      std::printf("| %zu | %zu | %zu (%d poll%s) | %zu | %zu | %zu / %zu | %.1f |\n", n, u,
                  first.http, first_polls, first_polls == 1 ? "" : "s", quiet.http, after.http,
                  reconcile.http, open.size(), quiet.ms);
      std::fflush(stdout);
    }
  }
  return 0;
}
