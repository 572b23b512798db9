#include "core/api/api.hpp"

#include <gmock/gmock.h>

#include "core/store/api_keys.hpp"
#include "tests/core/api/api_fixture.hpp"

namespace disputed::api {
namespace {

using ::testing::HasSubstr;
using testing_support::ApiTest;
using testing_support::json;

// ---------------------------------------------------------------- access control

TEST_F(ApiTest, HealthzNeedsNoTokenAndNamesTheSchema) {
  auto a = call("GET", "/api/v1/healthz", "", "");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body["status"], "ok");
  EXPECT_EQ(a.body["schema_version"], store::latest_schema_version());
}

TEST_F(ApiTest, EveryOtherRouteNeedsAValidToken) {
  auto none = call("GET", "/api/v1/disputes", "", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body["error"]["code"], "unauthorized");
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer realm=\"disputed\"");
  keys_["forged"] = "dsp_" + std::string(43, 'A');
  auto forged = call("GET", "/api/v1/disputes", "", "forged");
  EXPECT_EQ(forged.status, 401);
  EXPECT_THAT(forged.header("WWW-Authenticate"), HasSubstr("invalid_token"));
  keys_["jwt"] = "aaa.bbb.ccc";  // OAuth2 is not configured in this fixture
  EXPECT_EQ(call("GET", "/api/v1/disputes", "", "jwt").status, 401);
  // Without a token nobody learns which paths exist.
  EXPECT_EQ(call("GET", "/api/v1/no-such-thing", "", "").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/no-such-thing").status, 404);
  auto wrong_method = call("DELETE", "/api/v1/disputes");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("Allow"), "POST, GET");
}

TEST_F(ApiTest, RolesDecideWhatACallerMayDo) {
  std::string ref = open();
  std::string note = json{{"text", "Customer called back"}, {"channel", "phone"}}.dump();
  std::string dispute = json{{"invoices", {{{"number", "INV-2"}}}}, {"description", "x"}}.dump();
  std::string invoices =
      R"({"invoices":[{"number":"INV-9","customer_id":"C9","customer_name":"N","amount":"5.00",
                              "currency":"EUR","issue_date":"2026-11-01","due_date":"2026-12-01"}]})";
  // viewer: reads only
  EXPECT_EQ(call("GET", "/api/v1/disputes/" + ref, "", "viewer").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/reports/summary", "", "viewer").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/disputes/" + ref + "/notes", note, "viewer").status, 403);
  EXPECT_EQ(call("POST", "/api/v1/invoices", invoices, "viewer").status, 403);
  // integration: reads, notes and invoices; no dispute commands
  EXPECT_EQ(call("POST", "/api/v1/disputes/" + ref + "/notes", note, "integration").status, 201);
  EXPECT_EQ(call("POST", "/api/v1/invoices", invoices, "integration").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/disputes", dispute, "integration").status, 403);
  EXPECT_EQ(call("POST", "/api/v1/disputes/" + ref + "/resolve", R"({"resolution":"rejected"})",
                 "integration")
                .status,
            403);
  // controller: runs disputes
  EXPECT_EQ(call("POST", "/api/v1/disputes", dispute, "controller").status, 201);
  // A 403 does not tell whether the resource exists.
  auto missing =
      call("POST", "/api/v1/disputes/DSP-999999/resolve", R"({"resolution":"rejected"})", "viewer");
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.body["error"]["code"], "forbidden");
}

TEST_F(ApiTest, ARevokedKeyIsRefusedAndTheActorIsTheKeysName) {
  std::string ref = open();
  auto timeline = call("GET", "/api/v1/disputes/" + ref + "/timeline");
  EXPECT_EQ(timeline.body["items"][0]["actor"], "api-key:admin-key");
  writer_->stop();  // the writer's connection is ours again
  ASSERT_TRUE(store::ApiKeyStore(*writer_db_).revoke("viewer-key", clock_.now()));
  EXPECT_EQ(call("GET", "/api/v1/disputes", "", "viewer").status, 401);
  // last_used_at was recorded for the key that was used (at most once a minute).
  for (const auto& k : store::ApiKeyStore(*writer_db_).list())
    if (k.name == "admin-key") {
      EXPECT_TRUE(k.last_used_at.has_value());
    }
}

// ---------------------------------------------------------------- disputes

