// The management's daily digest (notifications.digest): at digest_at, local time, one message per
// rule and recipient listing the day's new disputes; exactly once; the day before caught up after
// a stop; nothing on a day without disputes.

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::engine::testing_support {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

class DailyDigestTest : public EngineTest {
 protected:
  void SetUp() override {
    defs_.notifications.digest = {{domain::AssigneeKind::kAccountManager, ""},
                                  {domain::AssigneeKind::kRole, "credit-control-lead"}};
    defs_.notifications.digest_at = std::chrono::minutes(17 * 60);  // 17:00 Amsterdam = 16:00Z
    EngineTest::SetUp();
  }

  // The digest rows so far: action key -> payload.
  std::map<std::string, json> digests() {
    std::map<std::string, json> out;
    auto& s = db_->prepare_cached(
        "SELECT action_key, payload, dispute_id IS NULL FROM outbox WHERE action_key LIKE "
        "'digest:%' ORDER BY id");
    while (s.step()) {
      EXPECT_EQ(s.int64(2), 1) << "a digest is about no single dispute";
      out[s.text(0)] = json::parse(s.text(1));
    }
    s.reset();
    return out;
  }

  static std::vector<std::string> refs(const json& payload) {
    std::vector<std::string> out;
    for (const auto& item : payload["items"]) out.push_back(item["dispute"]);
    return out;
  }

  int tick() {
    auto r = service_->tick();
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value().digests : -1;
  }
};

TEST_F(DailyDigestTest, AtTheHourEachRecipientGetsTheDaysDisputesOnceAndNotBefore) {
  auto first = open(request({{"INV-1", std::nullopt}})).dispute.ref;
  clock_.set(at("2026-11-23T11:00:00Z"));
  auto second = open(request({{"INV-3", std::nullopt}})).dispute.ref;
  EXPECT_EQ(tick(), 0) << "before 17:00";
  EXPECT_TRUE(digests().empty());

  clock_.set(at("2026-11-23T16:00:00Z"));
  EXPECT_EQ(tick(), 2);
  auto rows = digests();
  ASSERT_EQ(rows.size(), 2u);
  const json& am = rows.at("digest:2026-11-23:1:am@example.com");
  EXPECT_EQ(am["template"], "management_digest");
  EXPECT_EQ(am["date"], "2026-11-23");
  EXPECT_EQ(am["recipients"], json::array({"am@example.com"}));
  EXPECT_THAT(refs(am), ElementsAre(first, second));
  EXPECT_EQ(am["items"][0]["customer"], "Acme BV");
  EXPECT_EQ(am["items"][0]["disputed_amount"], "1000.00");
  EXPECT_EQ(am["items"][0]["currency"], "EUR");
  const json& lead = rows.at("digest:2026-11-23:2:credit-control-lead");
  EXPECT_EQ(lead["recipients"], json::array({"lead@example.com"})) << "every member of the role";
  EXPECT_THAT(refs(lead), ElementsAre(first, second));

  // Later ticks, and a restarted engine (a new service on the same database), add nothing.
  clock_.set(at("2026-11-23T20:00:00Z"));
  EXPECT_EQ(tick(), 0);
  service_ = std::make_unique<DisputeService>(*db_, defs_, clock_);
  EXPECT_EQ(tick(), 0);
  EXPECT_EQ(digests().size(), 2u);
}

TEST_F(DailyDigestTest, ADigestMissedWhileStoppedIsSentWhenTheEngineIsBackAndAnEmptyDayIsSilent) {
  clock_.set(at("2026-11-24T09:00:00Z"));  // Tuesday
  auto tuesday = open(request({{"INV-2", std::nullopt}})).dispute.ref;
  // Stopped from Tuesday 10:00 until Wednesday 09:00 (Amsterdam 10:00): Tuesday's is caught up.
  clock_.set(at("2026-11-25T09:00:00Z"));
  EXPECT_EQ(tick(), 2);
  auto rows = digests();
  ASSERT_EQ(rows.count("digest:2026-11-24:1:am@example.com"), 1u);
  EXPECT_THAT(refs(rows.at("digest:2026-11-24:1:am@example.com")), ElementsAre(tuesday));
  // Wednesday has no disputes: nothing at 17:00.
  clock_.set(at("2026-11-25T16:30:00Z"));
  EXPECT_EQ(tick(), 0);
  EXPECT_EQ(digests().size(), 2u);
}

TEST_F(DailyDigestTest, WithoutATransportTheDigestIsRecordedUndeliverableNotLeftPending) {
  defs_.messaging.transport.clear();
  open();
  clock_.set(at("2026-11-23T16:00:00Z"));
  EXPECT_EQ(tick(), 2);
  auto& s = db_->prepare_cached(
      "SELECT state, target, last_error FROM outbox WHERE action_key LIKE 'digest:%'");
  int rows = 0;
  while (s.step()) {
    ++rows;
    EXPECT_EQ(s.text(0), "undeliverable");
    EXPECT_EQ(s.text(1), "none");
    EXPECT_THAT(s.text(2), ::testing::HasSubstr("no messaging transport for management_digest"));
  }
  s.reset();
  EXPECT_EQ(rows, 2);
}

}  // namespace
}  // namespace disputed::engine::testing_support
