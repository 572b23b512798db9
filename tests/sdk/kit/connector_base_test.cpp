// The kit's base class keeps the SDK's promises at the boundary: nothing escapes, payloads are
// read through the contract, each kind reaches its handler, and nothing runs before open().

#include "disputed/sdk/kit/connector_base.hpp"

#include <gmock/gmock.h>

#include <stdexcept>

#include "disputed/sdk/kit/http_policy.hpp"
#include "disputed/sdk/testing/fake_host.hpp"

namespace disputed::sdk::kit {
namespace {

using ::testing::HasSubstr;
using Status = ApplyResult::Status;

constexpr const char* kManifest = R"({"id": "probe", "config_schema": {"type": "object",
  "properties": {"mode": {"type": "string", "default": "calm"}, "limit": {"type": "integer"}}}})";

class ProbeConnector final : public ConnectorBase {
 public:
  ProbeConnector() : ConnectorBase(kManifest, "Probe") {}
  std::string mode;
  std::vector<std::string> calls;

 protected:
  void read_settings(const Settings& settings, bool keep) override {
    std::string m = settings.text("/mode");
    settings.integer("/limit");  // read for its type check
    if (m != "calm" && m != "wild") settings.problem("/mode", "must be calm or wild");
    if (keep) mode = m;
  }
  CheckResult on_check() override {
    if (mode == "wild") throw std::runtime_error("check exploded");
    return {true, CheckResult::Category::kNone, "", ""};
  }
  ApplyResult on_create(const Action&, const TaskPayload& p) override {
    calls.push_back("create " + p.subject);
    if (p.subject == "throw") throw std::runtime_error("create exploded");
    if (p.subject == "alloc") throw std::bad_alloc();
    return applied("T-1");
  }
  ApplyResult on_cancel(const Action&, const TaskPayload& p) override {
    calls.push_back("cancel " + p.reason);
    return applied("T-1");
  }
  ApplyResult on_remind(const Action&, const TaskPayload& p) override {
    calls.push_back("remind " + p.note);
    return applied("T-1");
  }
  PollResult on_poll(const PollRequest& request) override {
    if (request.cursor == "boom") throw 42;  // not even a std::exception
    PollResult r;
    r.next_cursor = request.cursor + "+";
    return r;
  }
};

Action action(Action::Kind kind, std::string payload) {
  Action a;
  a.kind = kind;
  a.action_key = "DSP-1-1:x";
  a.task_key = "DSP-1-1";
  a.external_ref = "T-1";
  a.payload_json = std::move(payload);
  return a;
}

TEST(ConnectorBase, NothingRunsBeforeOpen) {
  ProbeConnector c;
  EXPECT_EQ(c.apply(action(Action::Kind::kCreate, "{}")).status, Status::kRetryable);
  EXPECT_EQ(c.poll({}).status, PollResult::Status::kRetryable);
  EXPECT_FALSE(c.check().ok);
  EXPECT_TRUE(c.calls.empty());
}

TEST(ConnectorBase, SettingsComeWithTheManifestsDefaultsAndProblemsNameTheKey) {
  ProbeConnector c;
  testing::FakeHost host;
  EXPECT_TRUE(c.validate("{}").empty());
  EXPECT_EQ(c.mode, "");  // validate only looks
  auto problems = c.validate(R"({"mode": "odd", "limit": "ten"})");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].field, "/limit");
  EXPECT_EQ(problems[1].field, "/mode");
  EXPECT_EQ(c.validate("not json").size(), 1u);
  auto refused = c.open(R"({"mode": "odd"})", host);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.message, "invalid settings: /mode: must be calm or wild");
  ASSERT_TRUE(c.open("{}", host).ok);
  EXPECT_EQ(c.mode, "calm");
}

TEST(ConnectorBase, DispatchesEachKindToItsHandlerThroughTheContract) {
  ProbeConnector c;
  testing::FakeHost host;
  ASSERT_TRUE(c.open("{}", host).ok);
  EXPECT_EQ(c.apply(action(Action::Kind::kCreate, R"({"subject": "S"})")).status, Status::kApplied);
  EXPECT_EQ(c.apply(action(Action::Kind::kCancel, R"({"reason": "withdrawn"})")).status,
            Status::kApplied);
  EXPECT_EQ(c.apply(action(Action::Kind::kRemind, R"({"note": "due"})")).status, Status::kApplied);
  EXPECT_EQ(c.calls, (std::vector<std::string>{"create S", "cancel withdrawn", "remind due"}));
  auto update = c.apply(action(Action::Kind::kUpdate, "{}"));  // not overridden
  EXPECT_EQ(update.status, Status::kRejected);
  EXPECT_EQ(update.message, "the Probe connector does not apply updates");
}

// A connector that handles reminders and escalations as one act, with the kind as a flag.
class ReminderConnector final : public ConnectorBase {
 public:
  ReminderConnector() : ConnectorBase(kManifest, "Notes") {}
  std::vector<std::string> calls;

 private:
  void read_settings(const Settings&, bool) override {}
  CheckResult on_check() override { return {true, CheckResult::Category::kNone, "", ""}; }
  ApplyResult on_create(const Action&, const TaskPayload&) override { return applied("N-1"); }
  ApplyResult on_reminder(const Action&, const TaskPayload& p, bool escalate) override {
    calls.push_back((escalate ? "escalate " : "remind ") + p.note);
    return applied("N-1");
  }
  PollResult on_poll(const PollRequest&) override { return {}; }
};

