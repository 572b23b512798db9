// The msgraph plugin's own behaviours beyond the contract kit, against the sandbox in process:
// the dedicated list, delta paging and restarts, deletions, throttling, cancel modes, roles.

#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/msgraph/tests/msgraph_env.hpp"

namespace {

using namespace disputed::msgraph::testing;
using sdk::Action;
using sdk::ApplyResult;
using sdk::PollResult;
using sdk::TaskEvent;

class MsGraphPlugin : public ::testing::Test {
 protected:
  MsGraphPlugin() : sandbox_(disputed::sandbox::Options{{"page_size", "2"}}) {}

  void SetUp() override {
    std::string error;
    plugin_ = kit::PluginUnderTest::load(MSGRAPH_PLUGIN, &error);
    ASSERT_TRUE(plugin_) << error;
    host_ = sandbox_.make_host(kSecret);
    connector_ = open_connector(*host_);
    ASSERT_TRUE(connector_);
  }

  kit::ConnectorPtr open_connector(sdk::Host& host, json extra = json::object()) {
    json settings = {{"graph_base_url", sandbox_.url() + "/v1.0"},
                     {"check_user", "alex@example.com"}};
    settings.update(extra);
    auto c = plugin_->create();
    auto r = c->open(settings.dump(), host);
    EXPECT_TRUE(r.ok) << r.message;
    return c;
  }

  static Action create_action(const std::string& key,
                              const std::string& assignee = "alex@example.com") {
    Action a;
    a.kind = Action::Kind::kCreate;
    a.task_key = key;
    a.action_key = key + ":create";
    a.payload_json = json{{"task_key", key},
                          {"dispute", "DSP-7"},
                          {"subject", "Check " + key},
                          {"assignee", assignee},
                          {"assignee_kind", "person"},
                          {"deadline_at", "2026-03-30T15:00:00Z"},
                          {"deadline_local_date", "2026-03-30"},
                          {"time_zone", "Europe/Amsterdam"},
                          {"outcomes", {"approved", "rejected"}}}
                         .dump();
    return a;
  }

  std::string create(const std::string& key, sdk::Connector* c = nullptr) {
    ApplyResult r = (c ? c : connector_.get())->apply(create_action(key));
    EXPECT_EQ(r.status, ApplyResult::Status::kApplied) << r.message;
    return r.external_ref;
  }

  int lists_named(const std::string& name, const std::string& user = "alex@example.com") {
    int n = 0;
    json state = sandbox_.state();
    for (const auto& l : state["lists"])
      if (l["displayName"] == name && l["user"] == user) ++n;
    return n;
  }

  static int count(const PollResult& r, TaskEvent::Kind kind, const std::string& key) {
    int n = 0;
    for (const auto& e : r.events)
      if (e.kind == kind && e.task_key == key) ++n;
    return n;
  }

  GraphSandbox sandbox_;
  std::shared_ptr<kit::PluginUnderTest> plugin_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  kit::ConnectorPtr connector_;
};

TEST_F(MsGraphPlugin, TheDedicatedListIsCreatedOnceEvenWhenTheStoreIsLost) {
  create("K-1");
  create("K-2");
  EXPECT_EQ(lists_named("Invoice disputes"), 1);
  auto other_host = sandbox_.make_host(kSecret);  // a fresh key-value store
  auto other = open_connector(*other_host);
  create("K-3", other.get());
  EXPECT_EQ(lists_named("Invoice disputes"), 1) << "the list is found by name, not created again";
  auto named = open_connector(*host_, {{"list_name", "Disputes (AR)"}});
  create("K-4", named.get());
  EXPECT_EQ(lists_named("Disputes (AR)"), 1);
}

TEST_F(MsGraphPlugin, TheTaskCarriesTheDueDateInItsZoneAReminderAndOneLinkedResource) {
  std::string ref = create("K-1");
  auto tasks = sandbox_.tasks_for("K-1");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["dueDateTime"],
            json({{"dateTime", "2026-03-30T00:00:00.0000000"}, {"timeZone", "Europe/Amsterdam"}}));
  EXPECT_EQ(tasks[0]["reminderDateTime"]["dateTime"],
            "2026-03-29T15:00:00.0000000");  // 24 h before, UTC
  EXPECT_EQ(tasks[0]["linkedResources"].size(), 1u);
  EXPECT_EQ(tasks[0]["title"], "Check K-1");
  EXPECT_NE(tasks[0]["body"]["content"].get<std::string>().find("approved, rejected"),
            std::string::npos);
}

