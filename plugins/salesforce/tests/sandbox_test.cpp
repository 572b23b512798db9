// The Salesforce sandbox over HTTP on loopback, as a plugin or a person would use it.

#include <gmock/gmock.h>

#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"
#include "plugins/salesforce/sandbox/soql.hpp"
#include "plugins/sandbox/test_client.hpp"

namespace disputed::sandbox::salesforce {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class SalesforceSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void start(const Options& options) {
    server_ = std::make_unique<Server>(std::make_unique<SalesforceEmulator>(options));
    server_->start();
  }
  std::string url(const std::string& path) const { return server_->url() + path; }
  ClientAnswer token(const std::string& form) {
    return http_call("POST", url("/services/oauth2/token"), form,
                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  std::string login() {
    auto t = token(
        "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret");
    EXPECT_EQ(t.status, 200) << t.body;
    return t.json().value("access_token", "");
  }
  ClientAnswer api(const std::string& method, const std::string& path, const std::string& body = "",
                   std::map<std::string, std::string> headers = {}) {
    if (!headers.count("Authorization")) headers["Authorization"] = "Bearer " + session_;
    return http_call(method, url("/services/data/v62.0" + path), body, headers);
  }
  ClientAnswer soql(const std::string& q, std::map<std::string, std::string> headers = {}) {
    std::string encoded;
    for (unsigned char c : q) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      encoded += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : std::string(buf);
    }
    return api("GET", "/query?q=" + encoded, "", headers);
  }
  std::string upsert(const std::string& key, const json& body, int expected = 201) {
    auto r = api("PATCH", "/sobjects/Task/Dispute_Action_Id__c/" + key, body.dump());
    EXPECT_EQ(r.status, expected) << r.body;
    return r.json().value("id", "");
  }

  std::unique_ptr<Server> server_;
  std::string session_;
};

TEST_F(SalesforceSandboxTest, ClientCredentialsGiveASessionAndTheInstanceUrl) {
  auto good =
      token("grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret");
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.json()["instance_url"], server_->url());
  EXPECT_EQ(good.json()["token_type"], "Bearer");
  EXPECT_FALSE(good.json().contains("expires_in")) << "Salesforce sends no lifetime";
  auto bad = token("grant_type=client_credentials&client_id=sandbox-client&client_secret=nope");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["error"], "invalid_client");
  // client_secret_basic works too (what liboauth2 sends by default)
  auto basic = http_call("POST", url("/services/oauth2/token"), "grant_type=client_credentials",
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"Authorization", "Basic c2FuZGJveC1jbGllbnQ6c2FuZGJveC1zZWNyZXQ="}});
  EXPECT_EQ(basic.status, 200) << basic.body;
  EXPECT_EQ(token("grant_type=password&username=x").json()["error"], "unsupported_grant_type");
}

TEST_F(SalesforceSandboxTest, TheJwtBearerFlowGivesASessionAsTheNamedUser) {
  auto b64 = [](const std::string& in) {
    static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    int val = 0, bits = -6;
    for (unsigned char c : in) {
      val = (val << 8) + c;
      bits += 8;
      while (bits >= 0) {
        out.push_back(chars[(val >> bits) & 0x3F]);
        bits -= 6;
      }
    }
    if (bits > -6) out.push_back(chars[((val << 8) >> (bits + 8)) & 0x3F]);
    return out;
  };
  long long exp = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count() +
                  180;
  std::string claims = json{
      {"iss", "sandbox-client"},
      {"sub", "rep@example.com"},
      {"aud", "https://login.salesforce.com"},
      {"exp", exp}}.dump();
  std::string assertion = b64(R"({"alg":"RS256"})") + "." + b64(claims) + ".c2ln";
  auto t = token("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" +
                 assertion);
  ASSERT_EQ(t.status, 200) << t.body;
  session_ = t.json()["access_token"];
  std::string id = upsert("k1", {{"Subject", "x"}});
  auto rec = api("GET", "/sobjects/Task/" + id + "?fields=OwnerId,CreatedById").json();
  EXPECT_EQ(rec["CreatedById"], server_->with_emulator([](Emulator& e) {
    return static_cast<SalesforceEmulator&>(e).user_id("rep@example.com");
  }));
}

TEST_F(SalesforceSandboxTest, SessionsExpireAfterTheConfiguredTime) {
  start({{"session_seconds", "60"}});
  session_ = login();
  EXPECT_EQ(api("GET", "/limits").status, 200);
  http_call("POST", url("/_sandbox/clock"), R"({"advance_seconds": 61})");
  auto expired = api("GET", "/limits");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.json()[0]["errorCode"], "INVALID_SESSION_ID");
  session_ = login();
  EXPECT_EQ(api("GET", "/limits").status, 200);
  http_call("POST", url("/_sandbox/expire-sessions"));
  EXPECT_EQ(api("GET", "/limits").status, 401);
}

