#include "disputed/sdk/testkit/plugin_under_test.hpp"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "disputed/sdk/detail/fingerprint.hpp"
#include "disputed/sdk/version.hpp"
#include "manifest_schema.hpp"

namespace disputed::sdk::testkit {

namespace fs = std::filesystem;
using nlohmann::json;

void ConnectorDeleter::operator()(Connector* connector) const noexcept {
  if (connector && plugin && plugin->destroy_) plugin->destroy_(connector);
}

std::shared_ptr<PluginUnderTest> PluginUnderTest::load(const fs::path& library,
                                                       std::string* error) {
  auto fail = [&](const std::string& message) -> std::shared_ptr<PluginUnderTest> {
    if (error) *error = message;
    return nullptr;
  };
  // One object per path: dlopen would hand back the same handle anyway, and the descriptor and
  // function pointers stay valid for the process (the library is never closed).
  static std::mutex mutex;
  static std::map<fs::path, std::shared_ptr<PluginUnderTest>> loaded;
  std::lock_guard lock(mutex);
  std::error_code ec;
  fs::path key = fs::weakly_canonical(library, ec);
  if (ec) key = library;
  if (auto it = loaded.find(key); it != loaded.end()) return it->second;

  std::string who = "plugin " + library.string();
  if (!fs::exists(library, ec)) return fail(who + " does not exist (was the plugin target built?)");
  dlerror();
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return fail(who + " cannot be loaded: " + (why ? why : "unknown dlopen error"));
  }
  auto plugin = std::shared_ptr<PluginUnderTest>(new PluginUnderTest());
  plugin->path_ = library;
  plugin->handle_ = handle;
  auto descriptor_fn = reinterpret_cast<disputed_plugin_descriptor_fn>(
      dlsym(handle, DISPUTED_PLUGIN_DESCRIPTOR_SYMBOL));
  if (!descriptor_fn)
    return fail(who + " is not a disputed plugin: symbol " DISPUTED_PLUGIN_DESCRIPTOR_SYMBOL
                      " not found (expected the DISPUTED_CONNECTOR_PLUGIN macro)");
  plugin->create_ =
      reinterpret_cast<Connector* (*)()>(dlsym(handle, DISPUTED_PLUGIN_CREATE_SYMBOL));
  plugin->destroy_ =
      reinterpret_cast<void (*)(Connector*)>(dlsym(handle, DISPUTED_PLUGIN_DESTROY_SYMBOL));
  if (!plugin->create_ || !plugin->destroy_)
    return fail(who + " lacks " DISPUTED_PLUGIN_CREATE_SYMBOL
                      " or " DISPUTED_PLUGIN_DESTROY_SYMBOL);
  plugin->descriptor_ = descriptor_fn();
  loaded[key] = plugin;
  return plugin;
}

ConnectorPtr PluginUnderTest::create() const {
  return ConnectorPtr(create_ ? create_() : nullptr, ConnectorDeleter{shared_from_this()});
}

std::vector<std::string> PluginUnderTest::descriptor_problems() const {
  std::vector<std::string> problems;
  const disputed_plugin_descriptor* d = descriptor_;
  if (!d) return {"the descriptor function returned no descriptor"};
  // The fields read below must be inside what the plugin says it exported.
  constexpr std::uint32_t kMinimumSize = sizeof(std::uint32_t) * 3 + sizeof(const char*) * 2;
  if (d->struct_size < kMinimumSize) {
    problems.push_back("the descriptor is " + std::to_string(d->struct_size) +
                       " bytes, expected at least " + std::to_string(kMinimumSize));
    return problems;
  }
  if (d->abi_major != DISPUTED_SDK_ABI_MAJOR)
    problems.push_back("built for SDK ABI " + std::to_string(d->abi_major) + "." +
                       std::to_string(d->abi_minor) + "; the host needs ABI major " +
                       std::to_string(DISPUTED_SDK_ABI_MAJOR));
  else if (d->abi_minor > DISPUTED_SDK_ABI_MINOR)
    problems.push_back("needs SDK ABI " + std::to_string(d->abi_major) + "." +
                       std::to_string(d->abi_minor) + ", newer than this SDK's " +
                       std::to_string(DISPUTED_SDK_ABI_MAJOR) + "." +
                       std::to_string(DISPUTED_SDK_ABI_MINOR));
  std::string fingerprint = d->build_fingerprint ? d->build_fingerprint : "";
  if (fingerprint != DISPUTED_SDK_BUILD_FINGERPRINT)
    problems.push_back("built with '" + fingerprint +
                       "'; this SDK (and a host built with it) was built with '" +
                       DISPUTED_SDK_BUILD_FINGERPRINT +
                       "' (plugins must use the host's compiler, standard library and SDK)");
  if (!d->manifest_json) problems.push_back("the descriptor has no embedded manifest");
  return problems;
}