TEST_F(ApiTest, RegisterShowAndFollowADispute) {
  auto a = call(
      "POST", "/api/v1/disputes",
      R"({"invoices":[{"number":"INV-1","amount":"150.00"}],"category":"price","channel":"email",
                    "description":"List price charged","contact":{"name":"Jan","email":"jan@acme.example"}})");
  ASSERT_EQ(a.status, 201) << a.raw.body;
  EXPECT_EQ(a.header("Location"), "/api/v1/disputes/DSP-000001");
  EXPECT_EQ(a.body["disputed_amount"], "150.00");
  EXPECT_EQ(a.body["reported_by"], "api-key:admin-key");
  EXPECT_EQ(a.body["steps"][0]["status"], "open");
  EXPECT_FALSE(a.body.contains("timeline"));

  auto shown = call("GET", "/api/v1/disputes/DSP-000001");
  EXPECT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body["active_holds"][0]["invoice"], "INV-1");
  EXPECT_EQ(call("GET", "/api/v1/disputes/1").body["ref"], "DSP-000001");  // numeric id too

  auto invoice = call("GET", "/api/v1/invoices/INV-1");
  EXPECT_EQ(invoice.body["collectable"], false);
  EXPECT_EQ(invoice.body["on_hold_for"][0]["dispute"], "DSP-000001");
  EXPECT_EQ(call("GET", "/api/v1/invoices/INV-404").status, 404);

  auto note = call("POST", "/api/v1/disputes/DSP-000001/notes",
                   R"({"text":"Called Jan","channel":"phone"})");
  EXPECT_EQ(note.status, 201);
  EXPECT_EQ(note.body["kind"], "contact");
  EXPECT_EQ(note.body["direction"], "inbound");
  auto timeline = call("GET", "/api/v1/disputes/DSP-000001/timeline");
  EXPECT_EQ(timeline.body["dispute"], "DSP-000001");
  EXPECT_EQ(timeline.body["items"].back()["summary"], "Called Jan");

  auto tasks = call("GET", "/api/v1/tasks?assignee=am@example.com");
  ASSERT_EQ(tasks.body["items"].size(), 1u);
  EXPECT_EQ(tasks.body["items"][0]["dispute"], "DSP-000001");
  auto events = call("GET", "/api/v1/events?after=0&limit=10");
  EXPECT_EQ(events.body["items"][0]["kind"], "hold_placed");
  EXPECT_EQ(events.body["next_after"], events.body["items"].back()["seq"]);
  EXPECT_TRUE(
      call("GET", "/api/v1/events?after=" + std::to_string(events.body["next_after"].get<int>()))
          .body["items"]
          .empty());
}

TEST_F(ApiTest, StepsResolutionsAndReopening) {
  std::string ref = open();
  auto done = call("POST", "/api/v1/disputes/" + ref + "/steps/check/complete",
                   R"({"outcome":"customer-right","comment":"contract checked"})");
  ASSERT_EQ(done.status, 200) << done.raw.body;
  EXPECT_EQ(done.body["status"], "in_progress");
  EXPECT_EQ(done.body["steps"].back()["step"], "approve");
  auto again = call("POST", "/api/v1/disputes/" + ref + "/steps/check/complete",
                    R"({"outcome":"customer-right"})");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body["error"]["code"], "conflict");
  auto bad_outcome =
      call("POST", "/api/v1/disputes/" + ref + "/steps/approve/complete", R"({"outcome":"maybe"})");
  EXPECT_EQ(bad_outcome.status, 422);
  EXPECT_EQ(bad_outcome.body["error"]["details"][0]["field"], "outcome");

  auto resolved = call("POST", "/api/v1/disputes/" + ref + "/resolve",
                       R"({"resolution":"credit_note","note":"CN-1"})");
  EXPECT_EQ(resolved.status, 200);
  EXPECT_EQ(resolved.body["status"], "resolved");
  EXPECT_EQ(call("GET", "/api/v1/invoices/INV-1").body["collectable"], true);
  EXPECT_EQ(
      call("POST", "/api/v1/disputes/" + ref + "/resolve", R"({"resolution":"rejected"})").status,
      409);
  auto reopened =
      call("POST", "/api/v1/disputes/" + ref + "/reopen", R"({"reason":"credit note was wrong"})");
  EXPECT_EQ(reopened.status, 200);
  EXPECT_EQ(reopened.body["reopen_count"], 1);
  EXPECT_EQ(call("POST", "/api/v1/disputes/" + ref + "/withdraw", "").status,
            200);  // body optional
  auto closed = call("POST", "/api/v1/disputes/" + ref + "/close", "{}");
  EXPECT_EQ(closed.status, 200);
  EXPECT_EQ(closed.body["status"], "closed");
  EXPECT_EQ(call("POST", "/api/v1/disputes/DSP-999999/withdraw", "").status, 404);
}

