#include "disputed/sdk/kit/json.hpp"

namespace disputed::sdk::kit {

namespace {

// The deepest nesting of arrays and objects in `text`, counted outside strings; stops counting
// once `limit` is passed (the text is refused anyway).
int nesting_depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

const char* type_words(const Json& value) noexcept {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "true or false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    default:
      return "an unusual value";
  }
}

Expected<Json> parse_json(std::string_view text, JsonLimits limits) {
  if (text.size() > limits.max_bytes)
    return Problem{"", "JSON of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                           std::to_string(limits.max_bytes)};
  if (nesting_depth(text, limits.max_depth) > limits.max_depth)
    return Problem{"", "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels"};
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    // nlohmann: "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    auto colon = what.find(": ", what.find("parse error"));
    return Problem{"", "not JSON at byte " + std::to_string(e.byte) +
                           (colon == std::string::npos ? "" : ": " + what.substr(colon + 2))};
  } catch (const std::exception& e) {
    return Problem{"", std::string("not JSON: ") + e.what()};
  }
}

std::string pointer_append(const std::string& pointer, std::string_view key) {
  std::string out = pointer + "/";
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

JsonView JsonView::operator[](std::string_view key) const {
  const Json* child = nullptr;
  if (value_ && value_->is_object()) {
    auto it = value_->find(key);
    if (it != value_->end()) child = &*it;
  }
  return JsonView(child, pointer_append(pointer_, key));
}

JsonView JsonView::operator[](std::size_t index) const {
  const Json* child =
      value_ && value_->is_array() && index < value_->size() ? &(*value_)[index] : nullptr;
  return JsonView(child, pointer_ + "/" + std::to_string(index));
}

Problem JsonView::wrong_type(const char* expected) const {
  if (!exists())
    return problem(value_ ? std::string("is null, expected ") + expected
                          : std::string("missing (expected ") + expected + ")");
  return problem(std::string("expected ") + expected + ", got " + type_words(*value_));
}

Expected<std::string> JsonView::string() const {
  if (!is_string()) return wrong_type("a string");
  return value_->get<std::string>();
}

Expected<std::int64_t> JsonView::integer() const {
  if (!value_ || !value_->is_number_integer()) return wrong_type("an integer");
  if (value_->is_number_unsigned() && value_->get<std::uint64_t>() > std::uint64_t(INT64_MAX))
    return problem("integer out of range");
  return value_->get<std::int64_t>();
}

Expected<bool> JsonView::boolean() const {
  if (!value_ || !value_->is_boolean()) return wrong_type("true or false");
  return value_->get<bool>();
}

Expected<std::string> JsonView::optional_string(std::string fallback) const {
  if (!exists()) return fallback;
  return string();
}

Expected<std::optional<std::int64_t>> JsonView::optional_integer() const {
  if (!exists()) return std::optional<std::int64_t>();
  auto v = integer();
  if (!v) return v.problem();
  return std::optional<std::int64_t>(*v);
}

Expected<bool> JsonView::optional_boolean(bool fallback) const {
  if (!exists()) return fallback;
  return boolean();
}

Expected<std::vector<std::string>> JsonView::string_list() const {
  std::vector<std::string> out;
  if (!exists()) return out;
  if (!is_array()) return wrong_type("a list of strings");
  for (const auto& element : elements()) {
    auto s = element.string();
    if (!s) return s.problem();
    out.push_back(std::move(*s));
  }
  return out;
}

std::string JsonView::string_or(std::string_view fallback) const {
  return is_string() ? value_->get<std::string>() : std::string(fallback);
}

std::optional<std::int64_t> JsonView::integer_or_none() const {
  auto v = integer();
  return v ? std::optional<std::int64_t>(*v) : std::nullopt;
}

bool JsonView::boolean_or(bool fallback) const {
  return value_ && value_->is_boolean() ? value_->get<bool>() : fallback;
}

std::vector<JsonView> JsonView::elements() const {
  std::vector<JsonView> out;
  if (!is_array()) return out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i)
    out.push_back(JsonView(&(*value_)[i], pointer_ + "/" + std::to_string(i)));
  return out;
}

std::vector<std::pair<std::string, JsonView>> JsonView::members() const {
  std::vector<std::pair<std::string, JsonView>> out;
  if (!is_object()) return out;
  for (auto it = value_->begin(); it != value_->end(); ++it)
    out.emplace_back(it.key(), JsonView(&it.value(), pointer_append(pointer_, it.key())));
  return out;
}

}  // namespace disputed::sdk::kit
