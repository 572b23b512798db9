// The SDK's contract suite against the msgraph plugin and the Graph sandbox on loopback.

#include "plugins/msgraph/sandbox/graph_mail.hpp"
#include "plugins/msgraph/tests/msgraph_env.hpp"

namespace {

using namespace disputed::msgraph::testing;

class GraphEnvironment : public kit::ContractEnvironment {
 public:
  GraphEnvironment() {
    good_ = sandbox_.make_host(kSecret);
    bad_ = sandbox_.make_host("wrong-secret");
  }

  std::filesystem::path plugin_library() const override { return MSGRAPH_PLUGIN; }
  std::filesystem::path manifest_file() const override { return MSGRAPH_MANIFEST; }

  std::string good_settings() const override {
    return json{{"graph_base_url", sandbox_.url() + "/v1.0"},
                {"check_user", "alex@example.com"},
                {"mailbox", "alex@example.com"},
                {"dispute_url", "https://disputed.example.com/disputes/{dispute}"}}
        .dump();
  }

  std::vector<kit::BadSettings> bad_settings() const override {
    return {{json{{"graph_base_url", "http://graph.example.com/v1.0"},
                  {"check_user", "alex@example.com"}}
                 .dump(),
             "/graph_base_url", "plain http off loopback"},
            {json{{"check_user", "alex@example.com"}, {"cancel_mode", "archive"}}.dump(),
             "/cancel_mode", "delete or complete"},
            {json{{"graph_base_url", sandbox_.url() + "/v1.0"}}.dump(), "/check_user", "required"},
            {json{{"check_user", "a/b"}}.dump(), "/check_user", "not a UPN"},
            {json{{"check_user", "alex@example.com"}, {"mailbox", "two words"}}.dump(), "/mailbox",
             "not a UPN"},
            {json{{"check_user", "alex@example.com"}, {"reminder_minutes_before", -5}}.dump(),
             "/reminder_minutes_before", "negative"}};
  }

  sdk::Host& host() override { return *good_; }
  sdk::Host* host_with_bad_credentials() override { return bad_.get(); }

  void complete_externally(const std::string& external_ref, const std::string& outcome) override {
    EXPECT_EQ(sandbox_.complete(external_ref, outcome), 200) << "completing " << external_ref;
  }

  std::optional<int> count_messages(const std::string& message_id) override {
    return sandbox_.messages_with_id(message_id);
  }
  std::string refused_recipient() const override {
    return std::string("nobody") + disputed::sandbox::msgraph::kUnresolvedDomain;
  }

  int count_tasks(const std::string& task_key) override {
    return int(sandbox_.tasks_for(task_key).size());
  }

  kit::TaskState task_state(const std::string& task_key) override {
    kit::TaskState s;
    auto tasks = sandbox_.tasks_for(task_key);
    if (tasks.empty()) return s;
    json t = tasks.back();
    for (const auto& candidate : tasks)
      if (!candidate.value("deleted", false)) t = candidate;
    s.detail = t.dump();
    std::string body = t.contains("body") ? t["body"].value("content", "") : "";
    for (std::size_t at = body.find("[disputed "); at != std::string::npos;
         at = body.find("[disputed ", at + 1)) {
      auto end = body.find(']', at);
      std::string key = body.substr(at, end - at);
      if (key.find(":remind") != std::string::npos || key.find(":escalate") != std::string::npos)
        ++s.notes;
    }
    s.urgent = t.value("importance", "") == "high";
    if (t.value("deleted", false) || body.find("] Cancelled in disputed") != std::string::npos) {
      s.lifecycle = kit::TaskState::Lifecycle::kCancelled;
    } else if (t.value("status", "") == "completed") {
      s.lifecycle = body.find("] Closed in disputed") != std::string::npos
                        ? kit::TaskState::Lifecycle::kClosed
                        : kit::TaskState::Lifecycle::kCompleted;
    } else {
      s.lifecycle = kit::TaskState::Lifecycle::kOpen;
    }
    return s;
  }

  bool supports(kit::Fault) const override { return true; }

  void inject(const kit::FaultPlan& plan) override {
    disputed::sandbox::Fault f;
    f.path = "/v1.0/*";
    f.times = plan.times;
    switch (plan.fault) {
      case kit::Fault::kRateLimitedWithRetryAfter:
        f.status = 429;
        f.retry_after = int(plan.retry_after.count());
        break;
      case kit::Fault::kServerError:
        f.status = 503;
        break;
      case kit::Fault::kValidationError:
        f.status = 400;
        break;
      case kit::Fault::kExpiredToken:
        sandbox_.control("/_sandbox/tokens/expire");
        return;
    }
    sandbox_.server().add_fault(f);
  }

  std::optional<int> token_fetches() const override { return sandbox_.token_fetches(); }
  std::string assignee() const override { return "alex@example.com"; }
  void reset() override { sandbox_.reset(); }

 private:
  mutable GraphSandbox sandbox_;
  std::unique_ptr<sdk::testing::FakeHost> good_, bad_;
};

}  // namespace

DISPUTED_CONTRACT_TESTS(MsGraph, [] { return std::make_unique<GraphEnvironment>(); });
