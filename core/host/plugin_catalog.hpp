#pragma once
// Finds plugins on disk and reads their manifests without loading any code. A plugin is
// `lib<name>.so` with `lib<name>.manifest.json` beside it (what add_connector_plugin() builds).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/domain/result.hpp"
#include "core/host/plugin_library.hpp"

namespace disputed::host {

struct CatalogEntry {
  std::filesystem::path library;
  std::filesystem::path manifest_file;
  PluginManifest manifest;
};

class PluginCatalog {
 public:
  /// Scans `directories` in order (missing ones are skipped); the first plugin with an id wins.
  /// A manifest that fails validation or two libraries claiming one id in the same directory
  /// throw config::ConfigError (start-up error naming the file).
  explicit PluginCatalog(const std::vector<std::filesystem::path>& directories);

  const std::map<std::string, CatalogEntry>& entries() const { return entries_; }
  const CatalogEntry* find(const std::string& id) const;
  /// Loads (once) and checks the plugin with this id; the Error says why it was refused.
  domain::Result<std::shared_ptr<LoadedPlugin>> load(const std::string& id);

 private:
  std::map<std::string, CatalogEntry> entries_;
  std::map<std::string, std::shared_ptr<LoadedPlugin>> loaded_;
};

}  // namespace disputed::host
