// End to end: the msgraph plugin loaded by the real plugin host (core/host: ABI gate, instance
// config, cpprestsdk HTTP client, OAuth2 client credentials from the sandbox's token endpoint)
// and driven by the sync engine (core/sync), against the Graph sandbox on a loopback port.
// A dispute's step becomes one To Do task due on the right local day across the DST change;
// completing it through Graph's API advances the dispute; lost answers, 500s and dropped
// connections leave one task.

#include <gmock/gmock.h>
#include <cstdlib>

#include "plugins/msgraph/sandbox/msgraph_sandbox.hpp"
#include "plugins/msgraph/tests/graph_instance.hpp"
#include "plugins/sandbox/sandbox_server.hpp"
#include "plugins/sandbox/test_client.hpp"
#include "tests/support/plugin_end_to_end.hpp"

namespace disputed {
namespace {

using engine::testing_support::at;
using nlohmann::json;

constexpr const char* kInstance = "msgraph";

// The instance file of an operator's msgraph instance against `sandbox`.
json graph_instance(sandbox::Server& sandbox, const json& settings, int max_attempts) {
  return testing::graph_instance(sandbox.url(), settings, max_attempts, kInstance);
}

class MsGraphEndToEnd : public testing::PluginEndToEnd {
 protected:
  void SetUp() override {
    // The "book" step goes to Microsoft To Do; deadlines fall across the spring DST change.
    defs_.workflows["price"].steps["book"].target = kInstance;
    defs_.connector_instances = {kInstance};
    clock_.set(at("2026-03-27T08:00:00Z"));  // Friday, 09:00 in Amsterdam (CET)
    EngineTest::SetUp();

    sandbox_ = std::make_unique<sandbox::Server>(sandbox::make_msgraph_sandbox(
        {{"users", "alex@example.com,sam@example.com,fin@example.com,fay@example.com"}}));
    sandbox_->start();
    open_connectors(
        graph_instance(*sandbox_,
                       {{"dispute_url", "https://disputed.example.com/disputes/{dispute}"},
                        {"role_users", {{"finance", "fin@example.com"}}}},
                       8),
        MSGRAPH_PLUGIN_DIR);
  }

  void TearDown() override {
    PluginEndToEnd::TearDown();
    sandbox_->stop();
  }

