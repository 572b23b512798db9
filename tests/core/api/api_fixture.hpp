#pragma once
// An Api over a temporary SQLite file with the engine tests' small configuration, a fake clock,
// a running CommandWriter, a ReaderPool and one API key per role. Requests go straight to
// Api::handle (no socket), so these tests are fast; http_server_test covers the listener.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/api/api.hpp"
#include "core/api/auth.hpp"
#include "core/engine/command_writer.hpp"
#include "core/engine/reader_pool.hpp"
#include "core/store/migrations.hpp"
#include "core/store/sync_store.hpp"
#include "tests/core/engine/engine_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::api::testing_support {

using nlohmann::json;

class ApiTest : public ::testing::Test {
 protected:
  ApiTest()
      : defs_(engine::testing_support::test_definitions()),
        clock_(engine::testing_support::at("2026-11-23T08:00:00Z")) {}

  void SetUp() override {
    auto file = dir_ / "api.db";
    writer_db_ = std::make_unique<store::Database>(file);
    store::migrate(*writer_db_);
    session_ = std::make_unique<engine::Session>(*writer_db_, defs_, clock_);
    service_ = &session_->disputes();
    engine::ParsedInvoices parsed;
    parsed.rows.push_back({"line 2", invoice("INV-1", "C1", "1000.00")});
    parsed.rows.push_back({"line 3", invoice("INV-2", "C1", "250.00")});
    parsed.rows.push_back({"line 4", invoice("INV-3", "C2", "99.99")});
    ASSERT_TRUE(service_->import_invoices(parsed, "test").ok());
    for (const char* role : {"admin", "controller", "viewer", "integration"}) {
      auto made = session_->operations().create_api_key(std::string(role) + "-key", role);
      ASSERT_TRUE(made.ok()) << made.error().describe();
      keys_[role] = made->key;
    }
    readers_ =
        std::make_unique<engine::ReaderPool>(file, store::DatabaseOptions{}, defs_, clock_, 4);
    writer_ = std::make_unique<engine::CommandWriter>(*session_);
    writer_->start();
    auth_ = std::make_unique<Authenticator>();
    ApiSettings settings;
    settings.max_body_bytes = 64 * 1024;
    settings.connectors = {{"support-desk", "zendesk", false}, {"crm", "salesforce", true}};
    api_ = std::make_unique<Api>(*readers_, *writer_, *auth_, defs_, clock_, settings);
  }

  void TearDown() override {
    if (writer_) writer_->stop();
  }

  static domain::Invoice invoice(const std::string& number, const std::string& customer,
                                 const char* amount) {
    domain::Invoice inv;
    inv.number = number;
    inv.customer = {customer, customer == "C1" ? "Acme BV" : "Globex NV",
                    "ap@" + customer + ".example", "nl"};
    inv.amount = *domain::Decimal::parse(amount);
    inv.currency = "EUR";
    inv.issue_date = *domain::parse_date("2026-11-01");
    inv.due_date = *domain::parse_date("2026-12-01");
    inv.account_manager = "am@example.com";
    return inv;
  }

  struct Answer {
    int status = 0;
    json body;
    HttpResponse raw;
    std::string header(const std::string& name) const {
      for (const auto& [n, v] : raw.headers)
        if (n == name) return v;
      return {};
    }
  };

  /// `path` may carry a query ("/api/v1/events?after=3"); `role` picks the API key ("" = none).
  Answer call(const std::string& method, const std::string& path, const std::string& body = "",
              const std::string& role = "admin",
              const std::string& content_type = "application/json") {
    HttpRequest r;
    r.method = method;
    auto q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = path.substr(q + 1);
      std::size_t i = 0;
      while (i < rest.size()) {
        auto amp = rest.find('&', i);
        std::string pair = rest.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
        auto eq = pair.find('=');
        r.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
        if (amp == std::string::npos) break;
        i = amp + 1;
      }
    }
    if (!role.empty()) r.headers["authorization"] = "Bearer " + keys_.at(role);
    if (!body.empty() && !content_type.empty()) r.headers["content-type"] = content_type;
    r.body = body;
    Answer a;
    a.raw = api_->handle(r);
    a.status = a.raw.status;
    if (a.raw.content_type.rfind("application/json", 0) == 0)
      a.body = json::parse(a.raw.body, nullptr, false);
    return a;
  }

  /// Turns the oldest outbox row into a dead letter of connector instance `instance` (as the
  /// dispatcher does after a rejection) and returns its id.
  std::int64_t make_dead_letter(const std::string& instance) {
    auto id = writer_->run<std::int64_t>([&](engine::Session& s) -> domain::Result<std::int64_t> {
      auto& db = s.database();
      store::Statement& pick =
          db.prepare_cached("SELECT id FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1");
      if (!pick.step()) return domain::Error::not_found("no outbox row");
      std::int64_t row = pick.int64(0);
      pick.reset();
      db.prepare_cached("UPDATE outbox SET target = ? WHERE id = ?")
          .bind(1, instance)
          .bind(2, row)
          .run();
      store::SyncStore(db).mark_dead(row, 3, "422 Subject is required", clock_.now());
      return row;
    });
    EXPECT_TRUE(id.ok());
    return id.ok() ? id.value() : 0;
  }

  /// Registers a dispute on `invoice` and returns its ref.
  std::string open(const std::string& invoice = "INV-1", const std::string& amount = "100.00") {
    auto a = call("POST", "/api/v1/disputes",
                  json{{"invoices", {{{"number", invoice}, {"amount", amount}}}},
                       {"category", "price"},
                       {"channel", "phone"},
                       {"description", "Contract price not applied"}}
                      .dump());
    EXPECT_EQ(a.status, 201) << a.raw.body;
    return a.body.value("ref", "");
  }

  ::disputed::testing::TempDir dir_;
  workflow::Definitions defs_;
  domain::FakeClock clock_;
  std::unique_ptr<store::Database> writer_db_;
  std::unique_ptr<engine::Session> session_;  // the writer's
  engine::DisputeService* service_ = nullptr;
  std::unique_ptr<engine::ReaderPool> readers_;
  std::unique_ptr<engine::CommandWriter> writer_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<Api> api_;
  std::map<std::string, std::string> keys_;
};

}  // namespace disputed::api::testing_support
