// The Graph sandbox on its own, through HTTP as any client would use it.

#include <gtest/gtest.h>

#include "plugins/msgraph/sandbox/msgraph_sandbox.hpp"
#include "plugins/sandbox/sandbox_server.hpp"
#include "plugins/sandbox/test_client.hpp"

namespace disputed::sandbox {
namespace {

using nlohmann::json;

class GraphSandboxTest : public ::testing::Test {
 protected:
  explicit GraphSandboxTest(Options options = {{"page_size", "2"}})
      : server_(make_msgraph_sandbox(options)) {}
  void SetUp() override { server_.start(); }

  ClientAnswer token_call(const std::string& form) {
    return http_call("POST", server_.url() + "/sandbox-tenant/oauth2/v2.0/token", form,
                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  std::string token() {
    auto a = token_call(
        "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret&scope="
        "https%3A%2F%2Fgraph.microsoft.com%2F.default");
    return a.json().value("access_token", "");
  }
  ClientAnswer graph(const std::string& method, const std::string& path,
                     const json& body = nullptr) {
    if (token_.empty()) token_ = token();
    return http_call(method, path.rfind("http", 0) == 0 ? path : server_.url() + "/v1.0" + path,
                     body.is_null() ? "" : body.dump(), {{"Authorization", "Bearer " + token_}});
  }
  std::string new_list(const std::string& user = "alex@example.com") {
    auto a = graph("POST", "/users/" + user + "/todo/lists", {{"displayName", "Invoice disputes"}});
    EXPECT_EQ(a.status, 201) << a.body;
    return a.json().value("id", "");
  }
  std::string new_task(const std::string& list, const std::string& key,
                       const std::string& title = "Check") {
    auto a =
        graph("POST", "/users/alex@example.com/todo/lists/" + list + "/tasks",
              {{"title", title},
               {"dueDateTime",
                {{"dateTime", "2026-03-30T00:00:00.0000000"}, {"timeZone", "Europe/Amsterdam"}}},
               {"linkedResources",
                json::array({{{"applicationName", "disputed"}, {"externalId", key}}})}});
    EXPECT_EQ(a.status, 201) << a.body;
    return a.json().value("id", "");
  }

  Server server_;
  std::string token_;
};

TEST_F(GraphSandboxTest, TheTokenEndpointIssuesClientCredentialTokensAndRefusesInAzureAdWords) {
  auto good = token_call(
      "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret&scope="
      "https%3A%2F%2Fgraph.microsoft.com%2F.default");
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.json()["token_type"], "Bearer");
  EXPECT_EQ(good.json()["expires_in"], 3599);
  auto wrong_secret = token_call(
      "grant_type=client_credentials&client_id=sandbox-client&client_secret=nope&scope=https%3A%2F%"
      "2Fgraph.microsoft.com%2F.default");
  EXPECT_EQ(wrong_secret.status, 401);
  EXPECT_EQ(wrong_secret.json()["error"], "invalid_client");
  EXPECT_NE(wrong_secret.json()["error_description"].get<std::string>().find("AADSTS7000215"),
            std::string::npos);
  auto bad_scope = token_call(
      "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret&scope="
      "Tasks.ReadWrite.All");
  EXPECT_EQ(bad_scope.status, 400);
  EXPECT_EQ(bad_scope.json()["error"], "invalid_scope");
  // client_secret_basic works too ("sandbox-client:sandbox-secret").
  auto basic =
      http_call("POST", server_.url() + "/sandbox-tenant/oauth2/v2.0/token",
                "grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
                {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Authorization", "Basic c2FuZGJveC1jbGllbnQ6c2FuZGJveC1zZWNyZXQ="}});
  EXPECT_EQ(basic.status, 200) << basic.body;
  EXPECT_EQ(http_call("POST", server_.url() + "/other-tenant/oauth2/v2.0/token",
                      "grant_type=client_credentials")
                .status,
            400);
}

TEST_F(GraphSandboxTest, RequestsNeedAValidTokenAndAnExpiredOneIsAnswered401InGraphsErrorShape) {
  EXPECT_EQ(http_call("GET", server_.url() + "/v1.0/users/alex@example.com/todo/lists").status,
            401);
  EXPECT_EQ(graph("GET", "/users/alex@example.com/todo/lists").status, 200);
  ASSERT_EQ(http_call("POST", server_.url() + "/_sandbox/tokens/expire").status, 200);
  auto expired = graph("GET", "/users/alex@example.com/todo/lists");
  EXPECT_EQ(expired.status, 401);
  json e = expired.json()["error"];
  EXPECT_EQ(e["code"], "InvalidAuthenticationToken");
  EXPECT_FALSE(e["innerError"]["request-id"].get<std::string>().empty());
  EXPECT_FALSE(expired.headers["request-id"].empty());
}

TEST(GraphSandboxLifetime, TokensExpireAfterTheConfiguredLifetime) {
  Server server(make_msgraph_sandbox({{"token_lifetime_seconds", "1"}}));
  server.start();
  auto t = http_call("POST", server.url() + "/sandbox-tenant/oauth2/v2.0/token",
                     "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-"
                     "secret&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(t.json()["expires_in"], 1);
  std::map<std::string, std::string> auth = {
      {"Authorization", "Bearer " + t.json()["access_token"].get<std::string>()}};
  EXPECT_EQ(
      http_call("GET", server.url() + "/v1.0/users/sam@example.com/todo/lists", "", auth).status,
      200);
  server.clock().advance(std::chrono::milliseconds(1100));
  EXPECT_EQ(
      http_call("GET", server.url() + "/v1.0/users/sam@example.com/todo/lists", "", auth).status,
      401);
}

TEST(GraphSandboxOptions, AnUnknownOptionIsNamed) {
  try {
    make_msgraph_sandbox({{"colour", "blue"}});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("colour"), std::string::npos);
  }
}

TEST_F(GraphSandboxTest, UsersAreAddressableByUpnOrIdAndHaveADefaultList) {
  auto me = graph("GET", "/users/alex@example.com");
  ASSERT_EQ(me.status, 200);
  std::string id = me.json()["id"];
  auto lists = graph("GET", "/users/" + id + "/todo/lists");
  ASSERT_EQ(lists.status, 200);
  EXPECT_EQ(lists.json()["value"][0]["wellknownListName"], "defaultList");
  auto nobody = graph("GET", "/users/nobody@example.com/todo/lists");
  EXPECT_EQ(nobody.status, 404);
  EXPECT_EQ(nobody.json()["error"]["code"], "ErrorInvalidUser");
}

TEST_F(GraphSandboxTest, TasksAreCreatedGotPatchedAndDeletedWithExpandAndSelect) {
  std::string list = new_list();
  std::string id = new_task(list, "DSP-1-1");
  std::string base = "/users/alex@example.com/todo/lists/" + list + "/tasks/" + id;
  auto plain = graph("GET", base);
  ASSERT_EQ(plain.status, 200);
  EXPECT_FALSE(plain.json().contains("linkedResources"));
  EXPECT_EQ(plain.json()["status"], "notStarted");
  EXPECT_EQ(plain.json()["dueDateTime"]["timeZone"], "Europe/Amsterdam");
  auto expanded = graph("GET", base + "?$expand=linkedResources");
  EXPECT_EQ(expanded.json()["linkedResources"][0]["externalId"], "DSP-1-1");
  auto selected = graph("GET", base + "?$select=status,title");
  EXPECT_EQ(selected.json().size(), 3u) << selected.body;  // id, status, title
  auto done = graph("PATCH", base, {{"status", "completed"}});
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.json()["completedDateTime"]["timeZone"], "UTC");
  EXPECT_EQ(graph("DELETE", base).status, 204);
  EXPECT_EQ(graph("GET", base).status, 404);
  EXPECT_EQ(graph("DELETE", base).status, 404);
}

TEST_F(GraphSandboxTest, ATaskTakesOnlyOneLinkedResourceAndBadContentIsAnsweredInGraphWords) {
  std::string list = new_list();
  std::string tasks = "/users/alex@example.com/todo/lists/" + list + "/tasks";
  auto two =
      graph("POST", tasks,
            {{"title", "x"},
             {"linkedResources", json::array({{{"externalId", "a"}}, {{"externalId", "b"}}})}});
  EXPECT_EQ(two.status, 400);
  EXPECT_EQ(two.json()["error"]["message"], "Only one item in linkedResources is allowed.");
  std::string id = new_task(list, "k");
  auto again = graph("POST", tasks + "/" + id + "/linkedResources", {{"externalId", "other"}});
  EXPECT_EQ(again.status, 400);
  auto bad = graph("POST", tasks, {{"title", "x"}, {"importance", "urgent"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["error"]["code"], "invalidRequest");
  auto unknown = graph("POST", tasks, {{"title", "x"}, {"colour", "red"}});
  EXPECT_EQ(unknown.status, 400);
  auto no_zone = graph("POST", tasks,
                       {{"title", "x"}, {"dueDateTime", {{"dateTime", "2026-03-30T00:00:00"}}}});
  EXPECT_EQ(no_zone.status, 400);
}

TEST_F(GraphSandboxTest, DeltaPagesWithNextLinkEndsWithADeltaLinkAndThenReportsOnlyChanges) {
  std::string list = new_list();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(new_task(list, "k" + std::to_string(i)));
  std::string url = "/users/alex@example.com/todo/lists/" + list + "/tasks/delta";
  std::set<std::string> seen;
  std::string delta_link;
  int pages = 0;
  for (auto page = graph("GET", url);;
       page = graph("GET", page.json()["@odata.nextLink"].get<std::string>())) {
    ASSERT_EQ(page.status, 200) << page.body;
    ++pages;
    json body = page.json();
    for (const auto& t : body["value"]) seen.insert(t["id"].get<std::string>());
    if (page.json().contains("@odata.deltaLink")) {
      delta_link = page.json()["@odata.deltaLink"];
      break;
    }
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);  // page_size 2
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_NE(delta_link.find("$deltatoken="), std::string::npos);

  auto quiet = graph("GET", delta_link);
  EXPECT_TRUE(quiet.json()["value"].empty());
  std::string tasks = "/users/alex@example.com/todo/lists/" + list + "/tasks/";
  graph("PATCH", tasks + ids[1], {{"status", "completed"}});
  graph("DELETE", tasks + ids[2]);
  auto changes = graph("GET", delta_link);
  ASSERT_EQ(changes.json()["value"].size(), 2u) << changes.body;
  EXPECT_EQ(changes.json()["value"][0]["status"], "completed");
  EXPECT_EQ(changes.json()["value"][1]["@removed"]["reason"], "deleted");
  EXPECT_EQ(changes.json()["value"][1]["id"], ids[2]);
  // The same deltaLink again gives the same changes (a client that lost its answer).
  EXPECT_EQ(graph("GET", delta_link).json()["value"].size(), 2u);

  ASSERT_EQ(http_call("POST", server_.url() + "/_sandbox/delta/invalidate").status, 200);
  auto gone = graph("GET", delta_link);
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(gone.json()["error"]["code"], "syncStateNotFound");
  EXPECT_EQ(graph("GET", url + "?$deltatoken=garbage").status, 400);
}

TEST_F(GraphSandboxTest, BatchAnswersEachRequestOnItsOwnAndRefusesMoreThanTwenty) {
  std::string list = new_list();
  std::string id = new_task(list, "k");
  std::string path = "/users/alex@example.com/todo/lists/" + list + "/tasks/";
  json requests = json::array({{{"id", "1"}, {"method", "GET"}, {"url", path + id}},
                               {{"id", "2"}, {"method", "GET"}, {"url", path + "missing"}},
                               {{"id", "3"},
                                {"method", "PATCH"},
                                {"url", path + id},
                                {"headers", {{"Content-Type", "application/json"}}},
                                {"body", {{"status", "completed"}}}}});
  auto a = graph("POST", "/$batch", {{"requests", requests}});
  ASSERT_EQ(a.status, 200) << a.body;
  auto responses = a.json()["responses"];
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0]["status"], 200);
  EXPECT_EQ(responses[1]["status"], 404);
  EXPECT_EQ(responses[2]["body"]["status"], "completed");
  json many = json::array();
  for (int i = 1; i <= 21; ++i)
    many.push_back({{"id", std::to_string(i)}, {"method", "GET"}, {"url", path + id}});
  EXPECT_EQ(graph("POST", "/$batch", {{"requests", many}}).status, 400);
  json dup = json::array({{{"id", "1"}, {"method", "GET"}, {"url", path + id}},
                          {{"id", "1"}, {"method", "GET"}, {"url", path + id}}});
  EXPECT_EQ(graph("POST", "/$batch", {{"requests", dup}}).status, 400);
  // A throttled mailbox answers inner 429s with their own Retry-After.
  ASSERT_EQ(http_call("POST", server_.url() + "/_sandbox/throttle",
                      R"({"user":"alex@example.com","requests":1,"retry_after":7})")
                .status,
            201);
  auto throttled =
      graph("POST", "/$batch", {{"requests", json::array({requests[0], requests[1]})}});
  ASSERT_EQ(throttled.status, 200);
  EXPECT_EQ(throttled.json()["responses"][0]["status"], 429);
  EXPECT_EQ(throttled.json()["responses"][0]["headers"]["Retry-After"], "7");
  EXPECT_EQ(throttled.json()["responses"][1]["status"], 404);
}

TEST_F(GraphSandboxTest, AThrottledMailboxAnswers429WithRetryAfterAndInjectedFaultsUseGraphsShape) {
  ASSERT_EQ(http_call("POST", server_.url() + "/_sandbox/throttle",
                      R"({"user":"sam@example.com","requests":2,"retry_after":3})")
                .status,
            201);
  for (int i = 0; i < 2; ++i) {
    auto a = graph("GET", "/users/sam@example.com/todo/lists");
    EXPECT_EQ(a.status, 429);
    EXPECT_EQ(a.headers["retry-after"], "3");
  }
  EXPECT_EQ(graph("GET", "/users/sam@example.com/todo/lists").status, 200);
  EXPECT_EQ(graph("GET", "/users/alex@example.com/todo/lists").status, 200);
  ASSERT_EQ(http_call("POST", server_.url() + "/_sandbox/faults",
                      R"({"path":"/v1.0/*","status":503,"retry_after":4})")
                .status,
            201);
  auto f = graph("GET", "/users/alex@example.com/todo/lists");
  EXPECT_EQ(f.status, 503);
  EXPECT_EQ(f.headers["retry-after"], "4");
  EXPECT_EQ(f.json()["error"]["code"], "serviceNotAvailable");
  EXPECT_TRUE(f.json()["error"]["innerError"].contains("request-id"));
}

TEST_F(GraphSandboxTest, ResetBringsBackTheSeed) {
  new_list();
  ASSERT_EQ(http_call("POST", server_.url() + "/_sandbox/reset").status, 200);
  token_.clear();
  auto lists = graph("GET", "/users/alex@example.com/todo/lists");
  EXPECT_EQ(lists.json()["value"].size(), 1u);
}

}  // namespace
}  // namespace disputed::sandbox
