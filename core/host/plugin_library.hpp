#pragma once
// Loading a plugin's shared library behind the ABI gate. Every Boost.DLL call lives in
// plugin_library.cpp.

#include <filesystem>
#include <memory>
#include <string>

#include "core/domain/result.hpp"
#include "core/host/plugin_manifest.hpp"
#include "disputed/sdk/connector.hpp"

namespace disputed::host {

/// The host's own ABI and build fingerprint, as compiled into this binary.
std::string host_build_fingerprint();

class LoadedPlugin;

/// Destroys a connector through its own plugin's destroy function and keeps the library loaded
/// until the last connector from it is gone (a plugin is never unloaded while objects live).
struct ConnectorDeleter {
  std::shared_ptr<const LoadedPlugin> plugin;
  void operator()(sdk::Connector* connector) const;
};
using ConnectorPtr = std::unique_ptr<sdk::Connector, ConnectorDeleter>;

/// A loaded, checked plugin library.
class LoadedPlugin : public std::enable_shared_from_this<LoadedPlugin> {
 public:
  ~LoadedPlugin();
  const PluginManifest& manifest() const { return manifest_; }
  const std::filesystem::path& path() const { return path_; }
  /// A new connector object; an Error when the plugin's factory returned nothing.
  domain::Result<std::shared_ptr<sdk::Connector>> create() const;

 private:
  friend domain::Result<std::shared_ptr<LoadedPlugin>> load_plugin(const std::filesystem::path&,
                                                                   const PluginManifest&);
  friend struct ConnectorDeleter;
  struct Library;
  LoadedPlugin() = default;
  std::filesystem::path path_;
  PluginManifest manifest_;
  std::unique_ptr<Library> library_;
  sdk::Connector* (*create_)() = nullptr;
  void (*destroy_)(sdk::Connector*) = nullptr;
};

/// Loads `library` and checks, before creating anything: the descriptor symbol exists, its ABI
/// major equals the host's and its minor is not newer, its build fingerprint equals the host's,
/// and its embedded manifest equals `manifest` (the file beside it). Each refusal is an Error
/// naming the plugin, what was expected and what was found.
domain::Result<std::shared_ptr<LoadedPlugin>> load_plugin(const std::filesystem::path& library,
                                                          const PluginManifest& manifest);

}  // namespace disputed::host
