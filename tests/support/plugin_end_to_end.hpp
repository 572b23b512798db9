#pragma once
// The one fixture of the plugins' end-to-end tests: the engine of EngineTest (a DisputeService on
// a temporary SQLite file, a fake clock, the test workflow) plus a connector instance opened the
// way `disputed serve` opens it — its instance file under connectors/, the real plugin host
// (plugin catalog, ABI gate, credentials, HTTP client) and the sync engine on a connection of its
// own, the connectors registered with it. Each plugin's test adds its system (a sandbox, a mail
// sink) and what it checks there.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/app/connectors.hpp"
#include "core/host/connector_host.hpp"
#include "core/store/sqlite.hpp"
#include "core/sync/sync_engine.hpp"
#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::testing {

class PluginEndToEnd : public engine::testing_support::EngineTest {
 protected:
  /// Writes `instance` (an instance file as an operator writes it; its "name" names the file) to
  /// connectors/ and opens every instance there with the plugins in `plugin_dir`, each log line
  /// to `log`. Throws the host's config::ConfigError for an instance it refuses.
  void open_connectors(const nlohmann::json& instance, const std::filesystem::path& plugin_dir,
                       net::LogSink log = {}) {
    close_connectors();  // a test that opens again: the former host first
    dir_.write("connectors/" + instance.at("name").get<std::string>() + ".json", instance.dump(2));
    if (!sync_db_) sync_db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    sync_ = std::make_unique<sync::SyncEngine>(*sync_db_, defs_, clock_);
    host_ = std::make_unique<host::ConnectorHost>(std::vector<std::filesystem::path>{plugin_dir},
                                                  clock_, std::move(log), sync_->plugin_states());
    host_->open(host::read_instance_configs(dir_ / "connectors"));
    app::register_connectors(*host_, *sync_);
  }

  void TearDown() override { close_connectors(); }

  /// Stops the sync engine and closes the connectors, before the sync engine that keeps their
  /// state.
  void close_connectors() {
    if (sync_) sync_->stop();
    host_.reset();
    sync_.reset();
  }

  /// Messages to people go through `transport` (before SetUp): the shipped templates in English,
  /// Dutch and Polish (staff in English), From "Acme credit control <disputes@acme.example>",
  /// Reply-To the dispute's plus address, links to https://disputes.acme.example. Call
  /// app::attach_messaging once the connectors are open.
  void send_messages_through(const std::string& transport) {
    defs_.connector_instances = {"zendesk-support", transport};
    defs_.public_url = "https://disputes.acme.example";
    auto& m = defs_.messaging;
    m.transport = transport;
    m.from_address = "disputes@acme.example";
    m.from_name = "Acme credit control";
    m.reply_to = "disputes+{dispute}@acme.example";
    m.templates_dir = std::filesystem::path(DISPUTED_SOURCE_DIR) / "configs" / "templates";
    m.languages = {"en", "nl", "pl"};
    m.staff_language = "en";
  }

  /// A dispute opened and taken through check and approve: its "book" step is due.
  std::string dispute_at_booking_step() {
    auto v = open();
    EXPECT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
    EXPECT_TRUE(complete(v.dispute.ref, "approve", "approved").ok());
    return v.dispute.ref;
  }

  /// The outbox, one "action_key target kind state last_error; " per row (for assertions and
  /// failure messages).
  std::string outbox() {
    std::string out;
    auto& s = db_->prepare_cached(
        "SELECT action_key, target, kind, state, COALESCE(last_error, '') FROM outbox");
    while (s.step())
      out +=
          s.text(0) + " " + s.text(1) + " " + s.text(2) + " " + s.text(3) + " " + s.text(4) + "; ";
    s.reset();
    return out;
  }

  /// Polls `instance` once, expecting the poll to bring in the completion that resolves `ref`,
  /// made by `completed_by`; `applied` gets how many events the poll applied. Returns the dispute
  /// as it is afterwards.
  domain::Result<engine::DisputeView> poll_and_expect_resolved(const std::string& instance,
                                                               const std::string& ref,
                                                               const std::string& completed_by,
                                                               int& applied) {
    auto poll = sync_->poll_once(instance);
    EXPECT_TRUE(poll.ok) << poll.error;
    applied = poll.applied;
    auto shown = service_->show(ref);
    EXPECT_TRUE(shown.ok()) << ref;
    if (!shown.ok()) return shown;
    EXPECT_EQ(shown->dispute.status, domain::DisputeStatus::kResolved) << outbox();
    if (!shown->steps.empty()) {
      EXPECT_EQ(shown->steps.back().completed_by, completed_by);
    }
    return shown;
  }

  /// The summaries of dispute `ref`'s dossier entries of `kind`, oldest first.
  std::vector<std::string> dossier_summaries(const std::string& ref, const std::string& kind) {
    std::vector<std::string> out;
    auto shown = service_->show(ref, true);
    EXPECT_TRUE(shown.ok()) << ref;
    if (!shown.ok()) return out;
    for (const auto& e : shown.value().dossier)
      if (e.kind == kind) out.push_back(e.summary);
    return out;
  }

  std::unique_ptr<store::Database> sync_db_;
  std::unique_ptr<sync::SyncEngine> sync_;
  std::unique_ptr<host::ConnectorHost> host_;
};

}  // namespace disputed::testing