TEST_F(MsGraphPlugin, AnInvalidatedDeltaTokenRestartsTheRoundWithoutLosingOrRepeatingEvents) {
  std::string a = create("K-A"), b = create("K-B"), c = create("K-C");
  std::vector<sdk::OpenRef> open = {{"K-A", a}, {"K-B", b}, {"K-C", c}};
  PollResult first = connector_->poll({"", open, false});
  ASSERT_EQ(first.status, PollResult::Status::kOk) << first.message;
  EXPECT_TRUE(first.events.empty());
  ASSERT_EQ(sandbox_.complete(a, "approved"), 200);
  auto bar = b.rfind('|');
  auto mid = b.find('|');
  ASSERT_EQ(
      sandbox_
          .graph("DELETE", "/users/alex@example.com/todo/lists/" +
                               b.substr(mid + 1, bar - mid - 1) + "/tasks/" + b.substr(bar + 1))
          .status,
      204);
  ASSERT_EQ(sandbox_.control("/_sandbox/delta/invalidate"), 200);
  PollResult second = connector_->poll({first.next_cursor, open, false});
  ASSERT_EQ(second.status, PollResult::Status::kOk) << second.message;
  EXPECT_EQ(count(second, TaskEvent::Kind::kCompleted, "K-A"), 1);
  EXPECT_EQ(count(second, TaskEvent::Kind::kDeleted, "K-B"), 1)
      << "a full round misses deleted tasks: compared with the open refs";
  EXPECT_EQ(second.events.size(), 2u);
  PollResult third = connector_->poll({second.next_cursor, {{"K-C", c}}, false});
  ASSERT_EQ(third.status, PollResult::Status::kOk);
  EXPECT_TRUE(third.events.empty());
}

TEST_F(MsGraphPlugin, ATaskDeletedByItsUserIsReportedDeletedOnce) {
  std::string a = create("K-A");
  PollResult first = connector_->poll({"", {{"K-A", a}}, false});
  auto bar = a.rfind('|'), mid = a.find('|');
  sandbox_.graph("DELETE", "/users/alex@example.com/todo/lists/" +
                               a.substr(mid + 1, bar - mid - 1) + "/tasks/" + a.substr(bar + 1));
  PollResult second = connector_->poll({first.next_cursor, {{"K-A", a}}, false});
  ASSERT_EQ(second.status, PollResult::Status::kOk);
  ASSERT_EQ(count(second, TaskEvent::Kind::kDeleted, "K-A"), 1);
  PollResult reconciled = connector_->poll({second.next_cursor, {{"K-A", a}}, true});
  ASSERT_EQ(count(reconciled, TaskEvent::Kind::kDeleted, "K-A"), 1);
  EXPECT_EQ(reconciled.events[0].event_id, second.events[0].event_id);
}

TEST_F(MsGraphPlugin, DeltaPagesAreFollowedAndAPollStoppedAtItsPageLimitResumesNextTime) {
  auto limited = open_connector(*host_, {{"max_pages_per_poll", 1}});
  std::vector<sdk::OpenRef> open;
  for (int i = 0; i < 5; ++i) {
    std::string key = "K-" + std::to_string(i);
    open.push_back({key, create(key)});
  }
  PollResult round = limited->poll({"", open, false});
  std::string cursor = round.next_cursor;
  for (int i = 0; i < 5 && round.status == PollResult::Status::kOk; ++i)
    cursor = (round = limited->poll({cursor, open, false})).next_cursor;
  for (const auto& o : open) ASSERT_EQ(sandbox_.complete(o.external_ref, "approved"), 200);
  std::map<std::string, int> completions;
  for (int i = 0; i < 6; ++i) {
    round = limited->poll({cursor, open, false});
    ASSERT_EQ(round.status, PollResult::Status::kOk) << round.message;
    for (const auto& e : round.events) ++completions[e.task_key];
    cursor = round.next_cursor;
  }
  ASSERT_EQ(completions.size(), 5u);
  for (const auto& [key, n] : completions) EXPECT_EQ(n, 1) << key;
}

