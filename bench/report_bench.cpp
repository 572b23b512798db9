// Times the report queries on a database with N disputes spread over a year, as a busy AR team
// would have after some time: most first steps completed within days, most disputes resolved
// within 1-40 days (some late), the rest still open, and reminders and escalations fired.
//
//   build/bin/disputed-bench-reports [--disputes N] [--runs R] [--db FILE] [--config FILE]
//
// Seeding goes through DisputeService (in batches of 500 per commit); with --db FILE an existing
// seeded file is reused (and a new one kept there). Prints, per report, the median and the
// slowest of R runs, without filters and with a one-month period and one category.

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/config/engine_config.hpp"
#include "core/engine/dispute_service.hpp"
#include "core/reporting/reports.hpp"
#include "core/store/migrations.hpp"
#include "core/store/store.hpp"
#include "core/workflow/loader.hpp"

using namespace disputed;

namespace {

struct Options {
  int disputes = 100000;
  int runs = 5;
  std::string db;
  std::string config = std::string(DISPUTED_SOURCE_DIR) + "/configs/disputed.json";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--disputes")
      o.disputes = std::stoi(v);
    else if (k == "--runs")
      o.runs = std::stoi(v);
    else if (k == "--db")
      o.db = v;
    else if (k == "--config")
      o.config = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

const char* kCategories[] = {"price", "quality", "delivery", "administrative", "duplicate-invoice"};
const char* kDescriptions[] = {"Invoiced list price instead of the contract price",
                               "Pallet damaged on delivery, glass broken",
                               "Goods not delivered, customer never received the order",
                               "Wrong VAT number and purchase order missing",
                               "Invoice sent twice for the same delivery",
                               "Discount of 12 percent missing on line 3",
                               "Delivered quantity short, two boxes missing",
                               "Address on the invoice is wrong"};

void seed(const std::filesystem::path& file, const workflow::Definitions& defs, int n) {
  store::Database db(file);
  store::migrate(db);
  auto start = *domain::parse_instant("2025-11-24T08:00:00Z");
  domain::FakeClock clock(start);
  engine::DisputeService service(db, defs, clock);
  store::Store rows(db);  // reads the bench needs besides the engine's answers

  engine::ParsedInvoices invoices;
  for (int i = 0; i < n; ++i) {
    domain::Invoice inv;
    inv.number = "INV-" + std::to_string(1000000 + i);
    int c = i % 2000;
    inv.customer = {"C-" + std::to_string(c), "Customer " + std::to_string(c),
                    "ap@c" + std::to_string(c) + ".example", "nl"};
    inv.amount = *domain::Decimal::parse(std::to_string(100 + i % 5000) + ".00");
    inv.currency = i % 10 == 0 ? "USD" : "EUR";
    inv.issue_date = *domain::parse_date("2025-11-01");
    inv.due_date = *domain::parse_date("2025-12-01");
    inv.account_manager = "am" + std::to_string(c % 25) + "@example.com";
    invoices.rows.push_back({"row", inv});
  }
  if (!service.import_invoices(invoices, "bench").ok()) std::exit(1);

  // What happens on which day: (dispute id, action) with action 0 = complete the open step,
  // 1 = resolve.
  std::map<int, std::vector<std::pair<std::int64_t, int>>> agenda;
  std::mt19937 rng(42);
  int per_day = std::max(1, n / 365);
  int registered = 0;
  for (int day = 0; registered < n || !agenda.empty(); ++day) {
    clock.set(start + std::chrono::hours(24 * day));
    service.batch([&] {
      for (int k = 0; k < per_day && registered < n; ++k, ++registered) {
        engine::OpenDisputeRequest r;
        r.invoices = {{"INV-" + std::to_string(1000000 + registered), std::nullopt}};
        r.category = kCategories[registered % 5];
        r.channel = domain::Channel(registered % 6);
        r.description = kDescriptions[rng() % 8];
        r.actor = "clerk@example.com";
        auto v = service.open_dispute(r);
        if (!v.ok()) continue;
        auto id = v->dispute.id;
        if (rng() % 10 < 8) agenda[day + 1 + int(rng() % 4)].push_back({id, 0});
        if (rng() % 10 < 7) agenda[day + 1 + int(rng() % 40)].push_back({id, 1});
      }
    });
    auto it = agenda.find(day);
    if (it != agenda.end()) {
      service.batch([&] {
        for (auto [id, action] : it->second) {
          if (action == 0) {
            auto steps = rows.steps_of(id);
            if (steps.empty() || steps.back().status != domain::StepStatus::kOpen) continue;
            auto d = rows.find_dispute(id);
            const auto* wf = defs.workflow(defs.category(d->category)->workflow);
            engine::CompleteStepRequest c;
            c.dispute = std::to_string(id);
            c.step = steps.back().step_key;
            c.outcome = wf->step(steps.back().step_key)->outcomes.front().outcome;
            c.actor = "am@example.com";
            (void)service.complete_step(c);
          } else {
            (void)service.resolve(std::to_string(id), domain::Resolution::kCreditNote, "",
                                  "clerk@example.com");
          }
        }
      });
      agenda.erase(it);
    }
    if (day % 30 == 0) (void)service.tick();
  }
  (void)service.tick();
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  auto cfg = config::load_engine_config(o.config);
  auto defs = workflow::load_definitions(cfg);
  bool temporary = o.db.empty();
  std::filesystem::path file =
      temporary ? std::filesystem::temp_directory_path() /
                      ("disputed-report-bench-" + std::to_string(::getpid()) + ".db")
                : std::filesystem::path(o.db);
  if (!std::filesystem::exists(file)) {
    auto t = std::chrono::steady_clock::now();
    seed(file, defs, o.disputes);
    std::printf("seeded %d disputes in %.1f s into %s\n", o.disputes, ms_since(t) / 1000,
                file.c_str());
  }
  {
    store::Database db(file);
    store::migrate(db);  // a file seeded by an older build gets the current indexes
    domain::FakeClock clock(*domain::parse_instant("2026-11-23T08:00:00Z"));
    reporting::Reporter reporter(db, defs, clock);
    auto count = [&](const char* sql) {
      auto& s = db.prepare_cached(sql);
      s.step();
      auto n = s.int64(0);
      s.reset();
      return n;
    };
    std::printf("database: %lld disputes, %lld steps, %lld dossier entries, %lld outbox rows\n",
                (long long)count("SELECT COUNT(*) FROM disputes"),
                (long long)count("SELECT COUNT(*) FROM steps"),
                (long long)count("SELECT COUNT(*) FROM dossier"),
                (long long)count("SELECT COUNT(*) FROM outbox"));
    struct Case {
      const char* name;
      reporting::ReportQuery query;
    };
    std::vector<Case> cases = {{"all time, all categories", {}},
                               {"one month (2026-03), one category (price)",
                                {domain::parse_date("2026-03-01"), domain::parse_date("2026-03-31"),
                                 std::string("price")}}};
    for (const auto& c : cases) {
      std::printf("\n%s  (median / slowest of %d runs, ms)\n", c.name, o.runs);
      for (auto kind : {reporting::ReportKind::kSummary, reporting::ReportKind::kAgeing,
                        reporting::ReportKind::kLeadTimes, reporting::ReportKind::kSla,
                        reporting::ReportKind::kCauses}) {
        std::vector<double> times;
        std::size_t rows = 0;
        for (int i = 0; i < o.runs; ++i) {
          auto t = std::chrono::steady_clock::now();
          auto r = reporter.run(kind, c.query);
          auto csv = r.ok() ? reporting::to_csv(r->sections.front()) : std::string();
          times.push_back(ms_since(t));
          if (!r.ok()) {
            std::fprintf(stderr, "%s\n", r.error().describe().c_str());
            return 1;
          }
          rows = 0;
          for (const auto& s : r->sections) rows += s.rows.size();
        }
        std::sort(times.begin(), times.end());
        std::printf("  %-11s %8.1f %8.1f   (%zu rows)\n",
                    std::string(reporting::to_string(kind)).c_str(), times[times.size() / 2],
                    times.back(), rows);
      }
    }
  }
  if (temporary) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  }
  return 0;
}
