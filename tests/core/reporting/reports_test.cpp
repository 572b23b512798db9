#include "core/reporting/reports.hpp"

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::reporting {
namespace {

using engine::testing_support::at;
using nlohmann::json;

// Three disputes registered on Monday 2026-11-23 08:00 UTC; a day later one is resolved and one
// step completed; thirty days later another is resolved late. The third stays open.
class ReportsTest : public engine::testing_support::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    auto r1 = request({{"INV-1", domain::Decimal::parse("100.00")}});
    r1.description = "Discount not applied on the price";
    d1_ = open(r1).dispute.ref;
    auto r2 = request({{"INV-2", std::nullopt}});
    r2.category = "general";
    r2.description = "Pallet damaged, price wrong";
    d2_ = open(r2).dispute.ref;
    auto r3 = request({{"INV-3", std::nullopt}});
    r3.description = "Discount missing";
    d3_ = open(r3).dispute.ref;

    clock_.set(at("2026-11-24T08:00:00Z"));
    ASSERT_TRUE(complete(d3_, "check", "customer-right").ok());
    ASSERT_TRUE(
        service_->resolve(d1_, domain::Resolution::kCreditNote, "", "clerk@example.com").ok());
    clock_.set(at("2026-12-23T08:00:00Z"));
    ASSERT_TRUE(
        service_->resolve(d2_, domain::Resolution::kRejected, "", "clerk@example.com").ok());
  }

  json run(ReportKind kind, ReportQuery q = {}) {
    Reporter reporter(*db_, defs_, clock_);
    auto r = reporter.run(kind, q);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
    return r.ok() ? to_json(r.value()) : json();
  }

  std::string d1_, d2_, d3_;
};

TEST_F(ReportsTest, SummaryCountsDisputesAndAmountsPerCategoryStatusAndCurrency) {
  json j = run(ReportKind::kSummary);
  EXPECT_EQ(j["report"], "summary");
  EXPECT_EQ(j["time_zone"], "Europe/Amsterdam");
  EXPECT_EQ(j["generated_at"], "2026-12-23T08:00:00Z");
  EXPECT_EQ(j["sections"]["by_category_status"], json::parse(R"([
              {"category":"general","status":"resolved","currency":"EUR","disputes":1,"disputed_amount":"250.00"},
              {"category":"price","status":"in_progress","currency":"EUR","disputes":1,"disputed_amount":"99.99"},
              {"category":"price","status":"resolved","currency":"EUR","disputes":1,"disputed_amount":"100.00"}])"));
}

TEST_F(ReportsTest, AgeingPutsOpenDisputesInBucketsAndListsEveryBucket) {
  json rows = run(ReportKind::kAgeing)["sections"]["by_category"];
  ASSERT_EQ(rows.size(), 5u);  // only d3 (price, EUR) is open: one grid row per bucket
  std::vector<std::string> buckets;
  for (const auto& row : rows) {
    buckets.push_back(row["bucket"]);
    EXPECT_EQ(row["category"], "price");
    EXPECT_EQ(row["disputes"], row["bucket"] == "15-30" ? 1 : 0);  // 30 days old
  }
  EXPECT_THAT(buckets, ::testing::ElementsAre("0-7", "8-14", "15-30", "31-60", "61+"));
  clock_.advance(std::chrono::hours(24));  // 31 days
  EXPECT_EQ(run(ReportKind::kAgeing)["sections"]["by_category"][3]["disputes"], 1);
}

TEST_F(ReportsTest, LeadTimesInDaysAndWorkingDaysPerCategoryAndStep) {
  json j = run(ReportKind::kLeadTimes);
  EXPECT_EQ(j["sections"]["by_category"], json::parse(R"([
    {"category":"general","sla_working_days":15,"resolved":1,"median_days":30.0,"p90_days":30.0,
     "median_working_days":22.0,"p90_working_days":22.0},
    {"category":"price","sla_working_days":10,"resolved":1,"median_days":1.0,"p90_days":1.0,
     "median_working_days":1.0,"p90_working_days":1.0}])"));
  // Cancelled steps (of resolved disputes) are not durations; d3's check took a day.
  EXPECT_EQ(j["sections"]["by_step"], json::parse(R"([
    {"category":"price","step":"check","completed":1,"median_days":1.0,"p90_days":1.0,
     "median_working_days":1.0,"p90_working_days":1.0}])"));
}

TEST_F(ReportsTest, SlaCountsMetMissedAndPendingByDueDate) {
  json s = run(ReportKind::kSla)["sections"];
  EXPECT_EQ(s["by_category"], json::parse(R"([
    {"category":"general","sla_working_days":15,"due":1,"met":0,"missed":1,"pending":0,"compliance":0.0,"escalations":0},
    {"category":"price","sla_working_days":10,"due":2,"met":1,"missed":1,"pending":0,"compliance":0.5,"escalations":0}])"));
  EXPECT_EQ(s["by_step"], json::parse(R"([
    {"category":"price","step":"approve","due":1,"met":0,"missed":1,"pending":0,"compliance":0.0,"escalations":0},
    {"category":"price","step":"check","due":1,"met":1,"missed":0,"pending":0,"compliance":1.0,"escalations":0}])"));
  EXPECT_EQ(s["by_assignee"], json::parse(R"([
    {"assignee":"am@example.com","due":1,"met":1,"missed":0,"pending":0,"compliance":1.0,"escalations":0},
    {"assignee":"sales-management","due":1,"met":0,"missed":1,"pending":0,"compliance":0.0,"escalations":0}])"));
}