TEST(ConnectorBase, RemindAndEscalateBothReachOnReminderWithTheKindAsAFlag) {
  ReminderConnector c;
  testing::FakeHost host;
  ASSERT_TRUE(c.open("{}", host).ok);
  EXPECT_EQ(c.apply(action(Action::Kind::kRemind, R"({"note": "due"})")).status, Status::kApplied);
  EXPECT_EQ(c.apply(action(Action::Kind::kEscalate, R"({"note": "late"})")).status,
            Status::kApplied);
  EXPECT_EQ(c.calls, (std::vector<std::string>{"remind due", "escalate late"}));
  // Without on_reminder, neither kind is handled; the message names the kind.
  ProbeConnector probe;
  ASSERT_TRUE(probe.open("{}", host).ok);
  auto escalate = probe.apply(action(Action::Kind::kEscalate, "{}"));
  EXPECT_EQ(escalate.status, Status::kRejected);
  EXPECT_EQ(escalate.message, "the Probe connector does not escalate");
}

TEST(ConnectorBase, APayloadTheContractRefusesIsRejectedNamingTheField) {
  ProbeConnector c;
  testing::FakeHost host;
  ASSERT_TRUE(c.open("{}", host).ok);
  auto r = c.apply(action(Action::Kind::kCreate, R"({"subject": 5})"));
  EXPECT_EQ(r.status, Status::kRejected);
  EXPECT_EQ(r.message, "/subject: expected a string, got a number");
  EXPECT_EQ(r.external_ref, "T-1");
  EXPECT_TRUE(c.calls.empty());
}

TEST(ConnectorBase, ExceptionsNeverCrossTheBoundary) {
  ProbeConnector c;
  testing::FakeHost host;
  ASSERT_TRUE(c.open(R"({"mode": "calm"})", host).ok);
  auto thrown = c.apply(action(Action::Kind::kCreate, R"({"subject": "throw"})"));
  EXPECT_EQ(thrown.status, Status::kRetryable);
  EXPECT_EQ(thrown.message, "Probe connector error: create exploded");
  EXPECT_EQ(c.apply(action(Action::Kind::kCreate, R"({"subject": "alloc"})")).status,
            Status::kRetryable);
  PollRequest poll;
  poll.cursor = "boom";
  auto polled = c.poll(poll);
  EXPECT_EQ(polled.status, PollResult::Status::kRetryable);
  EXPECT_EQ(polled.next_cursor, "boom");  // kept
  EXPECT_THAT(polled.message, HasSubstr("unknown exception"));
  EXPECT_THAT(host.log_lines().back(), HasSubstr("poll failed"));

  ProbeConnector wild;
  ASSERT_TRUE(wild.open(R"({"mode": "wild"})", host).ok);
  auto check = wild.check();
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.category, CheckResult::Category::kNetwork);
  EXPECT_THAT(check.message, HasSubstr("check exploded"));
}

class BatchProbe final : public BatchConnectorBase {
 public:
  BatchProbe() : BatchConnectorBase(kManifest, "Batch") {}
  std::size_t max_batch() const noexcept override { return 10; }
  bool batches(Action::Kind kind) const noexcept override { return kind == Action::Kind::kCreate; }

 protected:
  void read_settings(const Settings&, bool) override {}
  CheckResult on_check() override { return {true, CheckResult::Category::kNone, "", ""}; }
  ApplyResult on_create(const Action&, const TaskPayload&) override { return applied("one"); }
  PollResult on_poll(const PollRequest&) override { return {}; }
  void on_batch(std::vector<BatchItem>& items) override {
    for (auto& item : items) {
      if (item.payload.subject == "throw") throw std::runtime_error("batch exploded");
      item.result = applied("T-" + item.payload.subject);
    }
  }
};

TEST(BatchConnectorBase, AnswersEveryActionOnceWhateverHappens) {
  BatchProbe c;
  testing::FakeHost host;
  std::vector<Action> actions = {action(Action::Kind::kCreate, R"({"subject": "1"})"),
                                 action(Action::Kind::kCreate, R"({"subject": 2})"),
                                 action(Action::Kind::kCreate, R"({"subject": "3"})"),
                                 action(Action::Kind::kCreate, R"({"subject": "throw"})"),
                                 action(Action::Kind::kCreate, R"({"subject": "5"})")};
  auto unopened = c.apply_batch(actions);
  ASSERT_EQ(unopened.size(), 5u);
  EXPECT_EQ(unopened[0].status, Status::kRetryable);
  ASSERT_TRUE(c.open("{}", host).ok);
  auto results = c.apply_batch(actions);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].status, Status::kApplied);
  EXPECT_EQ(results[0].external_ref, "T-1");
  EXPECT_EQ(results[1].status, Status::kRejected);  // the contract refused its payload
  EXPECT_EQ(results[1].message, "/subject: expected a string, got a number");
  EXPECT_EQ(results[2].external_ref, "T-3");
  EXPECT_EQ(results[3].status, Status::kRetryable);
  EXPECT_EQ(results[3].message, "Batch connector error: batch exploded");
  EXPECT_EQ(results[4].status, Status::kRetryable);  // never reached: retried
}

}  // namespace
}  // namespace disputed::sdk::kit
