#pragma once
// Connector instances from configs/connectors/*.json: each names a plugin, its settings and its
// secret references. The host finds and checks the plugin, validates the settings against the
// plugin's schema, builds the instance's host services (HTTP, credentials, logger, state) and
// opens the connector. Everything wrong is a start-up error naming the file and key.

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/host/plugin_catalog.hpp"
#include "core/net/host_services.hpp"

namespace disputed::host {

struct InstanceConfig {
  std::filesystem::path file;
  std::string name;
  std::string plugin;
  nlohmann::json settings = nlohmann::json::object();
  std::map<std::string, std::string> secrets;  // name -> env:/file: reference
  nlohmann::json auth = nlohmann::json::object();
  std::vector<std::string> allowed_hosts;
  bool allow_plain_http = false;
  std::optional<double> rate_per_second;
  std::optional<int> burst;
  std::optional<int> poll_interval_seconds;
  std::optional<int> max_attempts;
  bool paused = false;
};

/// Reads and schema-checks every *.json in `dir` (sorted); a missing directory gives none.
/// Throws config::ConfigError naming the file and key path.
std::vector<InstanceConfig> read_instance_configs(const std::filesystem::path& dir);

/// Where plugins are looked for: the config's `plugin_dirs`, then <binary dir>/../plugins, then
/// each entry of $DISPUTED_PLUGIN_PATH (colon-separated).
std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& configured, const char* plugin_path_env);

/// Makes the persistent key-value store of a connector instance (its name given). The engine's
/// lives in the database and is written through the engine's writer (see sync::SyncEngine);
/// without one, instances get an in-memory store.
using PluginStateFactory =
    std::function<std::unique_ptr<sdk::KeyValueStore>(const std::string& instance)>;

class ConnectorHost {
 public:
  struct Instance {
    InstanceConfig config;
    PluginManifest manifest;
    std::unique_ptr<net::HostServices> services;  // declared first: outlives the connector
    std::shared_ptr<sdk::Connector> connector;
  };

  /// `plugin_state` makes each instance's key-value store; the stores it makes must outlive the
  /// host's connectors. `clock` outlives the host.
  ConnectorHost(std::vector<std::filesystem::path> plugin_dirs, const domain::Clock& clock,
                net::LogSink log, PluginStateFactory plugin_state = {});
  ~ConnectorHost();

  /// Loads and opens every instance; throws config::ConfigError for the first that cannot start.
  void open(const std::vector<InstanceConfig>& configs);
  std::vector<Instance>& instances() { return instances_; }
  Instance* find(const std::string& name);
  PluginCatalog& catalog() { return catalog_; }

  /// Tells every connector to stop early (their host's cancelled() turns true), e.g. on SIGTERM
  /// before the sync engine is stopped, so a long poll returns promptly.
  void request_shutdown() { shutdown_.store(true); }

 private:
  PluginCatalog catalog_;
  const domain::Clock& clock_;
  net::LogSink log_;
  PluginStateFactory plugin_state_;
  std::atomic<bool> shutdown_{false};
  std::vector<Instance> instances_;
};

}  // namespace disputed::host