TEST_F(SalesforceSandboxTest, VersionsAreListedWithoutAuthAndOthersAreNotServed) {
  auto v = http_call("GET", url("/services/data"));
  ASSERT_EQ(v.status, 200);
  ASSERT_EQ(v.json().size(), 12u);  // v55.0 .. v66.0
  EXPECT_EQ(v.json().front()["version"], "55.0");
  EXPECT_EQ(v.json().back()["url"], "/services/data/v66.0");
  EXPECT_EQ(v.headers.count("sforce-limit-info"), 0u) << "the versions list costs nothing";
  session_ = login();
  EXPECT_EQ(http_call("GET", url("/services/data/v54.0/limits"), "",
                      {{"Authorization", "Bearer " + session_}})
                .status,
            404);
  EXPECT_EQ(http_call("GET", url("/services/data/v66.0/limits"), "",
                      {{"Authorization", "Bearer " + session_}})
                .status,
            200);
}

TEST_F(SalesforceSandboxTest, UpsertByExternalIdCreatesOnceThenUpdates) {
  session_ = login();
  std::string id = upsert("DSP-1-1", {{"Subject", "Check"}, {"ActivityDate", "2025-01-10"}});
  ASSERT_EQ(id.size(), 18u);
  auto again = api("PATCH", "/sobjects/Task/Dispute_Action_Id__c/DSP-1-1",
                   json{{"Subject", "Check again"}}.dump());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["id"], id);
  EXPECT_EQ(again.json()["created"], false);
  EXPECT_EQ(api("PATCH", "/sobjects/Task/Dispute_Action_Id__c/DSP-9-9?updateOnly=true",
                json{{"Subject", "x"}}.dump())
                .status,
            404);
  auto with_key = api("PATCH", "/sobjects/Task/Dispute_Action_Id__c/DSP-1-2",
                      json{{"Dispute_Action_Id__c", "x"}}.dump());
  EXPECT_EQ(with_key.status, 400) << "the key may not be in the body";
  auto rec = api("GET", "/sobjects/Task/" + id);
  ASSERT_EQ(rec.status, 200);
  EXPECT_EQ(rec.json()["Subject"], "Check again");
  EXPECT_EQ(rec.json()["Status"], "Not Started");
  EXPECT_EQ(rec.json()["IsClosed"], false);
  EXPECT_EQ(rec.json()["attributes"]["type"], "Task");
  EXPECT_THAT(rec.headers["sforce-limit-info"], ::testing::MatchesRegex("api-usage=[0-9]+/15000"));
  EXPECT_EQ(api("GET", "/sobjects/Task/Dispute_Action_Id__c/DSP-1-1").json()["Id"], id);
}

