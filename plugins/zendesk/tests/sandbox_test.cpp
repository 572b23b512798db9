// The Zendesk sandbox over loopback, as a person or a plugin sees it: auth, tickets, idempotency
// keys, safe_update conflicts, show_many, comments, user search, the incremental export, rate
// limits and Zendesk's error shapes.
#include <gtest/gtest.h>

#include "disputed/sdk/kit/codecs.hpp"
#include "plugins/sandbox/test_client.hpp"
#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"

namespace disputed::sandbox {
namespace {

using nlohmann::json;

std::string base64(const std::string& in) { return disputed::sdk::kit::base64_encode(in); }

std::map<std::string, std::string> agent(const std::string& email = "agent@example.com",
                                         const std::string& token = "sandbox-token") {
  return {{"Authorization", "Basic " + base64(email + "/token:" + token)}};
}

class ZendeskSandboxTest : public ::testing::Test {
 protected:
  explicit ZendeskSandboxTest(Options options = {}) : server_(make_zendesk_sandbox(options)) {
    server_.start();
  }
  std::string at(const std::string& path) { return server_.url() + path; }
  ClientAnswer call(const std::string& method, const std::string& path, const json& body = nullptr,
                    std::map<std::string, std::string> headers = agent()) {
    return http_call(method, at(path), body.is_null() ? "" : body.dump(), headers);
  }
  static json ticket(const std::string& key) {
    return {{"ticket",
             {{"subject", "Check INV-1"},
              {"type", "task"},
              {"external_id", key},
              {"comment", {{"body", "Customer disputes line 3"}, {"public", false}}}}}};
  }
  Server server_;
};

TEST_F(ZendeskSandboxTest, AcceptsApiTokensOfSeededAgentsAndTheOAuthTokenOnly) {
  EXPECT_EQ(call("GET", "/api/v2/users/me", nullptr, {}).status, 401);
  auto me = call("GET", "/api/v2/users/me.json");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["user"]["email"], "agent@example.com");
  EXPECT_EQ(
      call("GET", "/api/v2/users/me", nullptr, agent("lead@example.com")).json()["user"]["email"],
      "lead@example.com");
  auto wrong = call("GET", "/api/v2/users/me", nullptr, agent("agent@example.com", "nope"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json()["error"], "Couldn't authenticate you");
  EXPECT_EQ(call("GET", "/api/v2/users/me", nullptr, agent("stranger@example.com")).status, 401);
  // Password auth (no "/token") is not accepted.
  EXPECT_EQ(call("GET", "/api/v2/users/me", nullptr,
                 {{"Authorization", "Basic " + base64("agent@example.com:sandbox-token")}})
                .status,
            401);
  EXPECT_EQ(
      call("GET", "/api/v2/users/me", nullptr, {{"Authorization", "Bearer sandbox-oauth-token"}})
          .status,
      200);
  EXPECT_EQ(call("GET", "/api/v2/users/me", nullptr, {{"Authorization", "Bearer other"}}).status,
            401);
}

TEST_F(ZendeskSandboxTest, CreatesTicketsAndAnswersAnIdempotencyKeyWithTheSameTicket) {
  auto headers = agent();
  headers["Idempotency-Key"] = "DSP-1-1:create";
  auto first = call("POST", "/api/v2/tickets", ticket("DSP-1-1"), headers);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.headers["x-idempotency-lookup"], "miss");
  auto id = first.json()["ticket"]["id"].get<std::int64_t>();
  EXPECT_EQ(first.headers["location"], at("/api/v2/tickets/" + std::to_string(id) + ".json"));
  EXPECT_EQ(first.json()["ticket"]["status"], "new");
  EXPECT_EQ(first.json()["ticket"]["description"], "Customer disputes line 3");
  auto again = call("POST", "/api/v2/tickets", ticket("DSP-1-1"), headers);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.headers["x-idempotency-lookup"], "hit");
  EXPECT_EQ(again.json()["ticket"]["id"], id);
  auto other_body = call("POST", "/api/v2/tickets", ticket("DSP-1-2"), headers);
  EXPECT_EQ(other_body.status, 400);
  EXPECT_EQ(other_body.json()["error"], "IdempotentRequestError");
  EXPECT_EQ(call("GET", "/api/v2/tickets?external_id=DSP-1-1").json()["tickets"].size(), 1u);
  // After the key's lifetime the same request creates another ticket (external_id is not unique).
  ASSERT_EQ(call("POST", "/_sandbox/idempotency/expire").status, 200);
  auto later = call("POST", "/api/v2/tickets", ticket("DSP-1-1"), headers);
  EXPECT_EQ(later.headers["x-idempotency-lookup"], "miss");
  EXPECT_EQ(call("GET", "/api/v2/tickets?external_id=DSP-1-1").json()["tickets"].size(), 2u);
}

