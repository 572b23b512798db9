// The SDK's contract suite against the Salesforce plugin and its sandbox. Requests go through the
// SDK's FakeHost (the real host's rules: allowed hosts, bearer token, one retry after 401) into
// the sandbox's Server::serve() in process; the token comes from the sandbox's token endpoint.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/contract.hpp"
#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"
#include "plugins/sandbox/host_bridge.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
namespace sb = disputed::sandbox;
using disputed::sandbox::salesforce::SalesforceEmulator;
using nlohmann::json;

sdk::testing::FakeHostOptions host_options() {
  sdk::testing::FakeHostOptions options;
  options.instance_name = "salesforce-contract";
  options.auth_kind = "oauth2_client_credentials";
  options.allowed_hosts = {"*.my.salesforce.com", "login.salesforce.com", "127.0.0.1:*"};
  return options;
}

class SalesforceEnvironment final : public kit::ContractEnvironment {
 public:
  SalesforceEnvironment() : server_(std::make_unique<SalesforceEmulator>(sb::Options{})) {
    server_.start();
    auto handler = [this](const sdk::HttpRequest& r) { return sb::serve_in_process(server_, r); };
    host_ = std::make_unique<sdk::testing::FakeHost>(
        host_options(), handler, [this](std::string& error) {
          return sb::fetch_token(server_, "/services/oauth2/token", "sandbox-client",
                                 "sandbox-secret", host_->clock().now(), error);
        });
    bad_host_ = std::make_unique<sdk::testing::FakeHost>(
        host_options(), handler, [this](std::string& error) {
          return sb::fetch_token(server_, "/services/oauth2/token", "sandbox-client",
                                 "wrong-secret", host_->clock().now(), error);
        });
  }
  ~SalesforceEnvironment() override { server_.stop(); }

  std::filesystem::path plugin_library() const override { return SALESFORCE_PLUGIN; }
  std::filesystem::path manifest_file() const override { return SALESFORCE_MANIFEST; }

  std::string good_settings() const override {
    return json{{"api_version", "v62.0"},
                {"account_number_field", "Customer_Number__c"},
                {"time_zone", "Europe/Amsterdam"},
                {"dispute_url", "https://disputed.example.com/disputes/{dispute}"}}
        .dump();
  }
  std::vector<kit::BadSettings> bad_settings() const override {
    return {{R"({"api_version": "62"})", "/api_version", "versions look like v62.0"},
            {R"({"external_id_field": "Dispute_Action_Id"})", "/external_id_field",
             "a custom field ends in __c"},
            {R"({"time_zone": "Mars/Olympus_Mons"})", "/time_zone", "an unknown time zone"},
            {R"({"invoice_object": "Invoice__c"})", "/invoice_number_field",
             "the invoice object needs its number field"},
            {R"({"close_status": "Done", "cancel_status": "Done"})", "/cancel_status",
             "a cancel is not a completion"},
            {R"({"colour": 1})", "/colour", "unknown key"}};
  }

  sdk::Host& host() override { return *host_; }
  sdk::Host* host_with_bad_credentials() override { return bad_host_.get(); }
  std::string assignee() const override { return "rep@example.com"; }

  // The rep closes the Task in Salesforce: sets the outcome field, then a closed Status.
  void complete_externally(const std::string& external_ref, const std::string& outcome) override {
    host_->advance(std::chrono::seconds(1));
    std::string token = server_.with_emulator([&](sb::Emulator& e) {
      return static_cast<SalesforceEmulator&>(e).session_for("rep@example.com", server_.url());
    });
    sdk::HttpRequest patch;
    patch.method = "PATCH";
    patch.url = server_.url() + "/services/data/v62.0/sobjects/Task/" + external_ref;
    patch.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    patch.body = json{{"Status", "Completed"}, {"Dispute_Outcome__c", outcome}}.dump();
    auto r = sb::serve_in_process(server_, patch);
    if (r.status != 204)
      ADD_FAILURE() << "the rep could not close Task " << external_ref << ": " << r.status << " "
                    << r.body;
  }

  std::vector<json> tasks(const std::string& key) {
    return server_.with_emulator(
        [&](sb::Emulator& e) { return static_cast<SalesforceEmulator&>(e).tasks_with_key(key); });
  }
  int count_tasks(const std::string& task_key) override {
    return static_cast<int>(tasks(task_key).size());
  }

  kit::TaskState task_state(const std::string& task_key) override {
    kit::TaskState state;
    auto found = tasks(task_key);
    if (found.empty()) return state;
    const json& t = found.front();
    std::string integration = server_.with_emulator(
        [](sb::Emulator& e) { return static_cast<SalesforceEmulator&>(e).integration_user_id(); });
    using L = kit::TaskState::Lifecycle;
    if (!t["IsClosed"].get<bool>())
      state.lifecycle = L::kOpen;
    else if (t["Status"] == "Cancelled")
      state.lifecycle = L::kCancelled;
    else
      state.lifecycle = t["LastModifiedById"] == integration ? L::kClosed : L::kCompleted;
    // Notes disputed added: lines "[disputed <action key>] text" in the Description.
    std::string d = t["Description"].is_string() ? t["Description"].get<std::string>() : "";
    for (std::size_t pos = d.find("[disputed "); pos != std::string::npos;
         pos = d.find("[disputed ", pos + 1)) {
      auto close = d.find("] ", pos);
      auto eol = d.find('\n', pos);
      if (close != std::string::npos && close < eol) ++state.notes;
    }
    state.urgent = t["Priority"] == "High";
    state.detail = t.dump();
    return state;
  }

  bool supports(kit::Fault) const override { return true; }
  void inject(const kit::FaultPlan& plan) override {
    sb::Fault f;
    f.path = "/services/data/*";
    f.times = plan.times;
    switch (plan.fault) {
      case kit::Fault::kRateLimitedWithRetryAfter:
        f.status = 403;  // REQUEST_LIMIT_EXCEEDED; the sandbox adds the Retry-After asked for
        f.retry_after = static_cast<int>(plan.retry_after.count());
        break;
      case kit::Fault::kServerError:
        f.status = 503;
        break;
      case kit::Fault::kValidationError:
        f.method = "PATCH";
        f.status = 400;
        break;
      case kit::Fault::kExpiredToken:
        server_.with_emulator([](sb::Emulator& e) {
          static_cast<SalesforceEmulator&>(e).expire_sessions();
          return 0;
        });
        return;
    }
    server_.add_fault(f);
  }
  std::optional<int> token_fetches() const override { return host_->token_fetches(); }
  void reset() override { server_.reset(); }

 private:
  sb::Server server_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  std::unique_ptr<sdk::testing::FakeHost> bad_host_;
};

}  // namespace

DISPUTED_CONTRACT_TESTS(Salesforce, [] { return std::make_unique<SalesforceEnvironment>(); });
