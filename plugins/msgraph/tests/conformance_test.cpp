// Conformance: the plugin's whole life cycle with Stoplight Prism (`proxy --errors`, the vendor's
// To Do description msgraph-todo-subset.yaml) between the plugin and the sandbox. Every request
// the plugin sends and every answer the sandbox gives is checked against the description; a
// violation turns the answer into an error, which fails the step, and is listed from Prism's log.
// The token endpoint is not in the description: tokens come from the sandbox directly. sendMail
// runs the same way against Microsoft's mail description (msgraph-mail-subset.yaml).

#include <unistd.h>

#include <filesystem>

#include "disputed/sdk/testing/actions.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/msgraph/tests/msgraph_env.hpp"
#include "plugins/sandbox/prism_proxy.hpp"

namespace {

using namespace disputed::msgraph::testing;
using sdk::Action;
using sdk::ApplyResult;
using sdk::PollResult;

// Prism (`proxy --errors`) with one of Graph's descriptions between the plugin and the sandbox,
// and the plugin opened on it.
class PrismInFrontOfGraph : public ::testing::Test {
 protected:
  /// Starts Prism with `spec` (its log: <temp>/<name>-<pid>.log) and opens the plugin with
  /// `settings` and Prism's URL as graph_base_url; skips when Prism is missing.
  void start(const char* spec, const std::string& name, json settings) {
    log_ =
        std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".log");
    try {
      prism_ = std::make_unique<disputed::sandbox::PrismProxy>(spec, sandbox_.url(), log_);
    } catch (const std::exception& e) {
      GTEST_SKIP() << "Prism is not available: " << e.what();
    }
    // Graph traffic goes over loopback to Prism; the token endpoint is the sandbox's own.
    host_ = sandbox_.make_host(kSecret, disputed::sandbox::over_loopback());
    std::string error;
    plugin_ = kit::PluginUnderTest::load(MSGRAPH_PLUGIN, &error);
    ASSERT_TRUE(plugin_) << error;
    connector_ = plugin_->create();
    ASSERT_TRUE(connector_);
    settings["graph_base_url"] = prism_->url();
    settings["check_user"] = "alex@example.com";
    auto opened = connector_->open(settings.dump(), *host_);
    ASSERT_TRUE(opened.ok) << opened.message;
  }

  void TearDown() override {
    connector_.reset();
    if (prism_) prism_->stop();
    std::filesystem::remove(log_);
  }

  std::string violations() {
    std::string out;
    for (const auto& v : prism_->violations()) out += "\n  " + v;
    return out;
  }

  GraphSandbox sandbox_;
  std::filesystem::path log_;
  std::unique_ptr<disputed::sandbox::PrismProxy> prism_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  std::shared_ptr<kit::PluginUnderTest> plugin_;
  kit::ConnectorPtr connector_;
};

class MsGraphConformance : public PrismInFrontOfGraph {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        start(MSGRAPH_SPEC, "msgraph-prism",
              {{"dispute_url", "https://disputed.example.com/disputes/{dispute}"}}));
    if (!prism_) return;
    ASSERT_EQ(disputed::sandbox::http_call("POST", sandbox_.url() + "/_sandbox/links",
                                           json{{"base", prism_->url()}}.dump())
                  .status,
              200);
  }

  static Action action(Action::Kind kind, const std::string& key, const std::string& action_key,
                       const std::string& ref, const json& payload) {
    Action a;
    a.kind = kind;
    a.task_key = key;
    a.action_key = action_key;
    a.external_ref = ref;
    a.payload_json = payload.dump();
    return a;
  }

  void expect_applied(const ApplyResult& r, const std::string& what) {
    EXPECT_TRUE(r.status == ApplyResult::Status::kApplied ||
                r.status == ApplyResult::Status::kAlreadyApplied)
        << what << ": status " << int(r.status) << " " << r.message << violations();
  }
};

