// Actions mirrored per second through the sync dispatcher into a plugin that answers at once
// (the fakesystem plugin on an in-memory SQLite database, loaded through the ABI gate), and the
// outbox lag (time from a command's commit to its action being delivered).
//
//   build/bin/disputed-bench-sync [--actions N] [--plugins DIR]

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/host/plugin_catalog.hpp"
#include "core/store/migrations.hpp"
#include "core/sync/sync_engine.hpp"
#include "tests/support/test_host.hpp"

using namespace disputed;

int main(int argc, char** argv) {
  int actions = 20000;
  std::string plugins = std::string(DISPUTED_BINARY_DIR) + "/test-plugins";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--actions")
      actions = std::stoi(argv[i + 1]);
    else if (k == "--plugins")
      plugins = argv[i + 1];
  }
  // One workflow, one step mirrored into the "bench" instance.
  workflow::Definitions defs;
  workflow::WorkflowDef wf;
  wf.id = "bench";
  wf.name = "bench";
  wf.start = "mirror";
  workflow::StepDef step;
  step.id = "mirror";
  step.title = "Mirrored step";
  step.assignee = {domain::AssigneeKind::kPerson, "agent@example.com"};
  step.target = "bench";
  step.outcomes = {{"done", "end"}};
  wf.steps = {{"mirror", step}};
  wf.ends = {{"end", {"end", domain::Resolution::kCreditNote, ""}}};
  defs.workflows = {{"bench", wf}};
  defs.categories = {{"bench", {"bench", "Bench", "", "bench", 10, {}}}};
  defs.default_category = "bench";
  defs.notifications.confirm_customer = false;
  defs.connector_instances = {"bench"};

  auto file = std::filesystem::temp_directory_path() /
              ("disputed-bench-sync-" + std::to_string(::getpid()) + ".db");
  double drain_s = 0;
  std::int64_t delivered = 0;
  double mean_lag_ms = 0;
  {
    store::Database db(file);
    store::migrate(db);
    domain::SystemClock clock;
    engine::DisputeService service(db, defs, clock);
    engine::ParsedInvoices invoices;
    for (int i = 0; i < actions; ++i) {
      domain::Invoice inv;
      inv.number = "INV-" + std::to_string(i);
      inv.customer = {"C1", "Customer", "", "en"};
      inv.amount = *domain::Decimal::parse("100");
      inv.currency = "EUR";
      inv.issue_date = inv.due_date = *domain::parse_date("2026-11-01");
      invoices.rows.push_back({"row", inv});
    }
    if (!service.import_invoices(invoices, "bench").ok()) return 1;
    for (int i = 0; i < actions; i += 500)
      service.batch([&] {
        for (int j = i; j < std::min(actions, i + 500); ++j) {
          engine::OpenDisputeRequest r;
          r.invoices = {{"INV-" + std::to_string(j), std::nullopt}};
          r.category = "bench";
          r.description = "bench";
          r.actor = "bench";
          (void)service.open_dispute(r);
        }
      });

    host::PluginCatalog catalog({plugins});
    auto plugin = catalog.load("fakesystem");
    if (!plugin) {
      std::fprintf(stderr, "%s\n", plugin.error().describe().c_str());
      return 1;
    }
    auto connector = plugin.value()->create().value();
    testing::TestHost host(clock, "bench");
    if (!connector->open(R"({"database":":memory:"})", host).ok) return 1;
    store::Database sync_db(file);
    sync::SyncEngine engine(sync_db, defs, clock);
    sync::InstanceOptions options;
    options.name = "bench";
    options.rate_per_second = 1e9;
    options.burst = 1000000;
    engine.add_instance(options, *connector);

    auto start = std::chrono::steady_clock::now();
    for (;;) {
      auto r = engine.dispatch_once("bench", 1000);
      if (r.applied + r.already_applied == 0) break;
      delivered += r.applied + r.already_applied;
    }
    drain_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Lag: commit of the registration (created_at) to delivery (done_at), whole seconds in the
    // store; here the backlog was built first, so this is the drain time of a full backlog.
    auto& s = db.prepare_cached(
        "SELECT AVG((julianday(done_at) - julianday(created_at)) * 86400000.0) FROM outbox WHERE "
        "target = 'bench'");
    s.step();
    mean_lag_ms = s.is_null(0) ? 0 : double(s.int64(0));
    s.reset();
  }
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + "-wal");
  std::filesystem::remove(file.string() + "-shm");
  std::printf("disputed sync benchmark (plugin fakesystem, in-memory, answers at once)\n");
  std::printf("  sqlite: WAL, synchronous=NORMAL; one transaction per delivered action\n");
  std::printf("  delivered: %lld actions in %.3f s = %.0f actions/s\n",
              static_cast<long long>(delivered), drain_s, delivered / drain_s);
  std::printf("  mean outbox lag with a backlog of %d: %.0f ms\n", actions, mean_lag_ms);
  return delivered == actions ? 0 : 1;
}