fs::path manifest_beside(const fs::path& library) {
  std::string stem = library.filename().string();
  if (stem.size() > 3 && stem.ends_with(".so")) stem.resize(stem.size() - 3);
  return library.parent_path() / (stem + ".manifest.json");
}

namespace {

// One JSON pointer step (RFC 6901): a key with '/' or '~' stays one token.
std::string pointer_step(const std::string& token) {
  std::string out = "/";
  for (char c : token) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

// valijson names locations {"<root>", "[steps]", "[2]"}; we speak JSON pointers.
std::string pointer_of(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    bool bracketed = part.size() >= 2 && part.front() == '[' && part.back() == ']';
    out += pointer_step(bracketed ? part.substr(1, part.size() - 2) : part);
  }
  return out;
}

// "Missing required property 'database'." and "Object contains a property that could not be
// validated ...: 'colour'." name the parent object; the key they quote is the field.
std::string quoted_key(const std::string& description) {
  if (description.rfind("Missing required property", 0) != 0 &&
      description.rfind("Object contains a property", 0) != 0)
    return {};
  auto end = description.rfind('\'');
  if (end == std::string::npos || end == 0) return {};
  auto start = description.rfind('\'', end - 1);
  return start == std::string::npos ? std::string()
                                    : description.substr(start + 1, end - start - 1);
}

// valijson reports the failing leaf and then each enclosing level ("Failed to validate against
// schema associated with property name 'x'."); only the leaves help a reader.
bool is_summary(const std::string& description) {
  for (const char* prefix :
       {"Failed to validate against schema associated with", "Failed to validate item #",
        "Failed to validate against child schema", "Cannot validate item #",
        "Failed to validate against additional properties schema"})
    if (description.rfind(prefix, 0) == 0) return true;
  return false;
}

std::vector<std::pair<std::string, std::string>> validate(const json& schema_doc, const json& doc) {
  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_doc);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  std::vector<std::pair<std::string, std::string>> problems;
  if (validator.validate(schema, target, &results)) return problems;
  valijson::ValidationResults::Error error;
  std::vector<std::pair<std::string, std::string>> summaries;
  while (results.popError(error)) {
    std::string pointer = pointer_of(error.context);
    if (auto name = quoted_key(error.description); !name.empty()) pointer += pointer_step(name);
    (is_summary(error.description) ? summaries : problems).emplace_back(pointer, error.description);
  }
  return problems.empty() ? summaries : problems;
}

}  // namespace

std::vector<std::string> manifest_problems(const std::string& manifest_json) {
  try {
    json doc = json::parse(manifest_json, nullptr, false);
    if (doc.is_discarded()) return {": the manifest is not JSON"};
    static const json schema = json::parse(detail::kManifestSchema);
    std::vector<std::string> out;
    for (const auto& [pointer, problem] : validate(schema, doc))
      out.push_back(pointer + ": " + problem);
    // Beyond the schema: the config schema must itself be usable, or the host refuses it.
    if (out.empty()) {
      try {
        validate(doc["config_schema"], json::object());
      } catch (const std::exception& e) {
        out.push_back(std::string("/config_schema: is not a usable JSON Schema: ") + e.what());
      }
    }
    return out;
  } catch (const std::exception& e) {
    return {std::string(": cannot check the manifest: ") + e.what()};
  }
}

std::vector<std::pair<std::string, std::string>> settings_problems(
    const std::string& config_schema_json, const std::string& settings_json) {
  json schema;
  try {
    schema = json::parse(config_schema_json);
  } catch (const std::exception& e) {
    return {{"#config_schema", std::string("the config schema is not JSON: ") + e.what()}};
  }
  json settings = json::parse(settings_json, nullptr, false);
  if (settings.is_discarded()) return {{"", "the settings are not JSON"}};
  try {
    return validate(schema, settings);
  } catch (const std::exception& e) {
    return {{"#config_schema", std::string("the config schema is not usable: ") + e.what()}};
  }
}

std::size_t count_threads() {
  std::error_code ec;
  std::size_t n = 0;
  for (fs::directory_iterator it("/proc/self/task", ec), end; !ec && it != end; it.increment(ec))
    ++n;
  return ec ? 0 : n;
}

}  // namespace disputed::sdk::testkit
