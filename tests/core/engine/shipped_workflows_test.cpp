// Drives a dispute through every shipped category's workflow (configs/), along the first and the
// last outcome of each step, with the fake clock: every path must end resolved with its end's
// resolution and dunning resumed.

#include <gmock/gmock.h>

#include "core/config/engine_config.hpp"
#include "core/engine/dispute_service.hpp"
#include "core/store/migrations.hpp"
#include "core/workflow/loader.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::engine {
namespace {

class ShippedWorkflows : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto cfg = config::load_engine_config(std::filesystem::path(DISPUTED_SOURCE_DIR) / "configs" /
                                          "disputed.json");
    defs_ = workflow::load_definitions(cfg);
    db_ = std::make_unique<store::Database>(dir_ / "shipped.db");
    store::migrate(*db_);
    service_ = std::make_unique<DisputeService>(*db_, defs_, clock_);
    ParsedInvoices parsed;
    domain::Invoice inv;
    inv.customer = {"C-100", "Bakkerij de Vries", "admin@devries.example", "nl"};
    inv.amount = *domain::Decimal::parse("1210.00");
    inv.currency = "EUR";
    inv.issue_date = *domain::parse_date("2026-11-02");
    inv.due_date = *domain::parse_date("2026-12-02");
    inv.account_manager = "account.manager@example.com";
    for (int i = 1; i <= 4; ++i) {
      inv.number = "INV-" + std::to_string(i);
      parsed.rows.push_back({"row", inv});
    }
    ASSERT_TRUE(service_->import_invoices(parsed, "test").ok());
  }

  /// Walks the workflow choosing `pick(step)`'s outcome each time; returns the final view.
  DisputeView walk(const std::string& invoice, bool first_outcome) {
    OpenDisputeRequest req;
    req.invoices = {{invoice, std::nullopt}};
    req.category = GetParam();
    req.channel = domain::Channel::kEmail;
    req.description = "dispute for " + GetParam();
    req.actor = "clerk@example.com";
    auto v = service_->open_dispute(req);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().describe());
    DisputeView view = v.value();
    const auto& wf = *defs_.workflow(defs_.category(GetParam())->workflow);
    for (int guard = 0; guard < 20 && domain::holds_invoices(view.dispute.status); ++guard) {
      const auto& open = view.steps.back();
      EXPECT_EQ(open.status, domain::StepStatus::kOpen);
      const auto* def = wf.step(open.step_key);
      EXPECT_NE(def, nullptr);
      clock_.advance(std::chrono::hours(20));
      CompleteStepRequest c;
      c.dispute = view.dispute.ref;
      c.step = open.step_key;
      c.outcome = first_outcome ? def->outcomes.front().outcome : def->outcomes.back().outcome;
      c.actor = "worker@example.com";
      auto r = service_->complete_step(c);
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
      if (!r.ok()) break;
      view = r.value();
      // Reminders and escalations of whatever is open now must fire without error.
      EXPECT_TRUE(service_->tick().ok());
    }
    return view;
  }

  testing::TempDir dir_;
  workflow::Definitions defs_;
  domain::FakeClock clock_{*domain::parse_instant("2026-11-23T08:00:00Z")};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<DisputeService> service_;
};

TEST_P(ShippedWorkflows, EveryPathEndsResolvedAndResumesDunning) {
  const auto& wf = *defs_.workflow(defs_.category(GetParam())->workflow);
  int n = 0;
  for (bool first : {true, false}) {
    std::string invoice = "INV-" + std::to_string(++n);
    DisputeView v = walk(invoice, first);
    EXPECT_EQ(v.dispute.status, domain::DisputeStatus::kResolved) << GetParam();
    ASSERT_TRUE(v.dispute.resolution);
    // The resolution is one of this workflow's ends.
    bool known = false;
    for (const auto& [id, end] : wf.ends) known = known || end.resolution == *v.dispute.resolution;
    EXPECT_TRUE(known);
    auto st = service_->invoice_state(invoice);
    EXPECT_TRUE(st->collectable);
    ASSERT_FALSE(st->history.empty());
    EXPECT_EQ(st->history.back().new_due_date,
              st->invoice.invoice.due_date);  // moved by the policy
  }
}

INSTANTIATE_TEST_SUITE_P(Categories, ShippedWorkflows,
                         ::testing::Values("price", "quality", "delivery", "administrative",
                                           "duplicate-invoice", "general"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace disputed::engine
