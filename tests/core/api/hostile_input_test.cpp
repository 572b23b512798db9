// Requests an attacker would send (issue 13): each is refused with a clear answer naming the
// field and the limit, and the server lives on.
#include <gmock/gmock.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "core/api/api.hpp"
#include "core/store/sqlite.hpp"
#include "core/store/sync_store.hpp"
#include "tests/core/api/api_fixture.hpp"

namespace disputed::api {
namespace {

using ::testing::HasSubstr;
using testing_support::ApiTest;
using testing_support::json;

std::map<std::string, std::string> problems_of(const json& body) {
  std::map<std::string, std::string> problems;
  for (const auto& d : body["error"]["details"]) problems[d["field"]] = d["problem"];
  return problems;
}

// Finding 1: the amount's pattern ran in std::regex, which recursed once per digit; 60,000
// digits overflowed the stack and killed `disputed serve`.
TEST_F(ApiTest, AHugeAmountIsRefusedNamingItsLengthLimitAndTheServerLivesOn) {
  std::string amount(60'000, '9');
  auto a = call(
      "POST", "/api/v1/disputes",
      json{{"invoices", {{{"number", "INV-1"}, {"amount", amount + ".00"}}}}, {"description", "x"}}
          .dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(problems_of(a.body)["/invoices/0/amount"], "must be at most 24 characters long");
  // Nothing was written, and the next request is served.
  EXPECT_TRUE(call("GET", "/api/v1/disputes").body["items"].empty());
  auto ok = call("POST", "/api/v1/disputes",
                 R"({"invoices":[{"number":"INV-1","amount":"10.00"}],"description":"x"})");
  EXPECT_EQ(ok.status, 201);
}

// Finding 2: any non-viewer key could send 64 KiB of '[' and cost the server gigabytes.
TEST_F(ApiTest, DeeplyNestedBodiesAre400NamingTheDepthLimit) {
  auto a = call("POST", "/api/v1/disputes", std::string(60'000, '['));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["error"]["code"], "malformed_request");
  EXPECT_THAT(a.body["error"]["message"].get<std::string>(),
              HasSubstr("nested deeper than 64 levels at line 1, column 65"));
  EXPECT_TRUE(call("GET", "/api/v1/disputes").body["items"].empty());
}

// Finding 7: the method label came from the client, so every invented method (even on a 401)
// added a series to /metrics for good.
TEST_F(ApiTest, InventedMethodsAndPathsDoNotGrowTheMetrics) {
  for (int i = 0; i < 300; ++i) {
    call("M" + std::to_string(i), "/api/v1/disputes", "", i % 2 ? "admin" : "");
    call("GET", "/api/v1/no-such-route-" + std::to_string(i));
  }
  auto metrics = call("GET", "/api/v1/metrics");
  ASSERT_EQ(metrics.status, 200);
  std::set<std::string> methods, routes;
  std::istringstream lines(metrics.raw.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("disputed_http_requests_total{", 0) != 0) continue;
    auto value_of = [&](const std::string& label) {
      auto at = line.find(label + "=\"") + label.size() + 2;
      return line.substr(at, line.find('"', at) - at);
    };
    methods.insert(value_of("method"));
    routes.insert(value_of("route"));
  }
  EXPECT_EQ(methods, (std::set<std::string>{"GET", "other"}));
  EXPECT_LE(routes.size(), 3u);  // the disputes template, "unmatched", /metrics
}

// Finding 6: one bad byte stored from a vendor (a Zendesk error body cut at 200 bytes) made
// every answer that showed it throw: /connectors, /dead-letters and the timeline answered 500.
TEST_F(ApiTest, StoredTextThatIsNotUtf8NeverBreaksAnAnswer) {
  std::string ref = open();
  const std::string cut = "Zendesk said: Unprocessable \xE2\x82";
  const std::string shown = "Zendesk said: Unprocessable \xEF\xBF\xBD";  // one per cut sequence
  auto written = writer_->run<bool>([&](engine::Session& s) -> domain::Result<bool> {
    store::SyncStore sync(s.database());
    store::ConnectorStatusRecord status;
    status.instance = "support-desk";
    status.state = "degraded";
    status.last_error = cut;
    sync.save_status(status, clock_.now());
    engine::NoteRequest note;
    note.dispute = ref;
    note.summary = cut;
    note.actor = "agent";
    auto added = s.disputes().add_note(note);
    if (!added.ok()) return added.error();
    return true;
  });
  ASSERT_TRUE(written.ok());
  auto id = make_dead_letter("crm");
  ASSERT_TRUE(writer_
                  ->run<bool>([&](engine::Session& s) -> domain::Result<bool> {
                    store::SyncStore(s.database()).mark_dead(id, 4, cut, clock_.now());
                    return true;
                  })
                  .ok());

  auto connectors = call("GET", "/api/v1/connectors");
  ASSERT_EQ(connectors.status, 200) << connectors.raw.body;
  EXPECT_EQ(connectors.body["items"][0]["last_error"], shown);
  auto dead = call("GET", "/api/v1/dead-letters?instance=crm");
  ASSERT_EQ(dead.status, 200) << dead.raw.body;
  EXPECT_EQ(dead.body["items"][0]["last_error"], shown);
  auto timeline = call("GET", "/api/v1/disputes/" + ref + "/timeline");
  ASSERT_EQ(timeline.status, 200) << timeline.raw.body;
  EXPECT_NE(timeline.raw.body.find("Unprocessable \xEF\xBF\xBD"), std::string::npos);
}

// Finding 9: a 19-digit id overflowed std::stoll and answered 500.
TEST_F(ApiTest, AnIdTooLongToBeANumberIsNotFound) {
  for (const std::string& id : std::vector<std::string>{
           "12345678901234567890", "9223372036854775808", std::string(400, '9')}) {
    EXPECT_EQ(call("GET", "/api/v1/disputes/" + id).status, 404) << id.size();
    EXPECT_EQ(call("GET", "/api/v1/disputes/" + id + "/timeline").status, 404) << id.size();
    EXPECT_EQ(call("POST", "/api/v1/disputes/" + id + "/notes", R"({"text":"x"})").status, 404);
  }
}

// Finding 9: an integration key could lower a disputed invoice's amount below what is disputed,
// or move it to another customer, by re-importing it.
TEST_F(ApiTest, ADisputedInvoiceCannotBeShrunkBelowItsDisputeOrChangeCustomer) {
  open("INV-1", "600.00");
  auto row = [](const std::string& customer, const std::string& amount) {
    return json{{"invoices",
                 {{{"number", "INV-1"},
                   {"customer_id", customer},
                   {"customer_name", "Acme BV"},
                   {"amount", amount},
                   {"currency", "EUR"},
                   {"issue_date", "2026-11-01"},
                   {"due_date", "2026-12-01"}}}}}
        .dump();
  };
  auto lowered = call("POST", "/api/v1/invoices", row("C1", "500.00"), "integration");
  ASSERT_EQ(lowered.status, 200) << lowered.raw.body;
  ASSERT_EQ(lowered.body["rejected"].size(), 1u) << lowered.raw.body;
  EXPECT_EQ(lowered.body["rejected"][0]["problems"][0]["field"], "amount");
  EXPECT_THAT(lowered.body["rejected"][0]["problems"][0]["problem"].get<std::string>(),
              HasSubstr("600.00 EUR under dispute"));
  auto moved = call("POST", "/api/v1/invoices", row("C9", "1000.00"), "integration");
  ASSERT_EQ(moved.body["rejected"].size(), 1u) << moved.raw.body;
  EXPECT_EQ(moved.body["rejected"][0]["problems"][0]["field"], "customer_id");
  auto invoice = call("GET", "/api/v1/invoices/INV-1");
  EXPECT_EQ(invoice.body["amount"], "1000.00");
  EXPECT_EQ(invoice.body["customer"]["id"], "C1");
  // Down to exactly what is disputed is a correction, and allowed.
  EXPECT_EQ(call("POST", "/api/v1/invoices", row("C1", "600.00"), "integration").body["updated"],
            1);
}

// Finding 9: SQLite's SUM() fails past 2^63; a few large disputes broke the summary and ageing
// reports (500) for everyone.
TEST_F(ApiTest, ReportTotalsBeyondSixtyFourBitsAreExact) {
  open("INV-1", "100.00");
  open("INV-2", "100.00");
  {
    store::Database db(dir_ / "api.db");  // as a huge history would leave it
    db.exec("UPDATE disputes SET disputed_units = 6000000000000000000");
  }
  auto summary = call("GET", "/api/v1/reports/summary");
  ASSERT_EQ(summary.status, 200) << summary.raw.body;
  EXPECT_NE(summary.raw.body.find("\"1200000000000000.00\""), std::string::npos)
      << summary.raw.body;
  auto ageing = call("GET", "/api/v1/reports/ageing");
  ASSERT_EQ(ageing.status, 200) << ageing.raw.body;
  EXPECT_NE(ageing.raw.body.find("\"1200000000000000.00\""), std::string::npos) << ageing.raw.body;
  auto csv = call("GET", "/api/v1/reports/summary?format=csv");
  EXPECT_EQ(csv.status, 200);
}

// Finding 9: /tasks and a dispute's timeline answered everything at once, however large.
TEST_F(ApiTest, TimelinesAndTasksComeInBoundedPages) {
  std::string ref = open();
  for (int i = 0; i < 7; ++i)
    ASSERT_EQ(call("POST", "/api/v1/disputes/" + ref + "/notes",
                   json{{"text", "call " + std::to_string(i)}}.dump())
                  .status,
              201);
  const int total = int(call("GET", "/api/v1/disputes/" + ref + "/timeline").body["items"].size());
  ASSERT_GT(total, 7);
  std::vector<std::int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto a = call("GET", "/api/v1/disputes/" + ref + "/timeline?limit=3" +
                             (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(a.status, 200) << a.raw.body;
    EXPECT_LE(a.body["items"].size(), 3u);
    for (const auto& e : a.body["items"]) seen.push_back(e["id"].get<std::int64_t>());
    if (a.body["next_cursor"].is_null()) break;
    cursor = a.body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(int(seen.size()), total);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(call("GET", "/api/v1/disputes/" + ref + "/timeline?limit=100000").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/disputes/" + ref + "/timeline?cursor=x").status, 422);

  open("INV-2", "10.00");
  open("INV-3", "10.00");
  auto all = call("GET", "/api/v1/tasks");
  ASSERT_EQ(all.status, 200) << all.raw.body;
  const auto tasks = all.body["items"].size();
  ASSERT_GE(tasks, 2u);
  auto first = call("GET", "/api/v1/tasks?limit=1");
  ASSERT_EQ(first.body["items"].size(), 1u);
  ASSERT_TRUE(first.body["next_cursor"].is_string());
  auto second =
      call("GET", "/api/v1/tasks?limit=1&cursor=" + first.body["next_cursor"].get<std::string>());
  ASSERT_EQ(second.body["items"].size(), 1u);
  EXPECT_NE(second.body["items"][0]["id"], first.body["items"][0]["id"]);
  EXPECT_EQ(call("GET", "/api/v1/tasks?limit=0").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/tasks?limit=5000").status, 422);
}

}  // namespace
}  // namespace disputed::api
