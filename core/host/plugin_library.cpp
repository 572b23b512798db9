#include "core/host/plugin_library.hpp"

#include <boost/dll/shared_library.hpp>

#include "disputed/sdk/descriptor.hpp"

namespace disputed::host {

using domain::Error;

struct LoadedPlugin::Library {
  boost::dll::shared_library library;
};

std::string host_build_fingerprint() { return DISPUTED_SDK_BUILD_FINGERPRINT; }

LoadedPlugin::~LoadedPlugin() = default;

void ConnectorDeleter::operator()(sdk::Connector* connector) const {
  if (connector && plugin && plugin->destroy_) plugin->destroy_(connector);
}

domain::Result<std::shared_ptr<sdk::Connector>> LoadedPlugin::create() const {
  sdk::Connector* raw = create_();
  if (!raw)
    return Error::internal("plugin " + manifest_.id + " (" + path_.string() +
                           ") could not create a connector");
  // The deleter holds the library: it stays loaded while this connector lives.
  return std::shared_ptr<sdk::Connector>(raw, ConnectorDeleter{shared_from_this()});
}

domain::Result<std::shared_ptr<LoadedPlugin>> load_plugin(const std::filesystem::path& path,
                                                          const PluginManifest& manifest) {
  std::string who = "plugin " + manifest.id + " (" + path.string() + ")";
  auto plugin = std::shared_ptr<LoadedPlugin>(new LoadedPlugin());
  plugin->path_ = path;
  plugin->manifest_ = manifest;
  plugin->library_ = std::make_unique<LoadedPlugin::Library>();
  boost::system::error_code ec;
  plugin->library_->library.load(
      boost::dll::fs::path(path.string()),
      boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec)
    return Error::invalid(who + " cannot be loaded: " + ec.message() +
                          " (not a shared library, corrupt, or missing a dependency)");
  auto& lib = plugin->library_->library;
  if (!lib.has(DISPUTED_PLUGIN_DESCRIPTOR_SYMBOL))
    return Error::invalid(who +
                          " is not a disputed plugin: symbol " DISPUTED_PLUGIN_DESCRIPTOR_SYMBOL
                          " not found (expected the DISPUTED_CONNECTOR_PLUGIN macro)");
  auto descriptor_fn =
      lib.get<const disputed_plugin_descriptor*()>(DISPUTED_PLUGIN_DESCRIPTOR_SYMBOL);
  const disputed_plugin_descriptor* d = descriptor_fn();
  if (!d) return Error::invalid(who + " returned no descriptor");
  if (d->struct_size < sizeof(std::uint32_t) * 3 + sizeof(const char*) * 2)
    return Error::invalid(who + " has a descriptor of " + std::to_string(d->struct_size) +
                          " bytes, expected at least " +
                          std::to_string(sizeof(disputed_plugin_descriptor)));
  if (d->abi_major != DISPUTED_SDK_ABI_MAJOR)
    return Error::invalid(who + " was built for SDK ABI " + std::to_string(d->abi_major) + "." +
                          std::to_string(d->abi_minor) + "; this host needs ABI major " +
                          std::to_string(DISPUTED_SDK_ABI_MAJOR));
  if (d->abi_minor > DISPUTED_SDK_ABI_MINOR)
    return Error::invalid(who + " needs SDK ABI " + std::to_string(d->abi_major) + "." +
                          std::to_string(d->abi_minor) + ", newer than this host's " +
                          std::to_string(DISPUTED_SDK_ABI_MAJOR) + "." +
                          std::to_string(DISPUTED_SDK_ABI_MINOR));
  std::string fingerprint = d->build_fingerprint ? d->build_fingerprint : "";
  if (fingerprint != host_build_fingerprint())
    return Error::invalid(who + " was built with '" + fingerprint +
                          "'; this host was built with '" + host_build_fingerprint() +
                          "' (plugins must use the host's compiler, standard library and SDK)");
  if (!d->manifest_json) return Error::invalid(who + " has no embedded manifest");
  nlohmann::json embedded = nlohmann::json::parse(d->manifest_json, nullptr, false);
  if (embedded.is_discarded())
    return Error::invalid(who + " has an embedded manifest that is not JSON");
  if (embedded != manifest.document) {
    std::string detail;
    for (const char* key :
         {"id", "version", "sdk_abi", "config_schema", "capabilities", "auth", "allowed_hosts"}) {
      if (embedded.value(key, nlohmann::json()) != manifest.document.value(key, nlohmann::json())) {
        detail = std::string("; '") + key + "' differs: embedded " +
                 embedded.value(key, nlohmann::json()).dump() + ", file " +
                 manifest.document.value(key, nlohmann::json()).dump();
        break;
      }
    }
    return Error::invalid(
        who + ": the manifest file beside it disagrees with the manifest built into it" + detail);
  }
  if (embedded.value("sdk_abi", nlohmann::json::object()).value("major", -1) != int(d->abi_major))
    return Error::invalid(who + ": manifest sdk_abi.major disagrees with the descriptor's " +
                          std::to_string(d->abi_major));
  if (!lib.has(DISPUTED_PLUGIN_CREATE_SYMBOL) || !lib.has(DISPUTED_PLUGIN_DESTROY_SYMBOL))
    return Error::invalid(who + " lacks " DISPUTED_PLUGIN_CREATE_SYMBOL
                                " or " DISPUTED_PLUGIN_DESTROY_SYMBOL);
  plugin->create_ = &lib.get<sdk::Connector*()>(DISPUTED_PLUGIN_CREATE_SYMBOL);
  plugin->destroy_ = &lib.get<void(sdk::Connector*)>(DISPUTED_PLUGIN_DESTROY_SYMBOL);
  return plugin;
}

}  // namespace disputed::host