TEST_F(MsGraphPlugin, AThrottledMailboxMakesThePollRateLimitedWithItsRetryAfter) {
  std::string a = create("K-A");
  ASSERT_EQ(sandbox_.control("/_sandbox/throttle",
                             R"({"user":"alex@example.com","requests":1,"retry_after":9})"),
            201);
  PollResult r = connector_->poll({"", {{"K-A", a}}, false});
  EXPECT_EQ(r.status, PollResult::Status::kRateLimited);
  EXPECT_EQ(r.retry_after, std::chrono::seconds(9));
  ASSERT_EQ(sandbox_.control("/_sandbox/throttle",
                             R"({"user":"alex@example.com","requests":1,"retry_after":4})"),
            201);
  Action remind;
  remind.kind = Action::Kind::kRemind;
  remind.task_key = "K-A";
  remind.action_key = "K-A:remind-1";
  remind.external_ref = a;
  remind.payload_json = R"({"note":"soon"})";
  ApplyResult ar = connector_->apply(remind);
  EXPECT_EQ(ar.status, ApplyResult::Status::kRateLimited);
  EXPECT_EQ(ar.retry_after, std::chrono::seconds(4));
}

TEST_F(MsGraphPlugin, ReconciliationAsksIn20sAndAnInnerThrottleMakesThePollWait) {
  std::vector<sdk::OpenRef> open;
  for (int i = 0; i < 45; ++i)
    open.push_back({"K-" + std::to_string(i), create("K-" + std::to_string(i))});
  PollResult first = connector_->poll({"", open, false});
  ASSERT_EQ(first.status, PollResult::Status::kOk);
  ASSERT_EQ(sandbox_.complete(open[44].external_ref, "rejected"), 200);
  auto before = sandbox_.server().requests().size();
  PollResult reconciled = connector_->poll({first.next_cursor, open, true});
  ASSERT_EQ(reconciled.status, PollResult::Status::kOk) << reconciled.message;
  int batches = 0;
  auto log = sandbox_.server().requests();
  for (std::size_t i = before; i < log.size(); ++i) batches += log[i].path == "/v1.0/$batch";
  EXPECT_EQ(batches, 3);  // 20 + 20 + 5
  ASSERT_EQ(count(reconciled, TaskEvent::Kind::kCompleted, "K-44"), 1)
      << "delta and $batch saw it: reported once";
  EXPECT_EQ(reconciled.events[0].outcome, "rejected");
  ASSERT_EQ(sandbox_.control("/_sandbox/throttle",
                             R"({"user":"alex@example.com","requests":3,"retry_after":6})"),
            201);
  PollResult throttled = connector_->poll({reconciled.next_cursor, open, true});
  EXPECT_EQ(throttled.status, PollResult::Status::kRateLimited);
  EXPECT_EQ(throttled.retry_after, std::chrono::seconds(6));
}

TEST_F(MsGraphPlugin, ARetriedReassignmentMovesTheTaskOnce) {
  std::string a = create("K-A");
  Action move;
  move.kind = Action::Kind::kUpdate;
  move.task_key = "K-A";
  move.action_key = "K-A:reassign-1";
  move.external_ref = a;
  move.payload_json = R"({"assignee":"sam@example.com","assignee_kind":"person"})";
  ApplyResult first = connector_->apply(move);
  ASSERT_EQ(first.status, ApplyResult::Status::kApplied) << first.message;
  move.attempt = 2;  // the answer was lost: the host retries with the old ref
  ApplyResult again = connector_->apply(move);
  EXPECT_TRUE(again.status == ApplyResult::Status::kApplied ||
              again.status == ApplyResult::Status::kAlreadyApplied)
      << again.message;
  EXPECT_EQ(again.external_ref, first.external_ref);
  int live = 0;
  for (const auto& t : sandbox_.tasks_for("K-A")) live += !t["deleted"].get<bool>();
  EXPECT_EQ(live, 1);
  EXPECT_EQ(sandbox_.tasks_for("K-A").back()["user"], "sam@example.com");
}

