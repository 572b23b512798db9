#include "core/config/json_schema.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/config/bounded_keywords.hpp"
#include "core/config/config_error.hpp"
#include "core/config/embedded_schema_data.hpp"
#include "core/config/json_file.hpp"

namespace disputed::config {

namespace {

using nlohmann::json;
using Tokens = std::vector<std::string>;

std::string to_pointer(const Tokens& tokens) {
  std::string out;
  for (const auto& t : tokens) out = pointer_append(out, t);
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_prefix(const Tokens& prefix, const Tokens& tokens) {
  return prefix.size() <= tokens.size() && std::equal(prefix.begin(), prefix.end(), tokens.begin());
}

// valijson names locations as {"<root>", "[steps]", "[2]"}.
Tokens context_tokens(const std::vector<std::string>& context) {
  Tokens tokens;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']')
      tokens.push_back(part.substr(1, part.size() - 2));
    else
      tokens.push_back(part);
  }
  return tokens;
}

// Text between the last pair of single quotes, e.g. the key in valijson's
// "... constraints: 'colour'." and "Missing required property 'id'.".
std::string quoted_name(const std::string& text) {
  auto close = text.rfind('\'');
  if (close == std::string::npos || close == 0) return {};
  auto open = text.rfind(": '", close - 1);
  if (open != std::string::npos) return text.substr(open + 3, close - open - 3);
  open = text.rfind('\'', close - 1);
  return open == std::string::npos ? std::string() : text.substr(open + 1, close - open - 1);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string describe_value(const json& value) {
  switch (value.type()) {
    case json::value_t::string: {
      std::string s = value.get<std::string>();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return "the string " + json(s).dump();
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "the number " + value.dump();
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "a list";
    default:
      return "an unsupported value";
  }
}

std::string type_phrase(const std::string& type) {
  if (type == "integer") return "a whole number";
  if (type == "number") return "a number";
  if (type == "string") return "a string";
  if (type == "boolean") return "true or false";
  if (type == "object") return "an object";
  if (type == "array") return "a list";
  if (type == "null") return "null";
  return type;
}

std::string join(const std::vector<std::string>& items, std::string_view separator,
                 std::string_view last_separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? last_separator : separator;
    out += items[i];
  }
  return out;
}

}  // namespace

struct JsonSchema::Impl {
  std::string name;
  json document;
  valijson::Schema schema;
  // Idle validators, one per concurrent caller (a valijson::Validator keeps per-call caches and
  // is not meant to be shared between threads). Our "pattern" constraints compile their
  // std::regex once, when the schema is parsed.
  std::mutex validators_mutex;
  std::vector<std::unique_ptr<valijson::Validator>> validators;

  // Follows local "$ref"s ("#/definitions/x"); valijson resolved them already, but the messages
  // look at the schema JSON for expected types, limits and key names.
  const json* resolve(const json* node) const {
    for (int hops = 0; node && hops < 16; ++hops) {
      if (!node->is_object()) return node;
      auto ref = node->find("$ref");
      if (ref == node->end() || !ref->is_string()) return node;
      const std::string& target = ref->get_ref<const std::string&>();
      if (!starts_with(target, "#")) return nullptr;
      try {
        json::json_pointer pointer(target.substr(1));
        if (!document.contains(pointer)) return nullptr;
        node = &document.at(pointer);
      } catch (const json::exception&) {
        return nullptr;
      }
    }
    return node;
  }

  const json* child(const json* node, const std::string& token) const {
    node = resolve(node);
    if (!node || !node->is_object()) return nullptr;
    if (auto props = node->find("properties"); props != node->end() && props->contains(token))
      return resolve(&(*props)[token]);
    bool is_index = !token.empty() && std::all_of(token.begin(), token.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
    if (auto items = node->find("items"); is_index && items != node->end() && items->is_object())
      return resolve(&*items);
    if (auto extra = node->find("additionalProperties"); extra != node->end() && extra->is_object())
      return resolve(&*extra);
    for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
      auto branches = node->find(combinator);
      if (branches == node->end() || !branches->is_array()) continue;
      for (const auto& branch : *branches)
        if (const json* found = child(&branch, token)) return found;
    }
    return nullptr;
  }

  // The subschema that governs the value at `tokens`, when it can be told without ambiguity.
  const json* schema_at(const Tokens& tokens) const {
    const json* node = resolve(&document);
    for (const auto& token : tokens) {
      node = child(node, token);
      if (!node) return nullptr;
    }
    return node;
  }

