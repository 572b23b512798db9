#pragma once
// A plugin's manifest.json: what the host knows about a plugin before (and without) loading it.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace disputed::host {

struct PluginManifest {
  std::string id;
  std::string name;
  std::string version;
  int abi_major = 0;
  int abi_minor = 0;
  std::string license;
  std::string status;     // alpha | beta | stable
  std::string auth_kind;  // none | basic | bearer | oauth2_client_credentials
  /// Other auth kinds an instance may choose with `auth.kind` (manifest `auth.alternatives`).
  std::vector<std::string> auth_alternatives;
  std::vector<std::string> capabilities;
  std::vector<std::string> allowed_hosts;
  double rate_per_second = 1;
  int burst = 1;
  int poll_interval_seconds = 60;
  nlohmann::json config_schema;
  std::map<std::string, bool> secrets;  // name -> required
  /// Secrets declared `"use": "plugin"`: resolved for the plugin (Host::plugin_secret), never
  /// used for HTTP authentication.
  std::set<std::string> plugin_secrets;
  nlohmann::json document;  // the whole manifest, for comparison with the embedded one
};

/// Parses and validates manifest text (JSON Schema plugin-manifest); throws config::ConfigError
/// naming `source` and the key path.
PluginManifest parse_manifest(const std::string& text, const std::string& source);
/// Reads a manifest file; throws config::ConfigError.
PluginManifest read_manifest(const std::filesystem::path& file);

}  // namespace disputed::host