TEST_F(ReportsTest, SlaCountsEscalationsAndPendingSteps) {
  auto r = request({{"INV-1", std::nullopt}});
  std::string d4 = open(r).dispute.ref;  // check step due in 2 working days, escalation 1 day later
  json pending = run(ReportKind::kSla,
                     {std::nullopt, std::nullopt, std::string("price")})["sections"]["by_step"];
  EXPECT_EQ(pending[1]["step"], "check");
  EXPECT_EQ(pending[1]["pending"], 1);
  clock_.advance(std::chrono::hours(24 * 7));
  ASSERT_TRUE(service_->tick().ok());
  json s = run(ReportKind::kSla)["sections"];
  EXPECT_EQ(s["by_step"][1]["escalations"], 1);
  EXPECT_EQ(s["by_step"][1]["missed"], 1);
  EXPECT_EQ(s["by_category"][1]["escalations"], 1);
}

TEST_F(ReportsTest, CausesRankCategoriesResolutionsAndDescriptionWords) {
  json s = run(ReportKind::kCauses)["sections"];
  EXPECT_EQ(s["by_category"], json::parse(R"([
    {"category":"price","disputes":2,"share":0.67},{"category":"general","disputes":1,"share":0.33}])"));
  EXPECT_EQ(s["by_resolution"], json::parse(R"([
    {"category":"general","resolution":"rejected","disputes":1,"share":1.0},
    {"category":"price","resolution":"credit_note","disputes":1,"share":1.0}])"));
  EXPECT_EQ(s["top_words"], json::parse(R"([
    {"word":"discount","disputes":2},{"word":"price","disputes":2},{"word":"applied","disputes":1},
    {"word":"damaged","disputes":1},{"word":"missing","disputes":1},{"word":"pallet","disputes":1},
    {"word":"wrong","disputes":1}])"));
}

TEST_F(ReportsTest, PeriodAndCategoryFilterTheRows) {
  ReportQuery later{domain::parse_date("2026-11-24"), std::nullopt, std::nullopt};
  EXPECT_TRUE(run(ReportKind::kSummary, later)["sections"]["by_category_status"].empty());
  ReportQuery monday{domain::parse_date("2026-11-23"), domain::parse_date("2026-11-23"),
                     std::string("general")};
  json j = run(ReportKind::kSummary, monday);
  EXPECT_EQ(j["filters"],
            json::parse(R"({"from":"2026-11-23","to":"2026-11-23","category":"general"})"));
  ASSERT_EQ(j["sections"]["by_category_status"].size(), 1u);
  // Lead times filter on the resolution date: only d1 was resolved on the 24th.
  ReportQuery tuesday{domain::parse_date("2026-11-24"), domain::parse_date("2026-11-24"),
                      std::nullopt};
  json lead = run(ReportKind::kLeadTimes, tuesday)["sections"]["by_category"];
  ASSERT_EQ(lead.size(), 1u);
  EXPECT_EQ(lead[0]["category"], "price");
}

TEST_F(ReportsTest, BadQueriesAreErrorsNamingTheParameter) {
  Reporter reporter(*db_, defs_, clock_);
  auto unknown =
      reporter.run(ReportKind::kSla, {std::nullopt, std::nullopt, std::string("weather")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, domain::ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().details.at(0).field, "category");
  auto backwards = reporter.run(
      ReportKind::kSummary,
      {domain::parse_date("2026-12-01"), domain::parse_date("2026-11-01"), std::nullopt});
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().details.at(0).field, "to");
}

TEST(ReportCsv, QuotesWhatNeedsQuotingAndLeavesNullEmpty) {
  Table t{"t",
          {"word", "n", "share"},
          {{std::string("a,b"), std::int64_t(2), nullptr},
           {std::string("say \"hi\""), std::int64_t(0), 0.5}}};
  EXPECT_EQ(to_csv(t), "word,n,share\r\n\"a,b\",2,\r\n\"say \"\"hi\"\"\",0,0.5\r\n");
}

// Issue 13, finding 9: a cell a spreadsheet would run as a formula is written as text.
TEST(ReportCsv, CellsThatWouldRunAsFormulasStartWithAnApostrophe) {
  Table t{"t",
          {"word", "n"},
          {{std::string("=HYPERLINK(\"http://x\")"), std::int64_t(1)},
           {std::string("+1"), std::int64_t(-2)},
           {std::string("-x"), std::int64_t(3)},
           {std::string("@SUM(A1)"), std::int64_t(4)},
           {std::string("\tcmd"), std::int64_t(5)},
           {std::string("plain"), std::int64_t(6)}}};
  EXPECT_EQ(to_csv(t),
            "word,n\r\n\"'=HYPERLINK(\"\"http://x\"\")\",1\r\n'+1,-2\r\n'-x,3\r\n'@SUM(A1),4\r\n"
            "'\tcmd,5\r\nplain,6\r\n");
}

TEST(ReportPercentile, IsNearestRank) {
  std::vector<double> v = {5, 1, 4, 2, 3, 6, 7, 8, 9, 10};
  EXPECT_EQ(percentile(v, 0.5), 5.0);
  EXPECT_EQ(percentile(v, 0.9), 9.0);
  std::vector<double> one = {3};
  EXPECT_EQ(percentile(one, 0.9), 3.0);
  std::vector<double> none;
  EXPECT_EQ(percentile(none, 0.5), std::nullopt);
}

TEST(ReportKinds, NamesRoundTrip) {
  for (auto kind : {ReportKind::kSummary, ReportKind::kAgeing, ReportKind::kLeadTimes,
                    ReportKind::kSla, ReportKind::kCauses}) {
    EXPECT_EQ(parse_report_kind(to_string(kind)), kind);
    EXPECT_FALSE(section_names(kind).empty());
  }
  EXPECT_EQ(parse_report_kind("revenue"), std::nullopt);
}

}  // namespace
}  // namespace disputed::reporting