  // Keys the object at `tokens` may have, from "properties" (of every branch of a oneOf).
  std::vector<std::string> known_keys(const json* node) const {
    std::set<std::string> keys;
    node = resolve(node);
    if (!node || !node->is_object()) return {};
    if (auto props = node->find("properties"); props != node->end() && props->is_object())
      for (const auto& item : props->items()) keys.insert(item.key());
    for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
      auto branches = node->find(combinator);
      if (branches == node->end() || !branches->is_array()) continue;
      for (const auto& branch : *branches)
        for (auto& key : known_keys(&branch)) keys.insert(std::move(key));
    }
    return {keys.begin(), keys.end()};
  }
};

namespace {

// Messages valijson adds at every level above a real violation ("Failed to validate item #2
// in array."); the violation itself is reported with its own path, so these add only noise.
bool is_wrapper_message(const std::string& d) {
  return starts_with(d, "Failed to validate against schema associated with property name") ||
         starts_with(d, "Failed to validate item #") ||
         starts_with(d, "Failed to validate against child schema #") ||
         starts_with(d, "Failed to validate against additional properties schema") ||
         starts_with(d, "Failed to validate against schema associated with pattern") ||
         starts_with(d, "Failed to validate against dependent schema");
}

bool is_alternatives_failure(const std::string& d) {
  return starts_with(d, "Failed to validate against any child schemas allowed by oneOf") ||
         starts_with(d, "Failed to validate against any schemas allowed by anyOf");
}

std::string int_or_number(const json& value) {
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d)))
      return std::to_string(static_cast<long long>(d));
  }
  return value.dump();
}

}  // namespace

JsonSchema::JsonSchema(const json& schema, std::string name) : impl_(std::make_unique<Impl>()) {
  impl_->name = std::move(name);
  impl_->document = schema;
  try {
    // valijson sees a copy whose "pattern" and "format" are our bounded checks; messages and
    // document() keep the schema as written.
    json bounded = with_bounded_keywords(impl_->document);
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    register_bounded_keywords(parser);
    valijson::adapters::NlohmannJsonAdapter adapter(bounded);
    parser.populateSchema(adapter, impl_->schema);
  } catch (const std::exception& e) {
    throw ConfigError(impl_->name, "", std::string("invalid JSON Schema: ") + e.what());
  }
}

JsonSchema JsonSchema::from_text(std::string_view schema_text, std::string name) {
  json doc = parse_json_text(schema_text, name);
  return JsonSchema(doc, std::move(name));
}

JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;
JsonSchema::~JsonSchema() = default;

const std::string& JsonSchema::name() const { return impl_->name; }
const json& JsonSchema::document() const { return impl_->document; }

