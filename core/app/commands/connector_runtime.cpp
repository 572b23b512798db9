#include "core/app/commands/connector_runtime.hpp"

#include <ostream>

#include "core/app/connectors.hpp"

namespace disputed::app {

std::vector<std::filesystem::path> configured_plugin_dirs(const config::EngineConfig& cfg) {
  std::vector<std::filesystem::path> dirs;
  if (auto it = cfg.raw.find("plugin_dirs"); it != cfg.raw.end())
    for (const auto& d : *it) dirs.push_back(cfg.resolve(d.get<std::string>()));
  return dirs;
}

std::filesystem::path connectors_dir(const config::EngineConfig& cfg) {
  auto it = cfg.raw.find("connectors_dir");
  return it == cfg.raw.end() ? std::filesystem::path() : cfg.resolve(it->get<std::string>());
}

Connectors open_connectors(const Context& ctx, const Engine& e, std::ostream& log,
                           engine::CommandWriter* writer) {
  Connectors c;
  store::DatabaseOptions options = database_options(e.config);
  // In serve it only reads, while the writer commits: no memory map (DatabaseOptions).
  if (writer) options = options.for_reader();
  c.db = std::make_unique<store::Database>(e.db->file(), options);
  auto sync_log = [&log](const std::string& line) { log << "sync: " << line << std::endl; };
  if (writer) {
    c.db->exec("PRAGMA query_only=1");
    c.reads = std::make_unique<engine::Session>(*c.db, e.definitions, *e.clock);
    c.sync = std::make_unique<sync::SyncEngine>(*writer, *c.reads, *e.clock, sync_log);
  } else {
    c.sync = std::make_unique<sync::SyncEngine>(*c.db, e.definitions, *e.clock, sync_log);
  }
  auto dirs =
      host::plugin_search_path(configured_plugin_dirs(e.config), ctx.env("DISPUTED_PLUGIN_PATH"));
  c.host = std::make_unique<host::ConnectorHost>(
      dirs, *e.clock,
      [&log](sdk::LogLevel level, const std::string& line) {
        if (level >= sdk::LogLevel::kInfo) log << line << std::endl;
      },
      c.sync->plugin_states());
  c.host->open(host::read_instance_configs(connectors_dir(e.config)));
  register_connectors(*c.host, *c.sync);
  attach_messaging(*c.host, *c.sync, e.definitions, e.config.file.string());
  return c;
}

}  // namespace disputed::app