TEST_F(MsGraphConformance, TheWholeLifeCyclePassesTheVendorsDescription) {
  auto check = connector_->check();
  EXPECT_TRUE(check.ok) << check.message << violations();

  const std::string key = "DSP-000042-1";
  json create = json::parse(sdk::testing::sample_create_json(key, "alex@example.com"));
  ApplyResult created =
      connector_->apply(action(Action::Kind::kCreate, key, key + ":create", "", create));
  ASSERT_EQ(created.status, ApplyResult::Status::kApplied) << created.message << violations();
  std::string ref = created.external_ref;

  // A retry whose answer was lost looks the task up by its linked resource ($expand).
  Action again = action(Action::Kind::kCreate, key, key + ":create", "", create);
  again.attempt = 2;
  expect_applied(connector_->apply(again), "retried create");

  PollResult first = connector_->poll({"", {{key, ref}}, false});
  ASSERT_EQ(first.status, PollResult::Status::kOk) << first.message << violations();

  json remind = {{"task_key", key}, {"note", "Reminder: due Monday"}};
  expect_applied(
      connector_->apply(action(Action::Kind::kRemind, key, key + ":remind-1", ref, remind)),
      "remind");
  json escalate = {
      {"task_key", key}, {"note", "Escalated to lead@example.com"}, {"priority", "urgent"}};
  expect_applied(
      connector_->apply(action(Action::Kind::kEscalate, key, key + ":escalate", ref, escalate)),
      "escalate");
  json moved_date = {{"task_key", key},
                     {"deadline_local_date", "2026-04-02"},
                     {"time_zone", "Europe/Amsterdam"},
                     {"deadline_at", "2026-04-02T15:00:00Z"}};
  expect_applied(
      connector_->apply(action(Action::Kind::kUpdate, key, key + ":update-1", ref, moved_date)),
      "new due date");

  // Reassignment: created in Sam's list, deleted from Alex's.
  json reassign = {{"task_key", key}, {"assignee", "sam@example.com"}, {"assignee_kind", "person"}};
  ApplyResult moved =
      connector_->apply(action(Action::Kind::kUpdate, key, key + ":reassign-1", ref, reassign));
  expect_applied(moved, "reassign");
  ASSERT_NE(moved.external_ref, ref);
  ref = moved.external_ref;
  EXPECT_EQ(ref.rfind("sam@example.com|", 0), 0u) << ref;

  PollResult second = connector_->poll({first.next_cursor, {{key, ref}}, false});
  ASSERT_EQ(second.status, PollResult::Status::kOk) << second.message << violations();
  ASSERT_EQ(sandbox_.complete(ref, "rejected"), 200);
  PollResult third = connector_->poll({second.next_cursor, {{key, ref}}, true});  // delta + $batch
  ASSERT_EQ(third.status, PollResult::Status::kOk) << third.message << violations();
  ASSERT_EQ(third.events.size(), 1u) << violations();
  EXPECT_EQ(third.events[0].outcome, "rejected");

  // Another task, cancelled (deleted).
  const std::string other = "DSP-000042-2";
  create["task_key"] = other;
  ApplyResult second_task =
      connector_->apply(action(Action::Kind::kCreate, other, other + ":create", "", create));
  ASSERT_EQ(second_task.status, ApplyResult::Status::kApplied)
      << second_task.message << violations();
  expect_applied(connector_->apply(action(Action::Kind::kCancel, other, other + ":cancel",
                                          second_task.external_ref,
                                          {{"task_key", other}, {"reason", "dispute withdrawn"}})),
                 "cancel");
  PollResult fourth = connector_->poll({third.next_cursor, {}, false});
  EXPECT_EQ(fourth.status, PollResult::Status::kOk) << fourth.message << violations();

  EXPECT_EQ(violations(), "")
      << "Prism found requests or answers that break msgraph-todo-subset.yaml";
  // And the traffic did go through Prism: the sandbox saw Graph's paths as Prism forwards them.
  int via_prism = 0, direct = 0;
  for (const auto& r : sandbox_.server().requests()) {
    if (r.path.rfind("/users/", 0) == 0 || r.path == "/$batch") ++via_prism;
    if (r.path.rfind("/v1.0/", 0) == 0) ++direct;
  }
  EXPECT_GE(via_prism, 20);
  EXPECT_EQ(direct, 1)
      << "only the person's own completion goes to the sandbox directly; more means "
         "the plugin bypassed Prism (nextLink/deltaLink not rewritten?)";
}

