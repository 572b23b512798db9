#pragma once
// The connector side of a command: plugins found on the search path, the instances of
// configs/connectors/ opened behind the ABI gate, and the sync engine they are registered with.
// Serving, the sync engine writes through the service's writer and reads on a connection of its
// own; otherwise (`disputed sync`, `connectors --check`) it has a writer of its own.

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <vector>

#include "core/app/commands/command.hpp"
#include "core/engine/command_writer.hpp"
#include "core/host/connector_host.hpp"
#include "core/sync/sync_engine.hpp"

namespace disputed::app {

struct Connectors {
  Connectors() = default;
  Connectors(Connectors&&) = default;
  ~Connectors() {
    if (sync) sync->stop();  // no connector call may be in flight when the host goes
  }
  std::unique_ptr<store::Database> db;        // standalone: the writer's; serving: for reads
  std::unique_ptr<engine::Session> reads;     // serving: the sync engine's read session
  std::unique_ptr<sync::SyncEngine> sync;     // its plugin state stores outlive the connectors
  std::unique_ptr<host::ConnectorHost> host;  // destroyed first: the connectors
};

/// The config's plugin_dirs, resolved against the config file.
std::vector<std::filesystem::path> configured_plugin_dirs(const config::EngineConfig& cfg);

/// The config's connectors_dir, resolved; empty when there is none.
std::filesystem::path connectors_dir(const config::EngineConfig& cfg);

/// Loads the plugins, opens every configured instance and registers it with a sync engine
/// (not started). `writer`: the service's; nullptr gives the sync engine a writer of its own.
/// Lines of the connectors and the sync engine go to `log`.
Connectors open_connectors(const Context& ctx, const Engine& e, std::ostream& log,
                           engine::CommandWriter* writer = nullptr);

}  // namespace disputed::app
