// The server answers what docs/api/openapi.yaml says: every operation is called through the real
// listener (loopback), and every answer — successes and errors — must be a status the contract
// lists for that operation, with a body that validates against the listed schema.

#include <gmock/gmock.h>

#include <set>

#include "core/api/http_server.hpp"
#include "core/api/openapi.hpp"
#include "core/web/passwords.hpp"
#include "core/web/web_app.hpp"
#include "tests/core/api/api_fixture.hpp"
#include "tests/support/http_call.hpp"

namespace disputed::api {
namespace {

using testing_support::json;

class ServedApiTest : public testing_support::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    // The web app's routes (/session, /sign-in-options) are part of the same contract.
    web_ = std::make_unique<web::WebApp>(*api_, *writer_, *readers_, clock_, clock_,
                                         web::WebSettings{}, [](const std::string&) {});
    init_http_threads(4);
    // The listener cannot report the port it got for 0: pick a free one, retry on a clash.
    for (int attempt = 0; attempt < 5 && !server_; ++attempt) {
      port_ = pick_free_port();
      auto s = std::make_unique<HttpServer>("127.0.0.1", port_, *api_);
      try {
        s->start();
        server_ = std::move(s);
      } catch (const std::runtime_error&) {
      }
    }
    ASSERT_TRUE(server_) << "no free port";
  }
  void TearDown() override {
    if (server_) server_->stop(std::chrono::seconds(5));
    ApiTest::TearDown();
  }

  testing::HttpAnswer send(const std::string& method, const std::string& target,
                           const std::string& body = "", const std::string& role = "admin",
                           const std::string& content_type = "application/json",
                           std::map<std::string, std::string> headers = {}) {
    if (!role.empty()) headers["Authorization"] = "Bearer " + keys_.at(role);
    if (!body.empty() && !content_type.empty()) headers["Content-Type"] = content_type;
    return testing::http_call(port_, method, target, headers, body);
  }

  int port_ = 0;
  std::unique_ptr<web::WebApp> web_;
  std::unique_ptr<HttpServer> server_;
};

struct Exchange {
  std::string method;
  std::string target;         // what is sent, under /api/v1
  std::string path_template;  // the OpenAPI path it exercises
  std::string body;
  std::string role = "admin";
  int expected = 200;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers = {};
};

