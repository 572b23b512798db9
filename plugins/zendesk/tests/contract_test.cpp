// The SDK's contract suite against the zendesk plugin and its sandbox (in process: the
// FakeHost's requests go straight to the sandbox's Server::serve, no socket). Instantiated
// three times: API token (basic, plugin "zendesk"), OAuth bearer token (plugin "zendesk-oauth"),
// and the API token with poll_mode "incremental".
#include <memory>
#include <nlohmann/json.hpp>

#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/contract.hpp"
#include "plugins/sandbox/host_bridge.hpp"
#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"
#include "plugins/zendesk/tests/zendesk_agent.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
namespace sb = disputed::sandbox;
using nlohmann::json;

constexpr std::int64_t kOutcomeField = 360000000005;

class ZendeskEnvironment final : public kit::ContractEnvironment {
 public:
  explicit ZendeskEnvironment(bool oauth, bool incremental = false)
      : oauth_(oauth),
        incremental_(incremental),
        server_(std::make_shared<sb::Server>(
            sb::make_zendesk_sandbox({{"export_rate_limit", "100000"}}))) {
    auto handler = [server = server_](const sdk::HttpRequest& r) {
      return disputed::sandbox::serve_in_process(*server, r);
    };
    host_ = std::make_unique<sdk::testing::FakeHost>(
        options(oauth ? "sandbox-oauth-token" : "sandbox-token"), handler);
    bad_host_ = std::make_unique<sdk::testing::FakeHost>(options("revoked-token"), handler);
  }

  std::filesystem::path plugin_library() const override {
    return oauth_ ? ZENDESK_OAUTH_PLUGIN : ZENDESK_PLUGIN;
  }
  std::filesystem::path manifest_file() const override {
    return oauth_ ? ZENDESK_OAUTH_MANIFEST : ZENDESK_MANIFEST;
  }
  std::string good_settings() const override {
    json settings = {{"base_url", "https://acme.zendesk.com"},
                     {"custom_fields", {{"outcome", kOutcomeField}}}};
    if (incremental_) settings["poll_mode"] = "incremental";
    return settings.dump();
  }
  std::vector<kit::BadSettings> bad_settings() const override {
    return {{R"({"tags": ["invoice_dispute"]})", "/base_url", "the account URL is required"},
            {R"({"base_url": "http://acme.zendesk.com"})", "/base_url", "plain http off loopback"},
            {R"({"base_url": "https://acme.zendesk.com/api/v2"})", "/base_url",
             "the root URL, not the API's"},
            {R"({"base_url": "https://acme.zendesk.com", "custom_fields": {"outcome": "Outcome"}})",
             "/custom_fields/outcome", "a field id is an integer"},
            {R"({"base_url": "https://acme.zendesk.com", "custom_fields": {"colour": 5}})",
             "/custom_fields/colour", "unknown field name"},
            {R"({"base_url": "https://acme.zendesk.com", "tags": ["two words"]})", "/tags/0",
             "tags have no spaces"},
            {R"({"base_url": "https://acme.zendesk.com", "poll_mode": "search"})", "/poll_mode",
             "unknown mode"},
            {R"({"base_url": "https://acme.zendesk.com", "colour": 1})", "/colour", "unknown key"}};
  }
  sdk::Host& host() override { return *host_; }
  sdk::Host* host_with_bad_credentials() override { return bad_host_.get(); }

  void complete_externally(const std::string& external_ref, const std::string& outcome) override {
    server_->with_emulator([&](sb::Emulator& e) {
      static_cast<sb::zendesk::ZendeskEmulator&>(e).solve(std::stoll(external_ref),
                                                          "agent@example.com", kOutcomeField,
                                                          outcome, "Checked the contract.");
      return 0;
    });
  }
  int count_tasks(const std::string& task_key) override {
    return server_->with_emulator([&](sb::Emulator& e) {
      return static_cast<int>(
          static_cast<sb::zendesk::ZendeskEmulator&>(e).tickets_with_external_id(task_key).size());
    });
  }
  kit::TaskState task_state(const std::string& task_key) override {
    return server_->with_emulator([&](sb::Emulator& e) {
      auto& z = static_cast<sb::zendesk::ZendeskEmulator&>(e);
      kit::TaskState state;
      auto tickets = z.tickets_with_external_id(task_key);
      if (tickets.empty()) return state;
      const json& t = tickets.front();
      auto tagged = [&](const char* tag) {
        for (const auto& x : t["tags"])
          if (x == tag) return true;
        return false;
      };
      std::string status = t["status"];
      using L = kit::TaskState::Lifecycle;
      state.lifecycle = tagged("disputed_cancelled")               ? L::kCancelled
                        : tagged("disputed_closed")                ? L::kClosed
                        : status == "solved" || status == "closed" ? L::kCompleted
                                                                   : L::kOpen;
      auto comments = z.comments(t["id"].get<std::int64_t>());
      for (std::size_t i = 1; i < comments.size(); ++i)  // the first is the description
        if (comments[i]["body"].get<std::string>().find("[disputed:") != std::string::npos)
          ++state.notes;
      state.urgent = t["priority"] == "urgent";
      state.detail = t.dump();
      return state;
    });
  }
  bool supports(kit::Fault fault) const override { return fault != kit::Fault::kExpiredToken; }
  void inject(const kit::FaultPlan& plan) override {
    sb::Fault f;
    f.times = plan.times;
    if (plan.fault == kit::Fault::kValidationError) {
      f.method = "POST";
      f.path = "/api/v2/tickets";
      f.status = 422;
    } else {
      f.path = "/api/v2/*";
      f.status = plan.fault == kit::Fault::kRateLimitedWithRetryAfter ? 429 : 503;
      if (plan.fault == kit::Fault::kRateLimitedWithRetryAfter)
        f.retry_after = int(plan.retry_after.count());
    }
    server_->add_fault(f);
  }
  void reset() override { server_->reset(); }

 private:
  sdk::testing::FakeHostOptions options(const std::string& secret) const {
    auto o = sb::zendesk::agent_host_options(secret, oauth_);
    o.instance_name = oauth_ ? "zendesk-oauth-contract" : "zendesk-contract";
    return o;
  }

  bool oauth_;
  bool incremental_;
  std::shared_ptr<sb::Server> server_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  std::unique_ptr<sdk::testing::FakeHost> bad_host_;
};

}  // namespace

DISPUTED_CONTRACT_TESTS(Zendesk, [] { return std::make_unique<ZendeskEnvironment>(false); });
DISPUTED_CONTRACT_TESTS(ZendeskOAuth, [] { return std::make_unique<ZendeskEnvironment>(true); });
// The cursor incremental export as the poll source (poll_mode "incremental").
DISPUTED_CONTRACT_TESTS(ZendeskIncremental,
                        [] { return std::make_unique<ZendeskEnvironment>(false, true); });