TEST_F(ApiTest, ListFiltersAndPagesWithACursor) {
  open("INV-1", "100.00");
  open("INV-1", "100.00");
  open("INV-3", "10.00");
  auto page = call("GET", "/api/v1/disputes?limit=2");
  ASSERT_EQ(page.body["items"].size(), 2u);
  ASSERT_TRUE(page.body["next_cursor"].is_string());
  auto rest =
      call("GET", "/api/v1/disputes?limit=2&cursor=" + page.body["next_cursor"].get<std::string>());
  ASSERT_EQ(rest.body["items"].size(), 1u);
  EXPECT_EQ(rest.body["items"][0]["ref"], "DSP-000003");
  EXPECT_TRUE(rest.body["next_cursor"].is_null());
  EXPECT_EQ(call("GET", "/api/v1/disputes?customer=C2").body["items"].size(), 1u);
  EXPECT_EQ(call("GET", "/api/v1/disputes?invoice=INV-1&status=open").body["items"].size(), 2u);
  EXPECT_EQ(
      call("GET", "/api/v1/disputes?assignee=am@example.com&active=true").body["items"].size(), 3u);
  EXPECT_EQ(call("GET", "/api/v1/disputes?overdue=true").body["items"].size(), 0u);
  clock_.advance(std::chrono::hours(24 * 5));
  EXPECT_EQ(call("GET", "/api/v1/disputes?overdue=true").body["items"].size(), 3u);

  auto bad_status = call("GET", "/api/v1/disputes?status=sleeping");
  EXPECT_EQ(bad_status.status, 422);
  EXPECT_EQ(bad_status.body["error"]["details"][0]["field"], "status");
  EXPECT_EQ(call("GET", "/api/v1/disputes?limit=0").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/disputes?cursor=abc").status, 422);
  auto typo = call("GET", "/api/v1/disputes?stauts=open");
  EXPECT_EQ(typo.status, 422);
  EXPECT_EQ(typo.body["error"]["details"][0]["field"], "stauts");
}

// ---------------------------------------------------------------- bad input changes nothing

TEST_F(ApiTest, MalformedJsonIs400NamingThePosition) {
  auto a = call("POST", "/api/v1/disputes", "{\n  \"description\": \"x\",\n  \"invoices\": [}\n");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["error"]["code"], "malformed_request");
  EXPECT_THAT(a.body["error"]["message"].get<std::string>(), HasSubstr("line 3, column 16"));
  auto duplicate =
      call("POST", "/api/v1/disputes", R"({"description":"x","description":"y","invoices":[]})");
  EXPECT_EQ(duplicate.status, 400);
  EXPECT_EQ(duplicate.body["error"]["details"][0]["field"], "/description");
  EXPECT_TRUE(call("GET", "/api/v1/disputes").body["items"].empty());
}

TEST_F(ApiTest, WrongTypesAndUnknownFieldsAre422NamingTheField) {
  auto a = call(
      "POST", "/api/v1/disputes",
      R"({"invoices":[{"number":"INV-1","amount":150}],"description":"x","colour":"red","channel":"fax"})");
  EXPECT_EQ(a.status, 422);
  std::map<std::string, std::string> problems;
  for (const auto& d : a.body["error"]["details"]) problems[d["field"]] = d["problem"];
  EXPECT_THAT(problems["/invoices/0/amount"], HasSubstr("must be a string"));
  EXPECT_EQ(problems["/colour"], "unknown key");
  EXPECT_THAT(problems["/channel"], HasSubstr("must be one of"));
  auto amount = call("POST", "/api/v1/disputes",
                     R"({"invoices":[{"number":"INV-1","amount":"1.23456"}],"description":"x"})");
  EXPECT_EQ(amount.status, 422);
  EXPECT_EQ(amount.body["error"]["details"][0]["field"], "/invoices/0/amount");
  // Engine rules are 422 too, with the engine's field names; nothing was written.
  auto category =
      call("POST", "/api/v1/disputes",
           R"({"invoices":[{"number":"INV-1"}],"description":"x","category":"weather"})");
  EXPECT_EQ(category.status, 422);
  EXPECT_EQ(category.body["error"]["details"][0]["field"], "category");
  EXPECT_EQ(
      call("POST", "/api/v1/disputes", R"({"invoices":[{"number":"INV-404"}],"description":"x"})")
          .status,
      404);
  EXPECT_TRUE(call("GET", "/api/v1/disputes").body["items"].empty());
  EXPECT_EQ(call("GET", "/api/v1/invoices/INV-1").body["collectable"], true);
}