  std::string token() {
    auto t =
        sandbox::http_call("POST", sandbox_->url() + "/sandbox-tenant/oauth2/v2.0/token",
                           "grant_type=client_credentials&client_id=sandbox-client&client_secret="
                           "sandbox-secret&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
    return t.json().value("access_token", "");
  }

  std::string requests() {
    std::string out;
    for (const auto& r : sandbox_->requests())
      out += "\n  " + r.at + " " + r.method + " " + r.target + " -> " + std::to_string(r.status);
    return out;
  }

  std::vector<json> live_tasks() {
    std::vector<json> out;
    json state = sandbox::http_call("GET", sandbox_->url() + "/_sandbox/state").json();
    for (const auto& t : state["tasks"])
      if (!t.value("deleted", false)) out.push_back(t);
    return out;
  }

  void add_fault(const std::string& method, const std::string& path, int status, int delay_ms = 0,
                 bool drop = false) {
    sandbox::Fault f;
    f.method = method;
    f.path = path;
    f.status = status;
    f.delay_ms = delay_ms;
    f.drop = drop;
    sandbox_->add_fault(f);
  }

  std::unique_ptr<sandbox::Server> sandbox_;
};

TEST_F(MsGraphEndToEnd, TheHostLoadsThePluginAndCheckProvesTheCredentials) {
  auto* instance = host_->find(kInstance);
  ASSERT_NE(instance, nullptr);
  auto check = instance->connector->check();
  EXPECT_TRUE(check.ok) << check.message << " / " << check.remedy;
}

TEST_F(MsGraphEndToEnd,
       AStepBecomesOneTaskDueOnTheRightDayAcrossDstAndItsCompletionAdvancesTheDispute) {
  auto ref = dispute_at_booking_step();
  auto report = sync_->dispatch_once(kInstance);
  ASSERT_EQ(report.applied, 1) << "retried " << report.retried << ", dead " << report.dead
                               << ", limited " << report.rate_limited << "; outbox: " << outbox();
  auto tasks = live_tasks();
  ASSERT_EQ(tasks.size(), 1u);
  const json& task = tasks[0];
  auto step = service_->show(ref)->steps.back();
  EXPECT_EQ(task["linkedResources"][0]["externalId"], step.task_key);
  EXPECT_EQ(task["linkedResources"][0]["webUrl"], "https://disputed.example.com/disputes/" + ref);
  EXPECT_EQ(task["user"], "fin@example.com");
  // Due Monday 30 March, the first working day after the DST change of Sunday 29 March: the
  // local date with its zone, never that midnight converted to UTC (which is the 29th).
  EXPECT_EQ(task["dueDateTime"]["dateTime"], "2026-03-30T00:00:00.0000000") << task.dump();
  EXPECT_EQ(task["dueDateTime"]["timeZone"], "Europe/Amsterdam");
  EXPECT_TRUE(task["isReminderOn"].get<bool>());
  ASSERT_TRUE(step.external_ref);
  EXPECT_THAT(*step.external_ref, ::testing::EndsWith(task["id"].get<std::string>()));

  EXPECT_EQ(sync_->poll_once(kInstance).applied, 0);
  // The person ticks the task off in To Do / Outlook: Graph's own PATCH.
  auto done = sandbox::http_call(
      "PATCH",
      sandbox_->url() + "/v1.0/users/fin@example.com/todo/lists/" +
          task["listId"].get<std::string>() + "/tasks/" + task["id"].get<std::string>(),
      R"({"status":"completed"})", {{"Authorization", "Bearer " + token()}});
  ASSERT_EQ(done.status, 200) << done.body;
  int applied = 0;
  ASSERT_TRUE(poll_and_expect_resolved(kInstance, ref, "fin@example.com", applied).ok());
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(sync_->poll_once(kInstance).events, 0);
  EXPECT_EQ(live_tasks().size(), 1u);
}

TEST_F(MsGraphEndToEnd, ADroppedConnectionLeavesOneTask) {
  dispute_at_booking_step();
  add_fault("POST", "/v1.0/users/fin@example.com/todo/lists/*", 0, 0,
            true);  // closed, nothing done
  int applied = 0;
  for (int i = 0; i < 4; ++i) {
    auto r = sync_->dispatch_once(kInstance);
    applied += r.applied + r.already_applied;
    EXPECT_LE(live_tasks().size(), 1u);
    clock_.advance(std::chrono::minutes(15));
  }
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(live_tasks().size(), 1u);
}

TEST_F(MsGraphEndToEnd, AnInjected500AndALostCreateAnswerLeaveOneTask) {
  dispute_at_booking_step();
  const std::string tasks_path = "/v1.0/users/fin@example.com/todo/lists/*";
  add_fault("POST", tasks_path, 500);
  EXPECT_EQ(sync_->dispatch_once(kInstance).retried, 1);
  EXPECT_EQ(live_tasks().size(), 0u);

  // The answer is lost: Graph creates the task after the client gave up waiting.
  add_fault("POST", tasks_path, 0, 1500);
  clock_.advance(std::chrono::minutes(15));
  EXPECT_EQ(sync_->dispatch_once(kInstance).retried, 1);
  sandbox_->wait_idle();  // the slow create completes
  ASSERT_EQ(live_tasks().size(), 1u) << "the slow create went through; requests: " << requests();

  clock_.advance(std::chrono::minutes(15));
  auto retry = sync_->dispatch_once(kInstance);
  EXPECT_EQ(retry.already_applied, 1) << "the retry finds the task by its linked resource";
  EXPECT_EQ(live_tasks().size(), 1u);
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 0);
  EXPECT_EQ(live_tasks().size(), 1u);
}

// Issue 16: each escalation level is a To Do task in its target's own list, created once
// although level 1's create loses its answer and the engine restarts and ticks again.
TEST_F(MsGraphEndToEnd, EachEscalationLevelIsOneTaskInItsTargetsListDespiteALostAnswer) {
  defs_.workflows["price"].steps["book"].escalations = {
      workflow::Escalation{1, {domain::AssigneeKind::kPerson, "alex@example.com"}},
      workflow::Escalation{2, {domain::AssigneeKind::kPerson, "sam@example.com"}}};
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);
  auto ref = dispute_at_booking_step();  // due Mon 30 Mar 17:00 Amsterdam (15:00Z)
  ASSERT_EQ(sync_->dispatch_once(kInstance).applied, 1);
  clock_.set(at("2026-03-31T15:00:00Z"));  // one working day overdue
  EXPECT_EQ(service_->tick()->escalations, 1);
  add_fault("POST", "/v1.0/users/alex@example.com/todo/lists/*", 0, 1500);  // answer lost
  EXPECT_EQ(sync_->dispatch_once(kInstance).retried, 1);
  sandbox_->wait_idle();
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);  // a restart
  EXPECT_EQ(service_->tick()->escalations, 0);
  clock_.advance(std::chrono::minutes(15));
  auto retry = sync_->dispatch_once(kInstance);
  EXPECT_EQ(retry.applied + retry.already_applied, 1) << outbox() << requests();
  clock_.set(at("2026-04-01T15:00:00Z"));  // two working days overdue
  EXPECT_EQ(service_->tick()->escalations, 1);
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 1) << outbox();

  std::map<std::string, int> per_user;
  for (const auto& t : live_tasks()) {
    ++per_user[t["user"].get<std::string>()];
    if (t["user"] != "fin@example.com") {
      EXPECT_EQ(t["importance"], "high");
      EXPECT_THAT(t["title"].get<std::string>(), ::testing::StartsWith("Escalated ("));
    }
  }
  EXPECT_EQ(per_user, (std::map<std::string, int>{
                          {"alex@example.com", 1}, {"fin@example.com", 1}, {"sam@example.com", 1}}))
      << requests();
  EXPECT_EQ(service_->tasks("sam@example.com").size(), 1u);
  EXPECT_EQ(dossier_summaries(ref, "escalation").size(), 2u);

  // The step is completed in disputed: the escalation tasks go with the step's own.
  ASSERT_TRUE(complete(ref, "book", "done").ok());
  clock_.advance(std::chrono::minutes(1));
  sync_->dispatch_once(kInstance);
  for (const auto& t : live_tasks())
    EXPECT_NE(t["status"], "notStarted") << t["user"] << " still has an open task";
}

