#pragma once
/// @file Loading a connector plugin the way the host does (dlopen, the descriptor, the factory),
/// without the host: the contract kit and a plugin's own tests need nothing but the SDK.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "disputed/sdk/connector.hpp"
#include "disputed/sdk/descriptor.hpp"

namespace disputed::sdk::testkit {

class PluginUnderTest;

/// Destroys a connector through its own plugin's destroy function (memory allocated inside the
/// plugin is freed there) and keeps the plugin alive while the connector exists.
struct ConnectorDeleter {
  std::shared_ptr<const PluginUnderTest> plugin;  ///< keeps the library's functions valid
  /// Calls the plugin's disputed_plugin_destroy; does nothing for nullptr.
  void operator()(Connector* connector) const noexcept;
};

/// A connector object created by a plugin under test; empty when the factory returned nothing.
using ConnectorPtr = std::unique_ptr<Connector, ConnectorDeleter>;

/// One plugin library, loaded with RTLD_NOW | RTLD_LOCAL like the host loads it. The library is
/// never unloaded: dlclose of a library whose objects may still live (a static, a thread-local)
/// crashes in their destructors, and the host never unloads either.
class PluginUnderTest : public std::enable_shared_from_this<PluginUnderTest> {
 public:
  /// Loads `library` (once per process and path; later calls return the same object) and reads
  /// its three exported symbols. nullptr, with `error` set when given, when the file cannot be
  /// loaded or lacks the descriptor, create or destroy symbol. It does not judge the descriptor:
  /// see descriptor_problems().
  static std::shared_ptr<PluginUnderTest> load(const std::filesystem::path& library,
                                               std::string* error = nullptr);

  /// The library file as given to load().
  const std::filesystem::path& path() const noexcept { return path_; }
  /// The plugin's descriptor (owned by the plugin, static); nullptr when its function returned
  /// none.
  const disputed_plugin_descriptor* descriptor() const noexcept { return descriptor_; }

  /// A new connector from the plugin's factory; an empty pointer when the factory returned
  /// nullptr (its constructor threw or memory ran out).
  ConnectorPtr create() const;

  /// What the host's ABI gate would refuse about the descriptor, one sentence each, empty when
  /// it would pass: missing descriptor, struct too small, another ABI major, a newer minor, a
  /// build fingerprint other than this SDK's DISPUTED_SDK_BUILD_FINGERPRINT, no manifest.
  std::vector<std::string> descriptor_problems() const;

 private:
  PluginUnderTest() = default;
  std::filesystem::path path_;
  void* handle_ = nullptr;
  const disputed_plugin_descriptor* descriptor_ = nullptr;
  Connector* (*create_)() = nullptr;
  void (*destroy_)(Connector*) = nullptr;
  friend struct ConnectorDeleter;
};

/// The manifest file the host reads for `library`: lib<name>.so -> lib<name>.manifest.json in the
/// same directory (what add_connector_plugin() writes).
std::filesystem::path manifest_beside(const std::filesystem::path& library);

/// Problems of a manifest's text against the SDK's manifest schema (plugin-manifest.schema.json,
/// compiled into the kit), each as "<JSON pointer>: <problem>"; empty when valid. Not JSON is
/// one problem with an empty pointer. Never throws.
std::vector<std::string> manifest_problems(const std::string& manifest_json);

/// Problems of a connector instance's settings (JSON text) against a plugin's `config_schema`
/// (JSON text), as the host checks them before calling validate(): each a pair of the JSON
/// pointer of the field and the problem. Never throws; an unusable schema is one problem with
/// the pointer "#config_schema".
std::vector<std::pair<std::string, std::string>> settings_problems(
    const std::string& config_schema_json, const std::string& settings_json);

/// Threads of this process now (entries of /proc/self/task); 0 when it cannot be read.
std::size_t count_threads();

}  // namespace disputed::sdk::testkit