TEST_F(ApiTest, BodiesMustBeJsonAndNotTooLarge) {
  auto text = call("POST", "/api/v1/disputes", "description=x", "admin", "text/plain");
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(text.body["error"]["code"], "unsupported_media_type");
  EXPECT_EQ(
      call("POST", "/api/v1/disputes", R"({"invoices":[{"number":"INV-1"}],"description":"x"})",
           "admin", "application/json; charset=utf-8")
          .status,
      201);
  auto big =
      call("POST", "/api/v1/disputes", "{\"description\":\"" + std::string(70 * 1024, 'x') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.body["error"]["code"], "payload_too_large");
  EXPECT_EQ(call("POST", "/api/v1/disputes/DSP-000001/resolve", "").status,
            400);  // a body is required
}

// ---------------------------------------------------------------- invoices, reports, operations

TEST_F(ApiTest, InvoiceBatchReportsRejectedRowsAndImportsTheRest) {
  auto a = call("POST", "/api/v1/invoices", R"({"invoices":[
      {"number":"INV-10","customer_id":"C1","customer_name":"Acme BV","amount":"10.00","currency":"EUR",
       "issue_date":"2026-11-01","due_date":"2026-12-01"},
      {"number":"INV-11","customer_id":"C1","customer_name":"Acme BV","amount":"ten","currency":"EUR",
       "issue_date":"2026-11-01","due_date":"2026-12-01"}]})");
  ASSERT_EQ(a.status, 200) << a.raw.body;
  EXPECT_EQ(a.body["created"], 1);
  ASSERT_EQ(a.body["rejected"].size(), 1u);
  EXPECT_EQ(a.body["rejected"][0]["where"], "invoices[1]");
  EXPECT_EQ(a.body["rejected"][0]["problems"][0]["field"], "amount");
  EXPECT_EQ(call("GET", "/api/v1/invoices/INV-10").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/invoices/INV-11").status, 404);
  EXPECT_EQ(call("POST", "/api/v1/invoices", R"({"invoices":[]})").status, 422);
}

TEST_F(ApiTest, ReportsAsJsonAndCsvWithCheckedParameters) {
  open();
  auto summary =
      call("GET", "/api/v1/reports/summary?from=2026-11-01&to=2026-11-30&category=price");
  ASSERT_EQ(summary.status, 200);
  EXPECT_EQ(summary.body["report"], "summary");
  EXPECT_EQ(summary.body["sections"]["by_category_status"][0]["disputed_amount"], "100.00");
  auto csv = call("GET", "/api/v1/reports/sla?format=csv&section=by_assignee");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.raw.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.header("Content-Disposition"), "attachment; filename=\"sla-by_assignee.csv\"");
  EXPECT_EQ(
      csv.raw.body,
      "assignee,due,met,missed,pending,compliance,escalations\r\nam@example.com,1,0,0,1,,0\r\n");
  for (const char* report : {"ageing", "lead-times", "causes"})
    EXPECT_EQ(call("GET", std::string("/api/v1/reports/") + report).status, 200) << report;
  auto date = call("GET", "/api/v1/reports/ageing?from=2026-13-01");
  EXPECT_EQ(date.status, 422);
  EXPECT_EQ(date.body["error"]["details"][0]["field"], "from");
  EXPECT_EQ(call("GET", "/api/v1/reports/causes?category=weather").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/reports/causes?format=xml").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/reports/causes?format=csv&section=by_step").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/reports/revenue").status, 404);
}