// Issue 16: a To Do reminder sets the task's own reminder, not only a line in its body.
TEST_F(MsGraphEndToEnd, AReminderTurnsTheTasksReminderOnAtTheTime) {
  defs_.workflows["price"].steps["book"].reminders = {{0}};
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);
  dispute_at_booking_step();
  ASSERT_EQ(sync_->dispatch_once(kInstance).applied, 1);
  clock_.set(at("2026-03-30T15:00:00Z"));  // the deadline
  EXPECT_EQ(service_->tick()->reminders, 1);
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 1) << outbox();
  auto tasks = live_tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0]["isReminderOn"].get<bool>());
  EXPECT_EQ(tasks[0]["reminderDateTime"]["dateTime"], "2026-03-30T15:00:00.0000000");
  EXPECT_EQ(tasks[0]["reminderDateTime"]["timeZone"], "UTC");
}

TEST_F(MsGraphEndToEnd, AnExpiredTokenIsRenewedByTheHost) {
  dispute_at_booking_step();
  ASSERT_EQ(sync_->dispatch_once(kInstance).applied, 1);
  ASSERT_EQ(sandbox::http_call("POST", sandbox_->url() + "/_sandbox/tokens/expire").status, 200);
  auto poll = sync_->poll_once(kInstance);
  EXPECT_TRUE(poll.ok) << poll.error;
}

TEST_F(MsGraphEndToEnd, AWithdrawnDisputeDeletesTheTask) {
  auto ref = dispute_at_booking_step();
  ASSERT_EQ(sync_->dispatch_once(kInstance).applied, 1);
  ASSERT_TRUE(service_->withdraw(ref, "customer paid", "clerk").ok());
  sync_->dispatch_once(kInstance);
  EXPECT_EQ(live_tasks().size(), 0u);
  auto poll = sync_->poll_once(kInstance);
  EXPECT_TRUE(poll.ok) << poll.error;
}

}  // namespace
}  // namespace disputed

namespace disputed {
namespace {

using ::testing::HasSubstr;

// Microsoft Graph as the messaging transport (messaging.transport = the msgraph instance): the
// engine's messages go out with sendMail from the instance's mailbox, through the same outbox,
// sync engine and composer as SMTP's.
class MsGraphMailEndToEnd : public testing::PluginEndToEnd {
 protected:
  void SetUp() override {
    send_messages_through(kInstance);
    PluginEndToEnd::SetUp();

    sandbox_ = std::make_unique<sandbox::Server>(
        sandbox::make_msgraph_sandbox({{"users", "disputes@acme.example,alex@example.com"}}));
    sandbox_->start();
    open_connectors(graph_instance(*sandbox_, {{"mailbox", "disputes@acme.example"}}, 3),
                    MSGRAPH_PLUGIN_DIR);
    app::attach_messaging(*host_, *sync_, defs_, "disputed.json");
  }