std::vector<domain::FieldProblem> JsonSchema::problems(const json& doc) const {
  std::vector<domain::FieldProblem> out;
  try {
    std::unique_ptr<valijson::Validator> validator;
    {
      std::lock_guard lock(impl_->validators_mutex);
      if (!impl_->validators.empty()) {
        validator = std::move(impl_->validators.back());
        impl_->validators.pop_back();
      }
    }
    if (!validator)
      validator = std::make_unique<valijson::Validator>(valijson::Validator::kStrongTypes);
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(doc);
    bool valid = validator->validate(impl_->schema, target, &results);
    {
      std::lock_guard lock(impl_->validators_mutex);
      impl_->validators.push_back(std::move(validator));
    }
    if (valid) return out;

    struct Raw {
      Tokens tokens;
      std::string description;
    };
    std::vector<Raw> raw;
    for (const auto& error : results)
      raw.push_back({context_tokens(error.context), error.description});

    // When no alternative of a oneOf/anyOf matched, valijson reports every branch's complaints
    // ("missing person", "missing role", ...). If some branch got as far as checking a value
    // inside ({"role": "Finance"} fails the role pattern), that deeper complaint is the useful
    // one; otherwise say once that the value has none of the allowed forms.
    struct FailedAlternatives {
      Tokens tokens;
      bool deeper_problems = false;
    };
    std::vector<FailedAlternatives> failed_alternatives;
    for (const auto& r : raw)
      if (is_alternatives_failure(r.description)) failed_alternatives.push_back({r.tokens, false});
    for (auto& failed : failed_alternatives)
      for (const auto& r : raw)
        if (r.tokens.size() > failed.tokens.size() && is_prefix(failed.tokens, r.tokens) &&
            !is_wrapper_message(r.description))
          failed.deeper_problems = true;

    auto value_at = [&doc](const Tokens& tokens) -> const json* {
      try {
        json::json_pointer pointer(to_pointer(tokens));
        return doc.contains(pointer) ? &doc.at(pointer) : nullptr;
      } catch (const json::exception&) {
        return nullptr;
      }
    };
    auto got = [&](const Tokens& tokens) {
      const json* value = value_at(tokens);
      return value ? " (got " + describe_value(*value) + ")" : std::string();
    };
    auto schema_number = [&](const json* schema, const char* key) -> std::string {
      if (schema && schema->is_object() && schema->contains(key) && (*schema)[key].is_number())
        return int_or_number((*schema)[key]);
      return {};
    };

    std::set<std::pair<std::string, std::string>> seen;
    auto add = [&](std::string field, std::string problem) {
      if (seen.emplace(field, problem).second)
        out.push_back({std::move(field), std::move(problem)});
    };

    for (const auto& r : raw) {
      const std::string& d = r.description;
      if (is_wrapper_message(d)) continue;
      bool alternatives_failure = is_alternatives_failure(d);
      bool suppressed = std::any_of(failed_alternatives.begin(), failed_alternatives.end(),
                                    [&](const FailedAlternatives& f) {
                                      if (!is_prefix(f.tokens, r.tokens)) return false;
                                      if (f.deeper_problems) return r.tokens == f.tokens;
                                      return !(alternatives_failure && r.tokens == f.tokens);
                                    });
      if (suppressed) continue;

      const json* schema = impl_->schema_at(r.tokens);
      std::string field = to_pointer(r.tokens);

      if (auto bounded = bounded_keyword_problem(d)) {
        // A string too long for its pattern usually breaks its own maxLength too: say it once.
        bool said_by_max_length = std::any_of(raw.begin(), raw.end(), [&](const Raw& other) {
          return other.tokens == r.tokens &&
                 starts_with(other.description, "String should be no more than");
        });
        if (!said_by_max_length) add(field, *bounded + got(r.tokens));
      } else if (starts_with(d, "Object contains a property that could not be validated")) {
        std::string key = quoted_name(d);
        std::string problem = "unknown key";
        std::string best;
        std::size_t best_distance = 3;  // suggest only near misses (typos), not any key
        for (const auto& candidate : impl_->known_keys(schema)) {
          std::size_t distance = edit_distance(key, candidate);
          if (distance < best_distance && distance < key.size()) {
            best = candidate;
            best_distance = distance;
          }
        }
        if (!best.empty()) problem += " (did you mean \"" + best + "\"?)";
        add(pointer_append(field, key), problem);
      } else if (starts_with(d, "Missing required property")) {
        add(pointer_append(field, quoted_name(d)), "is required but missing");
      } else if (starts_with(d, "Value type not permitted")) {
        std::vector<std::string> expected;
        if (schema && schema->is_object() && schema->contains("type")) {
          const json& type = (*schema)["type"];
          if (type.is_string())
            expected.push_back(type_phrase(type.get<std::string>()));
          else if (type.is_array())
            for (const auto& t : type)
              if (t.is_string()) expected.push_back(type_phrase(t.get<std::string>()));
        }
        const json* value = value_at(r.tokens);
        std::string problem = expected.empty() ? std::string("has the wrong type")
                                               : "must be " + join(expected, ", ", " or ");
        if (value) problem += ", not " + describe_value(*value);
        add(field, problem);
      } else if (starts_with(d, "Failed to match against any enum values")) {
        std::vector<std::string> allowed;
        if (schema && schema->is_object() && schema->contains("enum"))
          for (const auto& v : (*schema)["enum"]) allowed.push_back(v.dump());
        add(field, allowed.empty()
                       ? "is not one of the allowed values" + got(r.tokens)
                       : "must be one of " + join(allowed, ", ", " or ") + got(r.tokens));
      } else if (starts_with(d, "Failed to match regex")) {
        std::string hint;
        if (schema && schema->is_object()) {
          if (schema->contains("patternErrorMessage") &&
              (*schema)["patternErrorMessage"].is_string())
            hint = (*schema)["patternErrorMessage"].get<std::string>();
          else if (schema->contains("pattern") && (*schema)["pattern"].is_string())
            hint = "must match the pattern " + (*schema)["pattern"].get<std::string>();
        }
        if (hint.empty()) hint = "does not have the expected form";
        add(field, hint + got(r.tokens));
      } else if (starts_with(d, "Expected number greater than or equal to")) {
        std::string limit = schema_number(schema, "minimum");
        add(field, limit.empty() ? d : "must be at least " + limit + got(r.tokens));
      } else if (starts_with(d, "Expected number greater than")) {
        std::string limit = schema_number(schema, "exclusiveMinimum");
        add(field, limit.empty() ? d : "must be greater than " + limit + got(r.tokens));
      } else if (starts_with(d, "Expected number less than or equal to")) {
        std::string limit = schema_number(schema, "maximum");
        add(field, limit.empty() ? d : "must be at most " + limit + got(r.tokens));
      } else if (starts_with(d, "Expected number less than")) {
        std::string limit = schema_number(schema, "exclusiveMaximum");
        add(field, limit.empty() ? d : "must be less than " + limit + got(r.tokens));
      } else if (starts_with(d, "Array should contain no fewer than")) {
        std::string n = schema_number(schema, "minItems");
        add(field, n == "1" ? std::string("must not be empty")
                            : "must have at least " + (n.empty() ? quoted_name(d) : n) + " items");
      } else if (starts_with(d, "Array should contain no more than")) {
        std::string n = schema_number(schema, "maxItems");
        add(field, n.empty() ? d : "must have at most " + n + " items");
      } else if (starts_with(d, "String should be no fewer than")) {
        std::string n = schema_number(schema, "minLength");
        add(field, n == "1" || n.empty() ? std::string("must not be empty")
                                         : "must be at least " + n + " characters long");
      } else if (starts_with(d, "String should be no more than")) {
        std::string n = schema_number(schema, "maxLength");
        add(field, n.empty() ? d : "must be at most " + n + " characters long");
      } else if (starts_with(d, "Object should have no fewer than")) {
        std::string n = schema_number(schema, "minProperties");
        add(field, n == "1" || n.empty() ? std::string("must not be empty")
                                         : "must have at least " + n + " keys");
      } else if (starts_with(d, "Elements at indexes #")) {
        // "Elements at indexes #0 and #2 violate uniqueness constraint."
        auto first = d.find('#');
        auto second = d.find('#', first + 1);
        std::string a = d.substr(first + 1, d.find(' ', first) - first - 1);
        std::string b = d.substr(second + 1, d.find(' ', second) - second - 1);
        add(pointer_append(field, b), "duplicate of item " + a);
      } else if (alternatives_failure) {
        std::string problem = "does not match any of the allowed forms";
        if (schema && schema->is_object() && schema->contains("errorMessage") &&
            (*schema)["errorMessage"].is_string())
          problem = (*schema)["errorMessage"].get<std::string>();
        add(field, problem);
      } else if (starts_with(d, "Failed to validate against exactly one child schema")) {
        add(field, "matches more than one of the allowed forms");
      } else if (starts_with(d, "Failed to match expected value set by 'const'")) {
        std::string expected = schema && schema->is_object() && schema->contains("const")
                                   ? (*schema)["const"].dump()
                                   : "";
        add(field, expected.empty() ? d : "must be " + expected + got(r.tokens));
      } else if (d == "String should be a valid date") {
        add(field, "must be a date written YYYY-MM-DD" + got(r.tokens));
      } else {
        add(field, d);
      }
    }
    if (out.empty()) out.push_back({"", "does not match the schema"});
  } catch (const std::exception& e) {
    out.push_back({"", std::string("could not be validated: ") + e.what()});
  }
  return out;
}