TEST_F(SalesforceSandboxTest, CreateUpdateCloseAndDelete) {
  session_ = login();
  auto created = api("POST", "/sobjects/Task",
                     json{{"Subject", "One"}, {"Dispute_Action_Id__c", "DSP-2-1"}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json()["id"];
  EXPECT_EQ(created.json()["success"], true);
  auto dup = api("POST", "/sobjects/Task",
                 json{{"Subject", "Two"}, {"Dispute_Action_Id__c", "DSP-2-1"}}.dump());
  EXPECT_EQ(dup.status, 400);
  EXPECT_EQ(dup.json()[0]["errorCode"], "DUPLICATE_VALUE");
  EXPECT_EQ(api("PATCH", "/sobjects/Task/" + id, json{{"Status", "Completed"}}.dump()).status, 204);
  auto rec =
      api("GET", "/sobjects/Task/" + id + "?fields=Status,IsClosed,CompletedDateTime").json();
  EXPECT_EQ(rec["IsClosed"], true);
  EXPECT_TRUE(rec["CompletedDateTime"].is_string());
  EXPECT_EQ(api("DELETE", "/sobjects/Task/" + id).status, 204);
  EXPECT_EQ(api("GET", "/sobjects/Task/" + id).status, 404);
}

TEST_F(SalesforceSandboxTest, BadContentAnswersTheErrorArray) {
  session_ = login();
  auto check = [&](const json& body, const std::string& code, const std::string& field) {
    auto r = api("POST", "/sobjects/Task", body.dump());
    EXPECT_EQ(r.status, 400) << body;
    ASSERT_TRUE(r.json().is_array()) << r.body;
    EXPECT_EQ(r.json()[0]["errorCode"], code) << r.body;
    EXPECT_EQ(r.json()[0]["fields"][0], field) << r.body;
    EXPECT_FALSE(r.json()[0]["message"].get<std::string>().empty());
  };
  check({{"Subject", std::string(256, 'x')}}, "STRING_TOO_LONG", "Subject");
  check({{"Status", "Done"}}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Status");
  check({{"ActivityDate", "31/01/2025"}}, "INVALID_TYPE_ON_FIELD_IN_RECORD", "ActivityDate");
  check({{"OwnerId", "005000000000999AAA"}}, "INVALID_CROSS_REFERENCE_KEY", "OwnerId");
  check({{"Colour__c", "red"}}, "INVALID_FIELD", "Colour__c");
  check({{"IsClosed", "true"}}, "INVALID_FIELD_FOR_INSERT_UPDATE", "IsClosed");
  std::string former = server_->with_emulator([](Emulator& e) {
    return static_cast<SalesforceEmulator&>(e).user_id("former@example.com");
  });
  check({{"OwnerId", former}}, "INACTIVE_OWNER_OR_USER", "OwnerId");
  EXPECT_EQ(server_->with_emulator(
                [](Emulator& e) { return static_cast<SalesforceEmulator&>(e).tasks().size(); }),
            0u);
}

TEST_F(SalesforceSandboxTest, DescribeTaskShowsTheExternalIdField) {
  session_ = login();
  auto d = api("GET", "/sobjects/Task/describe");
  ASSERT_EQ(d.status, 200);
  json describe = d.json();
  EXPECT_EQ(describe["createable"], true);
  bool found = false;
  for (const auto& f : describe["fields"])
    if (f["name"] == "Dispute_Action_Id__c")
      found = f["externalId"].get<bool>() && f["unique"].get<bool>();
  EXPECT_TRUE(found);
}

TEST_F(SalesforceSandboxTest, SeededUsersAndAccountsAreQueryable) {
  session_ = login();
  auto users =
      soql("SELECT Id, Email FROM User WHERE Email = 'REP@example.com' AND IsActive = true");
  ASSERT_EQ(users.status, 200) << users.body;
  EXPECT_EQ(users.json()["totalSize"], 1);
  auto accounts = soql(
      "SELECT Id, OwnerId, Name FROM Account WHERE Customer_Number__c IN ('C-1001', 'C-1002') "
      "ORDER BY Name DESC");
  ASSERT_EQ(accounts.status, 200) << accounts.body;
  ASSERT_EQ(accounts.json()["records"].size(), 2u);
  EXPECT_EQ(accounts.json()["records"][0]["Name"], "Hoogland Installatietechniek");
  EXPECT_EQ(soql("SELECT Id FROM User WHERE Email = 'former@example.com' AND IsActive = true")
                .json()["totalSize"],
            0);
}

TEST_F(SalesforceSandboxTest, OtherQueriesAreRefusedAsMalformed) {
  session_ = login();
  for (const char* q :
       {"SELECT FROM Task", "SELECT Id FROM Task WHERE IsClosed = true OR IsClosed = false",
        "SELECT COUNT() FROM Task", "DELETE FROM Task",
        "SELECT Id FROM Task WHERE Subject LIKE 'x%'", "SELECT Id FROM Task LIMIT"}) {
    auto r = soql(q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(r.json()[0]["errorCode"], "MALFORMED_QUERY") << q << ": " << r.body;
  }
  EXPECT_EQ(soql("SELECT Nope__c FROM Task").json()[0]["errorCode"], "INVALID_FIELD");
}

TEST_F(SalesforceSandboxTest, TheChangeWindowQueryPagesWithNextRecordsUrl) {
  start({{"query_batch_size", "2"}});
  session_ = login();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(upsert("DSP-3-" + std::to_string(i), {{"Subject", "t"}}));
  upsert("DSP-3-1", {{"Subject", "changed"}}, 200);  // moves to the end of the window
  std::string q =
      "SELECT Id, Dispute_Action_Id__c, Status, IsClosed, CompletedDateTime, SystemModstamp, "
      "LastModifiedBy.Email FROM Task WHERE Dispute_Action_Id__c != null AND SystemModstamp >= "
      "2020-01-01T00:00:00Z ORDER BY SystemModstamp, Id";
  auto first = soql(q);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()["totalSize"], 5);
  EXPECT_EQ(first.json()["done"], false);
  std::vector<std::string> seen;
  json page = first.json();
  for (int guard = 0; guard < 10; ++guard) {
    for (const auto& r : page["records"]) seen.push_back(r["Id"]);
    if (page["done"].get<bool>()) break;
    auto next = http_call("GET", url(page["nextRecordsUrl"].get<std::string>()), "",
                          {{"Authorization", "Bearer " + session_}});
    ASSERT_EQ(next.status, 200) << next.body;
    page = next.json();
  }
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.back(), ids[1]) << "ordered by SystemModstamp";
  EXPECT_EQ(first.json()["records"][0]["LastModifiedBy"]["Email"], "integration@example.com");
  auto later = soql("SELECT Id FROM Task WHERE SystemModstamp > 2999-01-01T00:00:00Z");
  EXPECT_EQ(later.json()["totalSize"], 0);
}

TEST_F(SalesforceSandboxTest, SObjectCollectionsCreateUpsertAndRetrieve) {
  session_ = login();
  json records = json::array();
  for (int i = 0; i < 3; ++i)
    records.push_back({{"attributes", {{"type", "Task"}}},
                       {"Subject", "c" + std::to_string(i)},
                       {"Dispute_Action_Id__c", "DSP-4-" + std::to_string(i)}});
  records.push_back({{"attributes", {{"type", "Task"}}},
                     {"Status", "Nope"},
                     {"Dispute_Action_Id__c", "DSP-4-9"}});
  auto created =
      api("POST", "/composite/sobjects", json{{"allOrNone", false}, {"records", records}}.dump());
  ASSERT_EQ(created.status, 200) << created.body;
  ASSERT_EQ(created.json().size(), 4u);
  EXPECT_EQ(created.json()[0]["success"], true);
  EXPECT_EQ(created.json()[3]["success"], false);
  EXPECT_EQ(created.json()[3]["errors"][0]["statusCode"],
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  json upserts = json::array(
      {{{"attributes", {{"type", "Task"}}}, {"Subject", "u"}, {"Dispute_Action_Id__c", "DSP-4-0"}},
       {{"attributes", {{"type", "Task"}}},
        {"Subject", "n"},
        {"Dispute_Action_Id__c", "DSP-4-5"}}});
  auto up = api("PATCH", "/composite/sobjects/Task/Dispute_Action_Id__c",
                json{{"records", upserts}}.dump());
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json()[0]["created"], false);
  EXPECT_EQ(up.json()[1]["created"], true);
  auto got = api("POST", "/composite/sobjects/Task",
                 json{{"ids", {created.json()[0]["id"], "00T000000000999AAA"}},
                      {"fields", {"Subject", "IsClosed"}}}
                     .dump());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json()[0]["Subject"], "u");
  EXPECT_TRUE(got.json()[1].is_null());
  json too_many = json::array();
  for (int i = 0; i < 201; ++i)
    too_many.push_back({{"attributes", {{"type", "Task"}}}, {"Subject", "x"}});
  EXPECT_EQ(api("POST", "/composite/sobjects", json{{"records", too_many}}.dump()).status, 400);
}

// The connector's batched creates: upsert by external id through collections, each record
// answered in order; a bad record fails alone unless allOrNone rolls the request back.
TEST_F(SalesforceSandboxTest, CollectionUpsertByExternalIdAnswersPerRecordAndHonoursAllOrNone) {
  session_ = login();
  auto task = [](const std::string& key, const std::string& status = "") {
    json r = {
        {"attributes", {{"type", "Task"}}}, {"Subject", "s " + key}, {"Dispute_Action_Id__c", key}};
    if (!status.empty()) r["Status"] = status;
    return r;
  };
  const std::string path = "/composite/sobjects/Task/Dispute_Action_Id__c";
  json mixed = json::array({task("DSP-5-1"),
                            task("DSP-5-2", "Nope"),
                            task("DSP-5-1"),
                            {{"Subject", "no attributes"}, {"Dispute_Action_Id__c", "DSP-5-3"}}});
  auto first = api("PATCH", path, json{{"allOrNone", false}, {"records", mixed}}.dump());
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.json().size(), 4u);
  EXPECT_EQ(first.json()[0]["created"], true);
  EXPECT_EQ(first.json()[1]["errors"][0]["statusCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(first.json()[2]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");
  EXPECT_EQ(first.json()[3]["errors"][0]["statusCode"], "INVALID_TYPE");
  auto again = api("PATCH", path, json{{"records", json::array({task("DSP-5-1")})}}.dump());
  EXPECT_EQ(again.json()[0]["created"], false);
  EXPECT_EQ(again.json()[0]["id"], first.json()[0]["id"]);

  auto rolled = api("PATCH", path,
                    json{{"allOrNone", true},
                         {"records", json::array({task("DSP-5-7"), task("DSP-5-8", "Nope")})}}
                        .dump());
  ASSERT_EQ(rolled.status, 200) << rolled.body;
  EXPECT_EQ(rolled.json()[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  std::size_t kept = server_->with_emulator([](Emulator& e) {
    return static_cast<SalesforceEmulator&>(e).tasks_with_key("DSP-5-7").size();
  });
  EXPECT_EQ(kept, 0u) << "rolled back";
  EXPECT_EQ(api("PATCH", "/composite/sobjects/Task/Subject",
                json{{"records", json::array({task("DSP-5-9")})}}.dump())
                .status,
            404);
}

TEST_F(SalesforceSandboxTest, TheDailyAllocationRunsOut) {
  start({{"daily_limit", "3"}});
  session_ = login();
  for (int i = 0; i < 3; ++i) {
    auto r = api("GET", "/limits");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["sforce-limit-info"], "api-usage=" + std::to_string(i + 1) + "/3");
  }
  auto out = api("GET", "/limits");
  EXPECT_EQ(out.status, 403);
  EXPECT_EQ(out.json()[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(out.headers.count("retry-after"), 0u) << "Salesforce sends no Retry-After";
  http_call("POST", url("/_sandbox/limits"), R"({"used": 0})");
  EXPECT_EQ(api("GET", "/limits").json()["DailyApiRequests"]["Remaining"], 2);
}

TEST_F(SalesforceSandboxTest, APersonClosesATaskThroughTheApi) {
  session_ = login();
  std::string id = upsert("DSP-5-1", {{"Subject", "Approve"}});
  auto rep = http_call("POST", url("/_sandbox/sessions"), R"({"user":"rep@example.com"})");
  ASSERT_EQ(rep.status, 201) << rep.body;
  auto closed = api("PATCH", "/sobjects/Task/" + id,
                    json{{"Status", "Completed"}, {"Dispute_Outcome__c", "approved"}}.dump(),
                    {{"Authorization", "Bearer " + rep.json()["access_token"].get<std::string>()}});
  EXPECT_EQ(closed.status, 204) << closed.body;
  auto rec = soql(
      "SELECT Id, IsClosed, Dispute_Outcome__c, LastModifiedBy.Email FROM Task WHERE "
      "Dispute_Action_Id__c = 'DSP-5-1'");
  EXPECT_EQ(rec.json()["records"][0]["IsClosed"], true);
  EXPECT_EQ(rec.json()["records"][0]["Dispute_Outcome__c"], "approved");
  EXPECT_EQ(rec.json()["records"][0]["LastModifiedBy"]["Email"], "rep@example.com");
  auto stranger =
      http_call("POST", url("/_sandbox/sessions"), R"({"user":"sanne.bakker@example.com"})");
  EXPECT_EQ(stranger.status, 201) << "a new person becomes a User";
  EXPECT_EQ(http_call("POST", url("/_sandbox/sessions"), R"({"user":"nobody"})").status, 404);
}

TEST_F(SalesforceSandboxTest, InjectedFaultsUseTheErrorArray) {
  session_ = login();
  http_call("POST", url("/_sandbox/faults"),
            R"({"path":"/services/data/*","status":403,"times":1})");
  auto r = api("GET", "/limits");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.json()[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(api("GET", "/limits").status, 200);
  http_call("POST", url("/_sandbox/reset"));
  EXPECT_EQ(api("GET", "/limits").status, 401) << "a reset forgets every session";
}

TEST(SalesforceSandboxOptions, UnknownOrBadOptionsAreNamed) {
  EXPECT_THROW(SalesforceEmulator(Options{{"colour", "red"}}), std::invalid_argument);
  try {
    SalesforceEmulator(Options{{"session_seconds", "soon"}});
    ADD_FAILURE() << "expected a refusal";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("session_seconds"));
  }
}

TEST(Soql, DatetimesRoundTrip) {
  auto ms = parse_datetime_ms("2025-01-31T10:00:00.123+0000");
  ASSERT_TRUE(ms);
  EXPECT_EQ(format_datetime_ms(*ms), "2025-01-31T10:00:00.123+0000");
  EXPECT_EQ(parse_datetime_ms("2025-01-31T11:00:00+01:00"),
            parse_datetime_ms("2025-01-31T10:00:00Z"));
  EXPECT_FALSE(parse_datetime_ms("2025-01-31"));
}

}  // namespace
}  // namespace disputed::sandbox::salesforce