TEST_F(ZendeskSandboxTest, TheRequestLogMarksAnIdempotentReplaySoItIsNotCountedAsACreate) {
  // What the engine does after a crash: the same create again with the same Idempotency-Key.
  auto headers = agent();
  headers["Idempotency-Key"] = "DSP-7-1:create";
  auto first = call("POST", "/api/v2/tickets", ticket("DSP-7-1"), headers);
  auto again = call("POST", "/api/v2/tickets", ticket("DSP-7-1"), headers);
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.json()["ticket"]["id"], first.json()["ticket"]["id"]);
  auto log = http_call("GET", at("/_sandbox/requests")).json()["requests"];
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["status"], 201);
  EXPECT_EQ(log[0]["replayed"], false);
  EXPECT_EQ(log[1]["status"], 201);
  EXPECT_EQ(log[1]["replayed"], true);
  // The in-process log says the same; a create without a key is never a replay.
  EXPECT_EQ(call("POST", "/api/v2/tickets", ticket("DSP-7-2")).status, 201);
  auto seen = server_.requests();
  ASSERT_EQ(seen.size(), 3u);  // control requests (/_sandbox/...) are not logged
  EXPECT_FALSE(seen[0].replayed);
  EXPECT_TRUE(seen[1].replayed);
  EXPECT_FALSE(seen[2].replayed);
  int creates = 0;
  for (const auto& r : seen) creates += r.method == "POST" && r.status == 201 && !r.replayed;
  EXPECT_EQ(creates, 2);
  EXPECT_EQ(call("GET", "/api/v2/tickets").json()["tickets"].size(), 2u);
}

TEST_F(ZendeskSandboxTest, ValidationErrorsUseZendesksShapeAndChangeNothing) {
  auto no_comment = call("POST", "/api/v2/tickets", {{"ticket", {{"subject", "x"}}}});
  EXPECT_EQ(no_comment.status, 422);
  EXPECT_EQ(no_comment.json()["error"], "RecordInvalid");
  EXPECT_EQ(no_comment.json()["description"], "Record validation errors");
  EXPECT_TRUE(no_comment.json()["details"]["base"].is_array());
  json bad = ticket("K");
  bad["ticket"]["priority"] = "super";
  EXPECT_EQ(call("POST", "/api/v2/tickets", bad).json()["details"].contains("priority"), true);
  bad = ticket("K");
  bad["ticket"]["assignee_id"] = 424242;
  EXPECT_EQ(call("POST", "/api/v2/tickets", bad).status, 422);
  EXPECT_EQ(call("GET", "/api/v2/tickets").json()["tickets"].size(), 0u);
  auto missing = call("GET", "/api/v2/tickets/99");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json()["error"], "RecordNotFound");
}