TEST_F(ApiTest, MetricsCountRequestsByRouteTemplateAndShowTheBacklog) {
  std::string ref = open();
  call("GET", "/api/v1/disputes/" + ref);
  call("GET", "/api/v1/disputes/DSP-999999");
  clock_.advance(std::chrono::hours(24 * 5));
  auto m = call("GET", "/api/v1/metrics", "", "viewer");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.raw.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = m.raw.body;
  EXPECT_THAT(text, HasSubstr("disputed_http_requests_total{route=\"/api/v1/disputes/"
                              "{id}\",method=\"GET\",status=\"200\"} 1"));
  EXPECT_THAT(text, HasSubstr("disputed_http_requests_total{route=\"/api/v1/disputes/"
                              "{id}\",method=\"GET\",status=\"404\"} 1"));
  EXPECT_THAT(
      text,
      HasSubstr("disputed_http_request_duration_seconds_count{route=\"/api/v1/disputes\"} 1"));
  EXPECT_THAT(text, HasSubstr("disputed_open_disputes 1\n"));
  EXPECT_THAT(text, HasSubstr("disputed_overdue_steps 1\n"));
  EXPECT_THAT(text, HasSubstr("disputed_outbox_rows{state=\"pending\"} "));
  EXPECT_THAT(text, HasSubstr("le=\"+Inf\""));
}

TEST_F(ApiTest, ServesTheOpenApiDocumentAndAnswers503WhenStopping) {
  auto doc = call("GET", "/api/v1/openapi.json", "", "viewer");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body["openapi"], "3.0.3");
  EXPECT_TRUE(doc.body["paths"].contains("/disputes/{id}"));
  api_->stop_accepting();
  EXPECT_EQ(call("GET", "/api/v1/disputes").status, 503);
  auto health = call("GET", "/api/v1/healthz", "", "");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body["status"], "stopping");
}

}  // namespace
}  // namespace disputed::api

// ---------------------------------------------------------------- connectors and dead letters

namespace disputed::api::testing_support {
namespace {

class ConnectorRoutesTest : public ApiTest {};

TEST_F(ConnectorRoutesTest, ListsEveryConfiguredInstanceWithItsCounts) {
  open("INV-1");
  make_dead_letter("crm");
  auto a = call("GET", "/api/v1/connectors", "", "viewer");
  ASSERT_EQ(a.status, 200) << a.raw.body;
  ASSERT_EQ(a.body["items"].size(), 2u);
  const json& desk = a.body["items"][0];
  EXPECT_EQ(desk["name"], "support-desk");
  EXPECT_EQ(desk["plugin"], "zendesk");
  EXPECT_EQ(desk["state"], "running");
  EXPECT_EQ(desk["dead_letters"], 0);
  const json& crm = a.body["items"][1];
  EXPECT_EQ(crm["state"], "paused");
  EXPECT_EQ(crm["dead_letters"], 1);
}

TEST_F(ConnectorRoutesTest, AnAdminReplaysADeadLetterOnceAndOthersMayNot) {
  open("INV-1");
  auto id = std::to_string(make_dead_letter("crm"));
  auto listed = call("GET", "/api/v1/dead-letters?instance=crm", "", "viewer");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["items"].size(), 1u);
  EXPECT_EQ(listed.body["items"][0]["last_error"], "422 Subject is required");
  EXPECT_EQ(listed.body["items"][0]["instance"], "crm");

  EXPECT_EQ(call("POST", "/api/v1/dead-letters/" + id + "/replay", "", "controller").status, 403);
  EXPECT_EQ(call("GET", "/api/v1/dead-letters?instance=crm", "", "viewer").body["items"].size(),
            1u);  // unchanged

  auto replayed = call("POST", "/api/v1/dead-letters/" + id + "/replay", "", "admin");
  ASSERT_EQ(replayed.status, 200) << replayed.raw.body;
  EXPECT_EQ(replayed.body["state"], "pending");
  EXPECT_TRUE(call("GET", "/api/v1/dead-letters?instance=crm", "", "viewer").body["items"].empty());
  EXPECT_EQ(
      call("GET", "/api/v1/connectors", "", "viewer").body["items"][1]["pending"].get<int>() >= 1,
      true);
  EXPECT_EQ(call("POST", "/api/v1/dead-letters/" + id + "/replay", "", "admin").status,
            404);  // not dead any more
}

}  // namespace
}  // namespace disputed::api::testing_support