TEST_F(ServedApiTest, EveryAnswerOfEveryRouteMatchesTheContract) {
  std::string invoice_row =
      R"({"number":"INV-20","customer_id":"C1","customer_name":"Acme BV","amount":"20.00",
                                "currency":"EUR","issue_date":"2026-11-01","due_date":"2026-12-01"})";
  std::vector<Exchange> exchanges = {
      {"GET", "/healthz", "/healthz", "", "", 200},
      {"GET", "/openapi.json", "/openapi.json", "", "viewer", 200},
      {"GET", "/openapi.json", "/openapi.json", "", "", 401},
      {"POST", "/invoices", "/invoices",
       R"({"invoices":[)" + invoice_row + R"(,{"number":"INV-21"}]})", "integration", 200},
      {"POST", "/invoices", "/invoices", R"({"invoices":)", "admin", 400},
      {"POST", "/invoices", "/invoices", R"({"invoices":[]})", "viewer", 403},
      {"POST", "/invoices", "/invoices", "number,amount", "admin", 415, "text/csv"},
      {"POST", "/invoices", "/invoices", R"({"rows":[]})", "admin", 422},
      {"GET", "/invoices/INV-1", "/invoices/{number}", "", "viewer", 200},
      {"GET", "/invoices/INV-404", "/invoices/{number}", "", "viewer", 404},
      {"POST", "/disputes", "/disputes",
       R"({"invoices":[{"number":"INV-1","amount":"100.00"}],"category":"price","channel":"phone",
           "description":"Contract price not applied","contact":{"name":"Jan","email":"jan@acme.example","phone":"+31"}})",
       "controller", 201},
      {"POST", "/disputes", "/disputes",
       R"({"invoices":[{"number":"INV-2"}],"description":"Price wrong"})", "admin", 201},
      {"POST", "/disputes", "/disputes", R"({"invoices":[{"number":"INV-404"}],"description":"x"})",
       "admin", 404},
      {"POST", "/disputes", "/disputes",
       R"({"invoices":[{"number":"INV-1","amount":1}],"description":"x"})", "admin", 422},
      {"POST", "/disputes", "/disputes", R"({"description":"x", "invoices": [}])", "admin", 400},
      {"POST", "/disputes", "/disputes", "{}", "viewer", 403},
      {"POST", "/disputes", "/disputes", "{}", "admin", 415, "text/plain"},
      {"GET", "/disputes?status=open&limit=1", "/disputes", "", "viewer", 200},
      {"GET", "/disputes?status=nope", "/disputes", "", "viewer", 422},
      {"GET", "/disputes", "/disputes", "", "", 401},
      {"GET", "/disputes/DSP-000001", "/disputes/{id}", "", "viewer", 200},
      {"GET", "/disputes/DSP-999999", "/disputes/{id}", "", "viewer", 404},
      {"GET", "/disputes/DSP-000001/timeline", "/disputes/{id}/timeline", "", "viewer", 200},
      {"GET", "/disputes/DSP-999999/timeline", "/disputes/{id}/timeline", "", "viewer", 404},
      {"POST", "/disputes/DSP-000001/notes", "/disputes/{id}/notes",
       R"({"text":"Called Jan","channel":"phone"})", "integration", 201},
      {"POST", "/disputes/DSP-000001/notes", "/disputes/{id}/notes", R"({"text":""})",
       "integration", 422},
      {"POST", "/disputes/DSP-999999/notes", "/disputes/{id}/notes", R"({"text":"x"})",
       "integration", 404},
      {"POST", "/disputes/DSP-000001/steps/check/complete", "/disputes/{id}/steps/{step}/complete",
       R"({"outcome":"customer-right","comment":"ok"})", "controller", 200},
      {"POST", "/disputes/DSP-000001/steps/check/complete", "/disputes/{id}/steps/{step}/complete",
       R"({"outcome":"customer-right"})", "controller", 409},
      {"POST", "/disputes/DSP-000001/steps/approve/complete",
       "/disputes/{id}/steps/{step}/complete", R"({"result":"yes"})", "controller", 422},
      {"POST", "/disputes/DSP-000001/resolve", "/disputes/{id}/resolve",
       R"({"resolution":"credit_note","note":"CN-7"})", "controller", 200},
      {"POST", "/disputes/DSP-000001/resolve", "/disputes/{id}/resolve",
       R"({"resolution":"rejected"})", "controller", 409},
      {"POST", "/disputes/DSP-000001/resolve", "/disputes/{id}/resolve",
       R"({"resolution":"withdrawn"})", "controller", 422},
      {"POST", "/disputes/DSP-000001/reopen", "/disputes/{id}/reopen",
       R"({"reason":"wrong credit note"})", "controller", 200},
      {"POST", "/disputes/DSP-000001/reopen", "/disputes/{id}/reopen", R"({"reason":"again"})",
       "controller", 409},
      {"POST", "/disputes/DSP-000001/withdraw", "/disputes/{id}/withdraw",
       R"({"note":"customer paid"})", "controller", 200},
      {"POST", "/disputes/DSP-000001/withdraw", "/disputes/{id}/withdraw", "", "controller", 409},
      {"POST", "/disputes/DSP-000001/close", "/disputes/{id}/close", "", "controller", 200},
      {"POST", "/disputes/DSP-000002/close", "/disputes/{id}/close", "", "controller", 409},
      {"POST", "/disputes/DSP-000002/close", "/disputes/{id}/close", R"({"force":true})",
       "controller", 422},
      {"GET", "/tasks?assignee=am@example.com", "/tasks", "", "viewer", 200},
      {"GET", "/tasks", "/tasks", "", "viewer", 200},
      {"GET", "/events?after=0&limit=50", "/events", "", "integration", 200},
      {"GET", "/events?limit=5000", "/events", "", "integration", 422},
      {"GET", "/metrics", "/metrics", "", "viewer", 200},
      {"GET", "/metrics", "/metrics", "", "", 401},
  };
  for (const char* report : {"summary", "ageing", "lead-times", "sla", "causes"}) {
    std::string path = std::string("/reports/") + report;
    exchanges.push_back({"GET", path + "?from=2026-11-01&to=2026-12-31", path, "", "viewer", 200});
    exchanges.push_back({"GET", path + "?format=csv", path, "", "viewer", 200});
    exchanges.push_back({"GET", path + "?category=weather", path, "", "viewer", 422});
  }
  // Too large for the 64 KiB limit of the fixture: refused by Content-Length before reading.
  exchanges.push_back({"POST", "/disputes", "/disputes",
                       "{\"description\":\"" + std::string(80 * 1024, 'x') + "\"}", "admin", 413});

  const OpenApi& contract = OpenApi::instance();
  std::set<std::pair<std::string, std::string>> exercised;
  std::set<int> statuses;
  auto check = [&](const Exchange& x) {
    SCOPED_TRACE(x.method + " " + x.target + " (" + x.role + ")");
    auto answer = send(x.method, std::string(Api::kBasePath) + x.target, x.body, x.role,
                       x.content_type, x.headers);
    EXPECT_EQ(answer.status, x.expected) << answer.body;
    std::string media_type =
        answer.header("content-type").substr(0, answer.header("content-type").find(';'));
    auto schema = contract.response_schema(x.path_template, x.method, answer.status, media_type);
    if (!schema) {
      ADD_FAILURE() << "the contract lists no " << answer.status << " " << media_type << " answer";
      return;
    }
    if (media_type == "application/json") {
      json body = json::parse(answer.body, nullptr, false);
      if (body.is_discarded()) {
        ADD_FAILURE() << "not JSON: " << answer.body;
        return;
      }
      config::JsonSchema validator(*schema, "response");
      auto problems = validator.problems(body);
      for (const auto& p : problems)
        ADD_FAILURE() << "response " << p.field << ": " << p.problem << "\n" << answer.body;
    }
    if (answer.status == 401) {
      EXPECT_FALSE(answer.header("www-authenticate").empty());
    }
    exercised.insert({x.path_template, x.method});
    statuses.insert(answer.status);
  };
  for (const auto& x : exchanges) check(x);

  // Connector operations, with a dead letter made the way the dispatcher makes one.
  std::string dead = std::to_string(make_dead_letter("crm"));
  for (const Exchange& x : std::vector<Exchange>{
           {"GET", "/connectors", "/connectors", "", "viewer", 200},
           {"GET", "/connectors", "/connectors", "", "", 401},
           {"GET", "/dead-letters?instance=crm", "/dead-letters", "", "viewer", 200},
           {"GET", "/dead-letters?limit=0", "/dead-letters", "", "viewer", 422},
           {"POST", "/dead-letters/" + dead + "/replay", "/dead-letters/{id}/replay", "",
            "controller", 403},
           {"POST", "/dead-letters/999999/replay", "/dead-letters/{id}/replay", "", "admin", 404},
           {"POST", "/dead-letters/" + dead + "/replay", "/dead-letters/{id}/replay", "", "admin",
            200},
       })
    check(x);

  // Lookups and API keys.
  for (const Exchange& x : std::vector<Exchange>{
           {"GET", "/invoices?q=INV-&limit=5", "/invoices", "", "viewer", 200},
           {"GET", "/invoices?q=Acme", "/invoices", "", "viewer", 200},
           {"GET", "/invoices", "/invoices", "", "viewer", 422},
           {"GET", "/invoices?q=x", "/invoices", "", "", 401},
           {"GET", "/categories", "/categories", "", "viewer", 200},
           {"GET", "/categories/suggestion?text=the%20price%20is%20wrong", "/categories/suggestion",
            "", "viewer", 200},
           {"GET", "/categories/suggestion?text=" + std::string(5000, 'a'),
            "/categories/suggestion", "", "viewer", 422},
           {"GET", "/disputes?q=Acme&order=newest&count=true&channel=phone&from=2026-11-01",
            "/disputes", "", "viewer", 200},
           {"GET", "/disputes?order=sideways", "/disputes", "", "viewer", 422},
           {"GET", "/api-keys", "/api-keys", "", "admin", 200},
           {"GET", "/api-keys", "/api-keys", "", "controller", 403},
           {"POST", "/api-keys", "/api-keys", R"({"name":"portal","role":"integration"})", "admin",
            201},
           {"POST", "/api-keys", "/api-keys", R"({"name":"portal","role":"viewer"})", "admin", 409},
           {"POST", "/api-keys", "/api-keys", R"({"name":"portal"})", "admin", 422},
           {"POST", "/api-keys", "/api-keys", R"({"name":)", "admin", 400},
           {"DELETE", "/api-keys/portal", "/api-keys/{name}", "", "admin", 200},
           {"DELETE", "/api-keys/portal", "/api-keys/{name}", "", "admin", 404},
           {"DELETE", "/api-keys/portal", "/api-keys/{name}", "", "viewer", 403},
       })
    check(x);

  // Signing in with a local account, the browser session, signing out.
  auto hash = web::hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  ASSERT_TRUE(writer_
                  ->run<bool>([&](engine::Session& s) -> domain::Result<bool> {
                    store::WebUserRecord u{
                        "anna@example.com", "Anna", "controller", hash.value(), clock_.now(),
                        clock_.now(),       {}};
                    return s.accounts().add_user(u);
                  })
                  .ok());
  std::map<std::string, std::string> sign_in_headers = {{"X-CSRF-Token", "sign-in"}};
  std::string credentials =
      R"({"email":"anna@example.com","password":"correct horse battery staple"})";
  auto signed_in =
      send("POST", "/api/v1/session", credentials, "", "application/json", sign_in_headers);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  std::string set_cookie = signed_in.header("set-cookie");
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  std::string csrf = json::parse(signed_in.body)["csrf_token"];
  for (const Exchange& x : std::vector<Exchange>{
           {"GET", "/sign-in-options", "/sign-in-options", "", "", 200},
           {"POST", "/session", "/session", credentials, "", 200, "application/json",
            sign_in_headers},
           {"POST", "/session", "/session",
            R"({"email":"anna@example.com","password":"wrong password"})", "", 401,
            "application/json", sign_in_headers},
           {"POST", "/session", "/session", credentials, "", 403},
           {"POST", "/session", "/session", R"({"email":"anna@example.com"})", "", 422,
            "application/json", sign_in_headers},
           {"GET", "/session", "/session", "", "", 200, "application/json", {{"Cookie", cookie}}},
           {"GET", "/session", "/session", "", "integration", 200},
           {"GET", "/session", "/session", "", "", 401},
           {"DELETE",
            "/session",
            "/session",
            "",
            "",
            403,
            "application/json",
            {{"Cookie", cookie}}},
           {"DELETE",
            "/session",
            "/session",
            "",
            "",
            200,
            "application/json",
            {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}},
           {"GET", "/session", "/session", "", "", 401, "application/json", {{"Cookie", cookie}}},
       })
    check(x);

  // Every operation of the contract was called, and every error status the issue names was seen.
  for (const auto& [path, item] : contract.document()["paths"].items())
    for (const auto& [method, operation] : item.items()) {
      std::string upper;
      for (char c : method) upper += char(std::toupper(static_cast<unsigned char>(c)));
      EXPECT_TRUE(exercised.count({path, upper})) << upper << " " << path << " was not exercised";
    }
  for (int s : {200, 201, 400, 401, 403, 404, 409, 413, 415, 422})
    EXPECT_TRUE(statuses.count(s)) << s;
}

TEST_F(ServedApiTest, TheServedDocumentIsTheContract) {
  auto answer = send("GET", "/api/v1/openapi.json", "", "viewer");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(json::parse(answer.body), OpenApi::instance().document());
  EXPECT_EQ(answer.header("content-type"), "application/json");
}

TEST_F(ServedApiTest, ConcurrentClientsOverTheNetworkAndACleanStop) {
  std::string ref = open();
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        try {
          auto a = i % 2
                       ? send("GET", "/api/v1/disputes/" + ref, "", "viewer")
                       : send("POST", "/api/v1/disputes/" + ref + "/notes",
                              json{{"text", "client " + std::to_string(t)}}.dump(), "integration");
          if (a.status == 200 || a.status == 201)
            ++ok;
          else
            ADD_FAILURE() << a.status << " " << a.body;
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
        }
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok, 80);
  server_->stop(std::chrono::seconds(5));
  EXPECT_EQ(server_->in_flight(), 0);
  EXPECT_THROW(send("GET", "/api/v1/healthz", "", ""), std::runtime_error);  // no longer listening
  server_.reset();
}

}  // namespace
}  // namespace disputed::api
