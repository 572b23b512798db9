#include "core/api/openapi.hpp"

#include <cctype>
#include <stdexcept>

#include "core/config/config_error.hpp"
#include "core/config/json_file.hpp"

namespace disputed::api {

namespace {

using nlohmann::json;

// OpenAPI 3.0's `nullable` is not JSON Schema: {type: T, nullable: true} means T or null.
// `example`s and `enum`s are data, copied as they are.
json convert(const json& node) {
  if (node.is_array()) {
    json out = json::array();
    for (const auto& item : node) out.push_back(convert(item));
    return out;
  }
  if (!node.is_object()) return node;
  json out = json::object();
  for (const auto& [key, value] : node.items()) {
    out[key] = (key == "example" || key == "enum") ? value : convert(value);
  }
  if (out.value("nullable", false)) {
    // Not "type": [T, "null"]: valijson applies "format" (date-time) to null as well.
    out.erase("nullable");
    json inner = std::move(out);
    out = json{{"anyOf", json::array({std::move(inner), json{{"type", "null"}}})}};
  }
  return out;
}

const json* resolve_ref(const json& document, const json* node) {
  for (int hops = 0; node && node->is_object() && node->contains("$ref") && hops < 8; ++hops) {
    const std::string ref = (*node)["$ref"].get<std::string>();
    if (ref.rfind("#/", 0) != 0) return nullptr;
    json::json_pointer pointer(ref.substr(1));
    node = document.contains(pointer) ? &document.at(pointer) : nullptr;
  }
  return node;
}

}  // namespace

const OpenApi& OpenApi::instance() {
  static const OpenApi api;
  return api;
}

OpenApi::OpenApi() {
  auto parsed = config::try_parse_json_text(detail::openapi_json_text());
  if (!parsed) throw config::ConfigError("<embedded openapi.json>", "", parsed.error().message);
  document_ = std::move(parsed).value();
  text_ = document_.dump();
  if (!document_.contains("components") || !document_["components"].contains("schemas"))
    throw config::ConfigError("<embedded openapi.json>", "/components/schemas", "missing");
  components_ = json{{"schemas", convert(document_["components"]["schemas"])}};
}

json OpenApi::to_json_schema(const json& schema) const {
  json out = convert(schema);
  if (!out.is_object())
    throw config::ConfigError("<embedded openapi.json>", "", "a schema must be an object");
  out["components"] = components_;
  return out;
}

const config::JsonSchema& OpenApi::schema(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = schemas_.find(name);
  if (it != schemas_.end()) return *it->second;
  const auto& all = document_["components"]["schemas"];
  if (!all.contains(name))
    throw std::out_of_range("no schema '" + name + "' in the OpenAPI document");
  auto compiled = std::make_unique<config::JsonSchema>(to_json_schema(all[name]),
                                                       "openapi #/components/schemas/" + name);
  return *schemas_.emplace(name, std::move(compiled)).first->second;
}

std::optional<json> OpenApi::response_schema(const std::string& path_template,
                                             const std::string& method, int status,
                                             const std::string& media_type) const {
  std::string escaped;
  for (char c : path_template) {
    if (c == '~')
      escaped += "~0";
    else if (c == '/')
      escaped += "~1";
    else
      escaped += c;
  }
  std::string lower_method;
  for (char c : method) lower_method += char(std::tolower(static_cast<unsigned char>(c)));
  json::json_pointer pointer("/paths/" + escaped + "/" + lower_method + "/responses/" +
                             std::to_string(status));
  if (!document_.contains(pointer)) return std::nullopt;
  const json* response = resolve_ref(document_, &document_.at(pointer));
  if (!response || !response->contains("content")) return std::nullopt;
  const auto& content = (*response)["content"];
  if (!content.contains(media_type)) return std::nullopt;
  const auto& entry = content[media_type];
  if (!entry.contains("schema")) return json::object();
  return to_json_schema(entry["schema"]);
}

}  // namespace disputed::api