  void TearDown() override {
    PluginEndToEnd::TearDown();
    if (sandbox_) sandbox_->stop();
  }

  json sent_mail() {
    json state = sandbox::http_call("GET", sandbox_->url() + "/_sandbox/mail").json();
    return state.is_object() ? state.value("sent", json::array()) : json::array();
  }
  static const json* find(const json& sent, const std::string& subject_part) {
    for (const auto& m : sent)
      if (m.value("subject", "").find(subject_part) != std::string::npos) return &m;
    return nullptr;
  }

  std::unique_ptr<sandbox::Server> sandbox_;
};

TEST_F(MsGraphMailEndToEnd, TheConfirmationGoesToTheCustomerThroughGraphsSendMail) {
  auto v = open();
  const std::string ref = v.dispute.ref;
  auto report = sync_->dispatch_once(kInstance);
  EXPECT_EQ(report.dead, 0) << outbox();
  EXPECT_EQ(report.applied, 3) << outbox();  // confirmation, management information, task
  json sent = sent_mail();
  ASSERT_EQ(sent.size(), 3u) << sent.dump(2);

  const json* confirmation = find(sent, "Wij hebben uw geschil " + ref + " ontvangen");
  ASSERT_NE(confirmation, nullptr) << sent.dump(2);
  const json& c = *confirmation;
  EXPECT_EQ(c["mailbox"], "disputes@acme.example");
  EXPECT_EQ(c["to"], json::array({"ap@C1.example"}));
  const json& message = c["message"];
  EXPECT_EQ(message["toRecipients"][0]["emailAddress"]["name"], "Jan Jansen");
  EXPECT_EQ(message["replyTo"][0]["emailAddress"]["address"], "disputes+" + ref + "@acme.example");
  EXPECT_FALSE(message.contains("from")) << "the mailbox is the sender";
  EXPECT_EQ(message["body"]["contentType"], "html");
  EXPECT_THAT(message["body"]["content"].get<std::string>(), HasSubstr("Jan Jansen"));

  // The dossier says what was sent, with the Message-ID Graph carried in X-Disputed-Message-Id.
  auto shown = service_->show(ref, true);
  ASSERT_TRUE(shown.ok());
  bool recorded = false;
  for (const auto& e : shown.value().dossier) {
    if (e.kind != "message_sent") continue;
    auto p = json::parse(e.payload_json);
    EXPECT_EQ(p["instance"], kInstance);
    if (p.value("message_id", "") == c["disputed_message_id"]) recorded = true;
  }
  EXPECT_TRUE(recorded) << c.dump(2);
  EXPECT_THAT(outbox(), ::testing::Not(HasSubstr("pending")));
}

TEST_F(MsGraphMailEndToEnd, APermanentRefusalDeadLettersTheMessageAndThrottlingIsRetried) {
  auto r = request();
  r.contact_email = "ap@unresolved.example";  // Graph cannot resolve the recipient: 400
  ASSERT_EQ(
      sandbox::http_call(
          "POST", sandbox_->url() + "/_sandbox/throttle",
          json{{"user", "disputes@acme.example"}, {"requests", 1}, {"retry_after", 30}}.dump())
          .status,
      201);
  auto v = open(r);
  const std::string ref = v.dispute.ref;
  auto first = sync_->dispatch_once(kInstance);
  EXPECT_GE(first.rate_limited + first.retried, 1) << outbox();
  clock_.advance(std::chrono::minutes(15));
  auto report = sync_->dispatch_once(kInstance);
  EXPECT_EQ(report.dead, 1) << outbox();
  EXPECT_EQ(sent_mail().size(), 2u) << "management and the action-taker still get theirs";
  EXPECT_THAT(outbox(), HasSubstr(ref + ":0:confirmation msgraph message dead"));
  auto failed = dossier_summaries(ref, "message_failed");
  EXPECT_FALSE(failed.empty()) << outbox();
  for (const auto& summary : failed) EXPECT_THAT(summary, HasSubstr("ErrorInvalidRecipients"));
}

}  // namespace
}  // namespace disputed