TEST_F(ZendeskSandboxTest, SafeUpdateWithAStaleStampIsAConflict) {
  auto created = call("POST", "/api/v2/tickets", ticket("K")).json()["ticket"];
  std::string path = "/api/v2/tickets/" + std::to_string(created["id"].get<int>());
  std::string stamp = created["updated_at"];
  auto first =
      call("PUT", path,
           {{"ticket", {{"priority", "high"}, {"safe_update", true}, {"updated_stamp", stamp}}}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.json()["ticket"]["updated_at"], stamp);  // every change moves the stamp
  auto stale =
      call("PUT", path,
           {{"ticket", {{"priority", "low"}, {"safe_update", true}, {"updated_stamp", stamp}}}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.json()["error"], "UpdateConflict");
  EXPECT_EQ(call("GET", path).json()["ticket"]["priority"], "high");
  // Solving as an agent through the real path; a closed ticket is read-only.
  auto solved =
      call("PUT", path,
           {{"ticket", {{"status", "solved"}, {"comment", {{"body", "done"}, {"public", false}}}}}},
           agent("lead@example.com"));
  EXPECT_EQ(solved.json()["ticket"]["status"], "solved");
  EXPECT_EQ(solved.json()["ticket"]["assignee_id"], 1002);  // the solving agent takes it
  EXPECT_EQ(call("PUT", path, {{"ticket", {{"status", "closed"}}}}).status, 200);
  auto closed = call("PUT", path, {{"ticket", {{"status", "open"}}}});
  EXPECT_EQ(closed.status, 422);
  EXPECT_NE(closed.json()["details"]["status"][0]["description"].get<std::string>().find("closed"),
            std::string::npos);
}

TEST_F(ZendeskSandboxTest, ShowManyCommentsAndUserSearch) {
  std::string ids;
  for (int i = 0; i < 3; ++i)
    ids += (i ? "," : "") +
           std::to_string(call("POST", "/api/v2/tickets", ticket("K" + std::to_string(i)))
                              .json()["ticket"]["id"]
                              .get<int>());
  auto many = call("GET", "/api/v2/tickets/show_many.json?ids=" + ids + ",999");
  ASSERT_EQ(many.status, 200);
  EXPECT_EQ(many.json()["tickets"].size(), 3u);  // unknown (deleted) ids are left out
  std::string too_many;
  for (int i = 1; i <= 101; ++i) too_many += (i > 1 ? "," : "") + std::to_string(i);
  EXPECT_EQ(call("GET", "/api/v2/tickets/show_many?ids=" + too_many).status, 400);
  ASSERT_EQ(call("PUT", "/api/v2/tickets/1",
                 {{"ticket", {{"comment", {{"body", "Called the customer"}}}}}})
                .status,
            200);
  auto comments = call("GET", "/api/v2/tickets/1/comments").json()["comments"];
  ASSERT_EQ(comments.size(), 2u);
  EXPECT_EQ(comments[1]["body"], "Called the customer");
  EXPECT_EQ(comments[1]["public"], true);
  EXPECT_EQ(comments[0]["public"], false);
  auto users = call("GET", "/api/v2/users/search?query=email%3Alead%40example.com").json()["users"];
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["id"], 1002);
  EXPECT_EQ(call("GET", "/api/v2/users/search?query=nobody%40example.com").json()["users"].size(),
            0u);
  EXPECT_EQ(call("DELETE", "/api/v2/tickets/1").status, 204);
  EXPECT_EQ(call("GET", "/api/v2/tickets/show_many?ids=" + ids).json()["tickets"].size(), 2u);
}

TEST_F(ZendeskSandboxTest, InjectedFaultsAnswerInZendesksErrorShape) {
  ASSERT_EQ(
      http_call(
          "POST", at("/_sandbox/faults"),
          R"({"method":"POST","path":"/api/v2/tickets","status":429,"retry_after":7,"times":1})")
          .status,
      201);
  auto limited = call("POST", "/api/v2/tickets", ticket("K"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers["retry-after"], "7");
  EXPECT_EQ(limited.json()["error"], "APIRateLimitExceeded");
  EXPECT_EQ(call("POST", "/api/v2/tickets", ticket("K")).status, 201);
  auto log = http_call("GET", at("/_sandbox/requests")).json()["requests"];
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["status"], 429);
  EXPECT_EQ(log[1]["status"], 201);
}

TEST_F(ZendeskSandboxTest, IncrementalExportFollowsItsCursor) {
  for (int i = 0; i < 3; ++i) call("POST", "/api/v2/tickets", ticket("K" + std::to_string(i)));
  auto recent = call(
      "GET", "/api/v2/incremental/tickets/cursor?start_time=" + std::to_string(std::time(nullptr)));
  EXPECT_EQ(recent.status, 400);  // start_time must be a minute in the past
  auto page = call("GET", "/api/v2/incremental/tickets/cursor?start_time=1000&per_page=2").json();
  EXPECT_EQ(page["tickets"].size(), 2u);
  EXPECT_EQ(page["end_of_stream"], false);
  auto rest = call("GET", "/api/v2/incremental/tickets/cursor?cursor=" +
                              page["after_cursor"].get<std::string>())
                  .json();
  EXPECT_EQ(rest["tickets"].size(), 1u);
  EXPECT_EQ(rest["end_of_stream"], true);
  auto none = call("GET", "/api/v2/incremental/tickets/cursor?cursor=" +
                              rest["after_cursor"].get<std::string>())
                  .json();
  EXPECT_EQ(none["tickets"].size(), 0u);
  // Admins only: the second agent is not one.
  EXPECT_EQ(call("GET", "/api/v2/incremental/tickets/cursor?start_time=1000", nullptr,
                 agent("lead@example.com"))
                .status,
            403);
}

class ZendeskRateLimitTest : public ZendeskSandboxTest {
 protected:
  ZendeskRateLimitTest() : ZendeskSandboxTest({{"rate_limit", "3"}}) {}
};

TEST_F(ZendeskRateLimitTest, TheAccountLimitAnswers429WithRetryAfter) {
  EXPECT_EQ(call("GET", "/api/v2/users/me").headers["x-rate-limit-remaining"], "2");
  EXPECT_EQ(call("GET", "/api/v2/users/me").headers["x-rate-limit"], "3");
  auto last = call("GET", "/api/v2/users/me");
  EXPECT_EQ(last.headers["x-rate-limit-remaining"], "0");
  EXPECT_EQ(last.headers["ratelimit-remaining"], "0");
  EXPECT_FALSE(last.headers["ratelimit-reset"].empty());
  auto over = call("GET", "/api/v2/users/me");
  EXPECT_EQ(over.status, 429);
  int wait = std::stoi(over.headers["retry-after"]);
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 61);
}

TEST(ZendeskSandboxOptions, UnknownOrBadOptionsAreNamed) {
  try {
    make_zendesk_sandbox({{"colour", "red"}});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("colour"), std::string::npos);
  }
  EXPECT_THROW(make_zendesk_sandbox({{"rate_limit", "many"}}), std::invalid_argument);
  auto custom = make_zendesk_sandbox({{"agents", "a@x.example,b@x.example"}});
  auto& z = static_cast<zendesk::ZendeskEmulator&>(*custom);
  ASSERT_EQ(z.users().size(), 2u);
  EXPECT_EQ(z.users()[1].email, "b@x.example");
}

}  // namespace
}  // namespace disputed::sandbox