void JsonSchema::validate_or_throw(const json& doc, const std::string& source) const {
  auto found = problems(doc);
  if (found.empty()) return;
  std::string problem = found.front().problem;
  if (found.size() == 2)
    problem += " (and 1 more problem)";
  else if (found.size() > 2)
    problem += " (and " + std::to_string(found.size() - 1) + " more problems)";
  throw ConfigError(source, found.front().field, problem);
}

namespace {

struct EmbeddedRegistry {
  std::map<std::string, JsonSchema, std::less<>> schemas;
};

const EmbeddedRegistry& embedded_registry() {
  // Parsed once, on first use; the schemas are part of the binary, so a failure here is a
  // programming error caught by the tests.
  static const EmbeddedRegistry registry = [] {
    EmbeddedRegistry r;
    for (const auto& entry : detail::embedded_schema_texts()) {
      std::string name(entry.name);
      r.schemas.emplace(name,
                        JsonSchema::from_text(entry.text, "<embedded " + name + ".schema.json>"));
    }
    return r;
  }();
  return registry;
}

}  // namespace

const JsonSchema& embedded_schema(std::string_view name) {
  const auto& schemas = embedded_registry().schemas;
  auto it = schemas.find(name);
  if (it == schemas.end())
    throw std::out_of_range("no embedded JSON Schema named '" + std::string(name) + "'");
  return it->second;
}

std::string_view embedded_schema_text(std::string_view name) {
  for (const auto& entry : detail::embedded_schema_texts())
    if (entry.name == name) return entry.text;
  throw std::out_of_range("no embedded JSON Schema named '" + std::string(name) + "'");
}

std::vector<std::string> embedded_schema_names() {
  std::vector<std::string> names;
  for (const auto& entry : detail::embedded_schema_texts()) names.emplace_back(entry.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace disputed::config