TEST_F(MsGraphPlugin, CancelModeCompleteClosesWithANoteThatIsNotReportedAsACompletion) {
  auto completing = open_connector(*host_, {{"cancel_mode", "complete"}});
  std::string a = create("K-A", completing.get());
  PollResult first = completing->poll({"", {{"K-A", a}}, false});
  Action cancel;
  cancel.kind = Action::Kind::kCancel;
  cancel.task_key = "K-A";
  cancel.action_key = "K-A:cancel";
  cancel.external_ref = a;
  cancel.payload_json = R"({"reason":"dispute withdrawn"})";
  EXPECT_EQ(completing->apply(cancel).status, ApplyResult::Status::kApplied);
  EXPECT_EQ(completing->apply(cancel).status, ApplyResult::Status::kAlreadyApplied);
  auto task = sandbox_.tasks_for("K-A").at(0);
  EXPECT_EQ(task["status"], "completed");
  EXPECT_FALSE(task["deleted"].get<bool>());
  EXPECT_NE(
      task["body"]["content"].get<std::string>().find("Cancelled in disputed: dispute withdrawn"),
      std::string::npos);
  PollResult second = completing->poll({first.next_cursor, {{"K-A", a}}, true});
  EXPECT_TRUE(second.events.empty());
}

TEST_F(MsGraphPlugin, ARoleIsMappedToAUserAndAnUnmappedRoleIsRejected) {
  auto mapped = open_connector(*host_, {{"role_users", {{"finance", "sam@example.com"}}}});
  Action a = create_action("K-R");
  json payload = json::parse(a.payload_json);
  payload["assignee"] = "finance";
  payload["assignee_kind"] = "role";
  a.payload_json = payload.dump();
  ApplyResult ok = mapped->apply(a);
  EXPECT_EQ(ok.status, ApplyResult::Status::kApplied) << ok.message;
  EXPECT_EQ(ok.external_ref.rfind("sam@example.com|", 0), 0u);
  a.task_key = "K-R2";
  ApplyResult refused = connector_->apply(a);
  EXPECT_EQ(refused.status, ApplyResult::Status::kRejected);
  EXPECT_NE(refused.message.find("role_users"), std::string::npos) << refused.message;
}

TEST_F(MsGraphPlugin, AnUnknownUserIsRejectedAndCheckNamesTheSetting) {
  ApplyResult r = connector_->apply(create_action("K-U", "nobody@example.com"));
  EXPECT_EQ(r.status, ApplyResult::Status::kRejected);
  EXPECT_NE(r.message.find("nobody@example.com"), std::string::npos);
  auto wrong = open_connector(*host_, {{"check_user", "nobody@example.com"}});
  auto check = wrong->check();
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.category, sdk::CheckResult::Category::kConfig);
  EXPECT_NE(check.remedy.find("check_user"), std::string::npos);
}

}  // namespace

namespace {

// A link Graph hands back is followed only under graph_base_url: the instance's token never goes
// to another host (a compromised or misconfigured answer cannot redirect it).
TEST_F(MsGraphPlugin, ALinkOutsideTheBaseUrlIsNeverFollowed) {
  std::string a = create("K-A"), b = create("K-B"), c = create("K-C");
  ASSERT_EQ(sandbox_.control("/_sandbox/links", json{{"base", "http://127.0.0.2:9"}}.dump()), 200);
  std::size_t before = sandbox_.server().requests().size();
  PollResult r = connector_->poll({"", {{"K-A", a}, {"K-B", b}, {"K-C", c}}, false});
  EXPECT_EQ(r.status, PollResult::Status::kRetryable);
  EXPECT_NE(r.message.find("outside graph_base_url"), std::string::npos) << r.message;
  auto requests = sandbox_.server().requests();
  ASSERT_EQ(requests.size(), before + 1) << "only the first delta page was asked for";
  for (const auto& line : host_->log_lines())
    EXPECT_EQ(line.find("127.0.0.2"), std::string::npos) << line;
}

}  // namespace

