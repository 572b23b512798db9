#pragma once
// The Salesforce end-to-end tests' fixture (e2e_test, jwt_bearer_test): the engine, the real
// plugin host and the sync engine of PluginEndToEnd, with the workflow's "book" step on an
// instance named "salesforce" and the Salesforce sandbox on a loopback port, driven from outside
// as its users would (sessions, the customer's Account) and read back (its Tasks, its token
// requests).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"
#include "plugins/sandbox/test_client.hpp"
#include "tests/support/plugin_end_to_end.hpp"

namespace disputed::testing {

class SalesforceEndToEndTest : public PluginEndToEnd {
 protected:
  using Emulator = sandbox::salesforce::SalesforceEmulator;

  void SetUp() override {
    defs_.workflows["price"].steps["book"].target = "salesforce";
    defs_.connector_instances = {"salesforce"};
    PluginEndToEnd::SetUp();
    server_.start();
  }
  void TearDown() override {
    PluginEndToEnd::TearDown();
    server_.stop();
  }

  /// The instance's settings in every test: the org's customer number field, Amsterdam dates.
  static nlohmann::json settings() {
    return {{"api_version", "v62.0"},
            {"account_number_field", "Customer_Number__c"},
            {"time_zone", "Europe/Amsterdam"},
            {"request_timeout_ms", 1000}};
  }
  /// Opens `instance` with the salesforce plugin; the host's log lines go to log_.
  void open_salesforce(const nlohmann::json& instance) {
    open_connectors(instance, SALESFORCE_PLUGIN_DIR,
                    [this](sdk::LogLevel, const std::string& line) { log_.push_back(line); });
  }

  /// The sandbox's emulator inside Server::with_emulator.
  static Emulator& emulator(sandbox::Emulator& e) { return static_cast<Emulator&>(e); }
  /// A session of the org's user `email`, as if they had signed in.
  std::string session(const std::string& email) {
    return server_.with_emulator(
        [&](sandbox::Emulator& e) { return emulator(e).session_for(email, server_.url()); });
  }
  /// The User id of `email`.
  std::string user(const std::string& email) {
    return server_.with_emulator([&](sandbox::Emulator& e) { return emulator(e).user_id(email); });
  }
  /// Every Task the org holds.
  std::vector<nlohmann::json> tasks() {
    return server_.with_emulator([&](sandbox::Emulator& e) { return emulator(e).tasks(); });
  }
  /// The customer of the fixture's invoices (C1) as an Account owned by the rep, created through
  /// the API by an administrator; its id ("" when the sandbox refused, a failure here).
  std::string add_customer_account() {
    nlohmann::json account = {
        {"Name", "Acme BV"}, {"Customer_Number__c", "C1"}, {"OwnerId", user("rep@example.com")}};
    auto created = sandbox::http_call(
        "POST", server_.url() + "/services/data/v62.0/sobjects/Account", account.dump(),
        {{"Authorization", "Bearer " + session("manager@example.com")}});
    EXPECT_EQ(created.status, 201) << created.body;
    nlohmann::json answer = created.json();
    return answer.is_object() ? answer.value("id", "") : "";
  }
  /// Requests to the sandbox's token endpoint so far.
  int token_requests() {
    int n = 0;
    for (const auto& r : server_.requests()) n += r.path == "/services/oauth2/token";
    return n;
  }

  sandbox::Server server_{std::make_unique<Emulator>(sandbox::Options{})};
  std::vector<std::string> log_;
};

}  // namespace disputed::testing
