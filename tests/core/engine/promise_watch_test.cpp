// The date promised to the customer is watched: an early warning and an alert at the date.

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::engine::testing_support {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> promise_keys(store::Database& db) {
  std::vector<std::string> keys;
  for (const char* state : {"pending", "undeliverable", "done"})
    for (auto& row : store::Store(db).outbox_rows(state, 1000))
      if (row.action_key.find(":promise-") != std::string::npos) keys.push_back(row.action_key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

nlohmann::json facts_of(store::Database& db, const std::string& key) {
  for (auto& row : store::Store(db).outbox_rows("pending", 1000))
    if (row.action_key == key) return nlohmann::json::parse(row.payload_json);
  return {};
}

std::vector<nlohmann::json> promise_entries(const DisputeView& v) {
  std::vector<nlohmann::json> out;
  for (const auto& e : v.dossier)
    if (e.kind == "promise_due") out.push_back(nlohmann::json::parse(e.payload_json));
  return out;
}

class PromiseWatchTest : public EngineTest {
 protected:
  void restart() { service_ = std::make_unique<DisputeService>(*db_, defs_, clock_); }
};

// Opened Mon 23 Nov 09:00, category price: 10 working days, so promised for Mon 7 Dec 17:00
// (16:00Z); one working day before is Fri 4 Dec 17:00, over the weekend.
TEST_F(PromiseWatchTest, TheControllerIsWarnedTheWorkingDayBeforeAndAlertedAtTheDateOnce) {
  defs_.notifications.promise.management = {role("sales-management")};
  restart();
  auto v = open();
  EXPECT_EQ(domain::format_instant(v.dispute.due_at), "2026-12-07T16:00:00Z");
  clock_.set(at("2026-12-04T15:59:59Z"));
  EXPECT_EQ(service_->tick()->promises, 0);
  clock_.set(at("2026-12-04T16:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 1);
  EXPECT_EQ(service_->tick()->promises, 0);
  restart();
  EXPECT_EQ(service_->tick()->promises, 0) << "fired once, also after a restart";
  // Nobody named as controller: the person who registered the dispute. Management waits for
  // the date itself.
  EXPECT_THAT(promise_keys(*db_), ElementsAre("DSP-000001:0:promise-before-2026-12-07-1"));
  auto before = facts_of(*db_, "DSP-000001:0:promise-before-2026-12-07-1");
  EXPECT_EQ(before["template"], "promise_due");
  EXPECT_EQ(before["to"], "clerk@example.com");
  EXPECT_EQ(before["stage"], "before");
  ASSERT_EQ(before["open_steps"].size(), 1u);
  EXPECT_EQ(before["open_steps"][0]["title"], "Check the price agreement");

  clock_.set(at("2026-12-07T16:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 1);
  EXPECT_EQ(service_->tick()->promises, 0);
  EXPECT_THAT(promise_keys(*db_), ElementsAre("DSP-000001:0:promise-before-2026-12-07-1",
                                              "DSP-000001:0:promise-due-2026-12-07-1",
                                              "DSP-000001:0:promise-due-2026-12-07-2"));
  auto management = facts_of(*db_, "DSP-000001:0:promise-due-2026-12-07-2");
  EXPECT_EQ(management["to"], "sales-management");
  EXPECT_EQ(management["recipients"], nlohmann::json::array({"sam@example.com"}));
  auto entries = promise_entries(service_->show(v.dispute.ref).value());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["stage"], "before");
  EXPECT_EQ(entries[1]["stage"], "due");
  EXPECT_EQ(entries[1]["alerted"],
            nlohmann::json::array({"clerk@example.com", "sales-management"}));
}

// Opened Mon 14 Dec: promised for Tue 29 Dec (Fri 25 and Sat 26 are holidays); two working days
// before is Thu 24 Dec, skipping the holidays and the weekend.
TEST_F(PromiseWatchTest, TheEarlyWarningCountsWorkingDaysPastHolidays) {
  defs_.notifications.promise.before_working_days = 2;
  defs_.notifications.promise.controller = {person("controller@example.com")};
  restart();
  clock_.set(at("2026-12-14T08:00:00Z"));
  auto v = open();
  EXPECT_EQ(domain::format_instant(v.dispute.due_at), "2026-12-29T16:00:00Z");
  clock_.set(at("2026-12-24T15:59:00Z"));
  EXPECT_EQ(service_->tick()->promises, 0);
  clock_.set(at("2026-12-24T16:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 1);
  clock_.set(at("2026-12-28T16:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 0);
  clock_.set(at("2026-12-29T16:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 1);
  EXPECT_EQ(facts_of(*db_, "DSP-000001:0:promise-due-2026-12-29-1")["to"],
            "controller@example.com");
}

TEST_F(PromiseWatchTest, AKeptPromiseAlertsNobody) {
  auto v = open();
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-wrong").ok());  // resolved: rejected
  clock_.set(at("2026-12-31T12:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 0);
  EXPECT_TRUE(promise_keys(*db_).empty());
}

TEST_F(PromiseWatchTest, AMovedPromiseIsWatchedAtItsNewDate) {
  auto v = open();
  // Something moved the promise by a week (as waiting for the customer does) without telling
  // the watch: at the old date the timer sees it and watches the new one instead.
  auto d = *store::Store(*db_).find_dispute(v.dispute.id);
  d.due_at = at("2026-12-14T16:00:00Z");
  store::Store(*db_).update_dispute(d);
  clock_.set(at("2026-12-07T16:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 0);
  clock_.set(at("2026-12-11T16:00:00Z"));  // Fri: one working day before the new date
  EXPECT_EQ(service_->tick()->promises, 1);
  clock_.set(at("2026-12-14T16:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 1);
  EXPECT_THAT(promise_keys(*db_), ElementsAre("DSP-000001:0:promise-before-2026-12-14-1",
                                              "DSP-000001:0:promise-due-2026-12-14-1"));
}

TEST_F(PromiseWatchTest, TurnedOffThereAreNoAlerts) {
  defs_.notifications.promise.enabled = false;
  restart();
  open();
  clock_.set(at("2026-12-31T12:00:00Z"));
  EXPECT_EQ(service_->tick()->promises, 0);
  EXPECT_EQ(count("promise_timers"), 0);
}

}  // namespace
}  // namespace disputed::engine::testing_support
