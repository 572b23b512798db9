#include "core/host/plugin_manifest.hpp"

#include "core/config/config_error.hpp"
#include "core/config/json_file.hpp"
#include "core/config/json_schema.hpp"

namespace disputed::host {

PluginManifest parse_manifest(const std::string& text, const std::string& source) {
  nlohmann::json doc = config::parse_json_text(text, source);
  config::embedded_schema("plugin-manifest").validate_or_throw(doc, source);
  PluginManifest m;
  m.id = doc["id"];
  m.name = doc["name"];
  m.version = doc["version"];
  m.abi_major = doc["sdk_abi"]["major"];
  m.abi_minor = doc["sdk_abi"]["minor"];
  m.license = doc["license"];
  m.status = doc["status"];
  m.auth_kind = doc["auth"]["kind"];
  m.auth_alternatives = doc["auth"].value("alternatives", std::vector<std::string>{});
  m.capabilities = doc["capabilities"].get<std::vector<std::string>>();
  m.allowed_hosts = doc["allowed_hosts"].get<std::vector<std::string>>();
  m.rate_per_second = doc["defaults"]["rate_per_second"];
  m.burst = doc["defaults"]["burst"];
  m.poll_interval_seconds = doc["defaults"]["poll_interval_seconds"];
  m.config_schema = doc["config_schema"];
  if (auto it = doc.find("secrets"); it != doc.end())
    for (const auto& [name, spec] : it->items()) {
      m.secrets[name] = spec.value("required", true);
      if (spec.value("use", std::string("auth")) == "plugin") m.plugin_secrets.insert(name);
    }
  try {
    config::JsonSchema check(m.config_schema, m.id + " config_schema");
  } catch (const std::exception& e) {
    throw config::ConfigError(source, "/config_schema",
                              std::string("is not a usable JSON Schema: ") + e.what());
  }
  m.document = std::move(doc);
  return m;
}

PluginManifest read_manifest(const std::filesystem::path& file) {
  nlohmann::json doc = config::read_json_file(file);
  return parse_manifest(doc.dump(), file.string());
}

}  // namespace disputed::host