namespace {

// Messages (capability "message"): sendMail from settings.mailbox, in Graph's JSON form.
class MsGraphMessages : public MsGraphPlugin {
 protected:
  static Action message_action(const std::string& key, const std::string& to) {
    auto m = sample_message(key, to);
    m.in_reply_to = "<DSP-7.thread@disputes.example.com>";
    return disputed::msgraph::testing::message_action(m);
  }
  kit::ConnectorPtr sender() { return open_connector(*host_, {{"mailbox", "sam@example.com"}}); }
};

TEST_F(MsGraphMessages, AMessageGoesOutFromTheMailboxWithItsIdInAnXHeader) {
  auto c = sender();
  ApplyResult r = c->apply(message_action("M-1", "ap@customer.example"));
  ASSERT_EQ(r.status, ApplyResult::Status::kApplied) << r.message;
  EXPECT_EQ(r.external_ref, "<M-1.confirmation@disputes.example.com>");
  json sent = sandbox_.sent_mail();
  ASSERT_EQ(sent.size(), 1u) << sent.dump(2);
  const json& m = sent[0];
  EXPECT_EQ(m["mailbox"], "sam@example.com");
  EXPECT_EQ(m["form"], "json");
  EXPECT_EQ(m["saveToSentItems"], true);
  EXPECT_EQ(m["disputed_message_id"], "<M-1.confirmation@disputes.example.com>");
  const json& message = m["message"];
  EXPECT_EQ(message["subject"], "Wij hebben uw geschil DSP-7 ontvangen");
  EXPECT_EQ(message["body"],
            (json{{"contentType", "html"}, {"content", "<p>Beste Jan Jansen,</p>"}}));
  EXPECT_EQ(message["toRecipients"],
            json::array({{{"emailAddress",
                           {{"address", "ap@customer.example"}, {"name", "Jan Jansen"}}}}}));
  EXPECT_EQ(message["replyTo"][0]["emailAddress"]["address"], "disputes+DSP-7@example.com");
  EXPECT_EQ(message["from"]["emailAddress"]["address"], "disputes@example.com")
      << "another sender than the mailbox (Send As in Exchange)";
  // Only X- headers go through Graph, ours first; Auto-Submitted cannot be set there.
  EXPECT_EQ(message["internetMessageHeaders"],
            json::array({{{"name", "X-Disputed-Message-Id"},
                          {"value", "<M-1.confirmation@disputes.example.com>"}},
                         {{"name", "X-Disputed-Kind"}, {"value", "dispute_confirmation"}}}));
}

TEST_F(MsGraphMessages, ARetryAfterALostAnswerSendsTheMessageAgainWithTheSameId) {
  auto c = sender();
  Action a = message_action("M-2", "ap@customer.example");
  ASSERT_EQ(c->apply(a).status, ApplyResult::Status::kApplied);
  a.attempt = 2;  // the host's commit was lost: Graph cannot be asked whether it went out
  ASSERT_EQ(c->apply(a).status, ApplyResult::Status::kApplied);
  EXPECT_EQ(sandbox_.messages_with_id("<M-2.confirmation@disputes.example.com>"), 2);
}

TEST_F(MsGraphMessages, APermanentRefusalIsADeadLetterAndThrottlingOrAServerErrorIsRetried) {
  auto c = sender();
  ApplyResult refused = c->apply(message_action("M-3", "nobody@unresolved.example"));
  EXPECT_EQ(refused.status, ApplyResult::Status::kRejected);
  EXPECT_NE(refused.message.find("ErrorInvalidRecipients"), std::string::npos) << refused.message;

  ASSERT_EQ(sandbox_.control(
                "/_sandbox/throttle",
                json{{"user", "sam@example.com"}, {"requests", 1}, {"retry_after", 7}}.dump()),
            201);
  ApplyResult throttled = c->apply(message_action("M-4", "ap@customer.example"));
  EXPECT_EQ(throttled.status, ApplyResult::Status::kRateLimited) << throttled.message;
  EXPECT_EQ(throttled.retry_after, std::chrono::seconds(7));

  disputed::sandbox::Fault unavailable;
  unavailable.method = "POST";
  unavailable.path = "/v1.0/users/sam@example.com/sendMail";
  unavailable.status = 503;
  sandbox_.server().add_fault(unavailable);
  EXPECT_EQ(c->apply(message_action("M-4", "ap@customer.example")).status,
            ApplyResult::Status::kRetryable);
  EXPECT_EQ(c->apply(message_action("M-4", "ap@customer.example")).status,
            ApplyResult::Status::kApplied);
  EXPECT_EQ(sandbox_.sent_mail().size(), 1u);

  disputed::sandbox::Fault denied = unavailable;
  denied.status = 403;  // no Mail.Send: the instance is held until an operator grants it
  sandbox_.server().add_fault(denied);
  EXPECT_EQ(c->apply(message_action("M-5", "ap@customer.example")).status,
            ApplyResult::Status::kAuthFailed);
}

TEST_F(MsGraphMessages, WithoutAMailboxAnInstanceSendsNoMessage) {
  ApplyResult r = connector_->apply(message_action("M-6", "ap@customer.example"));
  EXPECT_EQ(r.status, ApplyResult::Status::kRejected);
  EXPECT_NE(r.message.find("settings.mailbox"), std::string::npos) << r.message;
  EXPECT_TRUE(sandbox_.sent_mail().empty());
}

}  // namespace
