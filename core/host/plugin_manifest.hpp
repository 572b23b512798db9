#pragma once
// A plugin's manifest.json: what the host knows about a plugin before (and without) loading it.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
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
  std::vector<std::string> capabilities;
  std::vector<std::string> allowed_hosts;
  double rate_per_second = 1;
  int burst = 1;
  int poll_interval_seconds = 60;
  nlohmann::json config_schema;
  std::map<std::string, bool> secrets;  // name -> required
  nlohmann::json document;              // the whole manifest, for comparison with the embedded one
};

/// Parses and validates manifest text (JSON Schema plugin-manifest); throws config::ConfigError
/// naming `source` and the key path.
PluginManifest parse_manifest(const std::string& text, const std::string& source);
/// Reads a manifest file; throws config::ConfigError.
PluginManifest read_manifest(const std::filesystem::path& file);

}  // namespace disputed::host