TEST_F(MsGraphConformance, PrismRefusesAnInvalidTaskSoTheCheckCanFail) {
  // The negative control: a body the description forbids is refused before reaching the sandbox.
  std::string error;
  auto token = sandbox_.fetch_token(kSecret, error);
  ASSERT_TRUE(token) << error;
  auto lists =
      disputed::sandbox::http_call("GET", prism_->url() + "/users/alex@example.com/todo/lists", "",
                                   {{"Authorization", "Bearer " + token->access_token}});
  ASSERT_EQ(lists.status, 200) << lists.body;
  std::string list = lists.json()["value"][0]["id"];
  auto bad = disputed::sandbox::http_call(
      "POST", prism_->url() + "/users/alex@example.com/todo/lists/" + list + "/tasks",
      R"({"title":5,"importance":"urgent","status":"done"})",
      {{"Authorization", "Bearer " + token->access_token}});
  EXPECT_GE(bad.status, 400);
  EXPECT_LT(bad.status, 500);
  EXPECT_TRUE(sandbox_.tasks_for("").empty());
}

}  // namespace

namespace {

// sendMail through Prism with Microsoft's mail description (msgraph-mail-subset.yaml): the
// plugin's messages in the JSON form (HTML or text, cc, reply-to, a file attachment, X- headers)
// and the sandbox's 202.
class MsGraphMailConformance : public PrismInFrontOfGraph {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        start(MSGRAPH_MAIL_SPEC, "msgraph-mail-prism", {{"mailbox", "alex@example.com"}}));
  }

  static Action message(const std::string& key, const std::string& to, bool html) {
    auto m = sample_message(key, to);
    m.from = {"alex@example.com", "Credit control"};
    m.cc = {{"sam@example.com", ""}};
    if (!html) m.html.clear();
    m.attachments = {{"creditnota.pdf", "application/pdf", "%PDF-1.4 sandbox"}};
    return message_action(m);
  }
};

TEST_F(MsGraphMailConformance, SendMailPassesTheVendorsDescription) {
  ApplyResult html = connector_->apply(message("DSP-9-A", "ap@customer.example", true));
  EXPECT_EQ(html.status, ApplyResult::Status::kApplied) << html.message << violations();
  ApplyResult text = connector_->apply(message("DSP-9-B", "ap@customer.example", false));
  EXPECT_EQ(text.status, ApplyResult::Status::kApplied) << text.message << violations();
  EXPECT_EQ(violations(), "")
      << "Prism found requests or answers that break msgraph-mail-subset.yaml";
  json sent = sandbox_.sent_mail();
  ASSERT_EQ(sent.size(), 2u) << sent.dump(2);
  EXPECT_EQ(sent[0]["message"]["attachments"][0]["name"], "creditnota.pdf");
  int via_prism = 0;
  for (const auto& r : sandbox_.server().requests())
    via_prism += r.path == "/users/alex@example.com/sendMail";
  EXPECT_EQ(via_prism, 2) << "every sendMail went through Prism";
  // Not through Prism: Graph's error answers (a refused recipient's 400), whose innerError strings
  // the description's `additionalProperties: {type: object}` flags (docs/connectors/msgraph.md);
  // msgraph_plugin_test checks them against the sandbox directly.
}

TEST_F(MsGraphMailConformance, PrismRefusesAnInvalidMessageSoTheCheckCanFail) {
  std::string error;
  auto token = sandbox_.fetch_token(kSecret, error);
  ASSERT_TRUE(token) << error;
  auto bad = disputed::sandbox::http_call(
      "POST", prism_->url() + "/users/alex@example.com/sendMail",
      R"({"message":{"subject":5,"toRecipients":"ap@customer.example"},"saveToSentItems":"no"})",
      {{"Authorization", "Bearer " + token->access_token}, {"Content-Type", "application/json"}});
  EXPECT_GE(bad.status, 400);
  EXPECT_LT(bad.status, 500);
  EXPECT_TRUE(sandbox_.sent_mail().empty());
}

}  // namespace
