// Registers N disputes and completes their steps through the application layer (DisputeService)
// on a real SQLite file, and prints disputes/s and steps/s with the settings used.
//
//   build/bin/disputed-bench-registration [--disputes N] [--batch B] [--synchronous normal|full]
//                                         [--config FILE] [--dir DIR]
//
// --batch 1 is one transaction (one commit) per registration; --batch B groups B commands into
// one commit (each command still in its own savepoint), which is how bulk intake and the REST
// layer's group commit reach thousands per second.

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/config/engine_config.hpp"
#include "core/engine/dispute_service.hpp"
#include "core/store/migrations.hpp"
#include "core/store/store.hpp"
#include "core/workflow/loader.hpp"

using namespace disputed;

namespace {

struct Options {
  int disputes = 20000;
  int batch = 500;
  std::string synchronous = "normal";
  std::string config = std::string(DISPUTED_SOURCE_DIR) + "/configs/disputed.json";
  std::string dir = std::filesystem::temp_directory_path().string();
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--disputes")
      o.disputes = std::stoi(v);
    else if (k == "--batch")
      o.batch = std::stoi(v);
    else if (k == "--synchronous")
      o.synchronous = v;
    else if (k == "--config")
      o.config = v;
    else if (k == "--dir")
      o.dir = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  auto cfg = config::load_engine_config(o.config);
  auto defs = workflow::load_definitions(cfg);
  auto file =
      std::filesystem::path(o.dir) / ("disputed-bench-" + std::to_string(::getpid()) + ".db");
  store::DatabaseOptions db_options;
  db_options.synchronous =
      o.synchronous == "full" ? store::Synchronous::kFull : store::Synchronous::kNormal;
  int ok = 0, steps = 0;
  {
    store::Database db(file, db_options);
    store::migrate(db);
    domain::FakeClock clock(*domain::parse_instant("2026-11-23T08:00:00Z"));
    engine::DisputeService service(db, defs, clock);
    store::Store rows(db);  // reads the bench needs besides the engine's answers

    // One invoice per dispute, spread over 500 customers.
    engine::ParsedInvoices invoices;
    for (int i = 0; i < o.disputes; ++i) {
      domain::Invoice inv;
      inv.number = "INV-" + std::to_string(100000 + i);
      int c = i % 500;
      inv.customer = {"C-" + std::to_string(c), "Customer " + std::to_string(c),
                      "ap@c" + std::to_string(c) + ".example", "nl"};
      inv.amount = *domain::Decimal::parse("1250.00");
      inv.currency = "EUR";
      inv.issue_date = *domain::parse_date("2026-11-01");
      inv.due_date = *domain::parse_date("2026-12-01");
      inv.account_manager = "am" + std::to_string(c % 20) + "@example.com";
      invoices.rows.push_back({"row", inv});
    }
    if (!service.import_invoices(invoices, "bench").ok()) return 1;

    const char* categories[] = {"price", "quality", "delivery", "administrative",
                                "duplicate-invoice"};
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < o.disputes; i += o.batch) {
      service.batch([&] {
        for (int j = i; j < std::min(o.disputes, i + o.batch); ++j) {
          engine::OpenDisputeRequest r;
          r.invoices = {{"INV-" + std::to_string(100000 + j), domain::Decimal::parse("100.00")}};
          r.category = categories[j % 5];
          r.channel = domain::Channel::kEmail;
          r.description = "bench dispute";
          r.contact_email = "buyer@example.com";
          r.actor = "bench@example.com";
          if (service.open_dispute(r).ok()) ++ok;
        }
      });
    }
    double reg_s = seconds_since(start);

    // Complete the first step of every dispute with its first outcome (each opens the next step
    // or resolves the dispute).
    clock.advance(std::chrono::hours(4));
    start = std::chrono::steady_clock::now();
    for (int i = 1; i <= ok; i += o.batch) {
      service.batch([&] {
        for (int j = i; j < std::min(ok + 1, i + o.batch); ++j) {
          auto d = rows.find_dispute(j);
          auto s = rows.steps_of(j);
          const auto* wf = defs.workflow(defs.category(d->category)->workflow);
          engine::CompleteStepRequest c;
          c.dispute = std::to_string(j);
          c.step = s.back().step_key;
          c.outcome = wf->step(s.back().step_key)->outcomes.front().outcome;
          c.actor = "bench@example.com";
          if (service.complete_step(c).ok()) ++steps;
        }
      });
    }
    double step_s = seconds_since(start);

    std::printf("disputed registration benchmark\n");
    std::printf("  sqlite: WAL, synchronous=%s, file %s\n", o.synchronous.c_str(), file.c_str());
    std::printf("  commands per commit (batch): %d\n", o.batch);
    std::printf("  registrations: %d in %.3f s = %.0f disputes/s\n", ok, reg_s, ok / reg_s);
    std::printf("  step completions: %d in %.3f s = %.0f steps/s\n", steps, step_s, steps / step_s);
    std::printf("  outbox rows pending: %lld\n",
                static_cast<long long>(rows.outbox_count("pending")));
  }
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + "-wal");
  std::filesystem::remove(file.string() + "-shm");
  return ok == o.disputes ? 0 : 1;
}
