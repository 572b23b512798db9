#pragma once
/// @file Reading JSON from outside (vendor answers, payloads, settings) with bounds and with
/// errors that name the JSON pointer of what is missing or of the wrong type, e.g.
/// "/ticket/custom_fields/2/value: expected a string, got a number".
///
/// This is the one kit header that shows nlohmann/json (the JSON library the plugins build their
/// request bodies with); the SDK's interface headers (disputed/sdk/*.hpp) stay standard-library
/// only. A JsonView never throws: strict accessors answer Expected values, lenient ones a
/// fallback.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "disputed/sdk/kit/expected.hpp"

namespace disputed::sdk::kit {

using Json = nlohmann::json;

/// Bounds checked before a text is parsed.
struct JsonLimits {
  std::size_t max_bytes = 16 * 1024 * 1024;
  int max_depth = 64;  ///< nested arrays and objects
};

/// Parses `text` after checking its size and nesting depth; a problem says which limit or where
/// the syntax broke ("not JSON at byte 17: ..."). Duplicate keys keep the last value.
Expected<Json> parse_json(std::string_view text, JsonLimits limits = {});

/// "/a/b~1c" from a pointer and one more key (RFC 6901 escaping: '~' -> "~0", '/' -> "~1").
std::string pointer_append(const std::string& pointer, std::string_view key);

/// A read-only view of one value inside a document, with its JSON pointer. Views into a missing
/// member are "absent" (and keep the pointer, so a problem can name it). The document must
/// outlive its views.
class JsonView {
 public:
  /// The whole document, pointer "".
  explicit JsonView(const Json& root) : value_(&root) {}
  /// Not on a temporary: the view would outlive the document.
  explicit JsonView(const Json&& root) = delete;

  /// A member of an object (absent when this is not an object or has no such member).
  JsonView operator[](std::string_view key) const;
  /// An element of an array (absent when out of range or not an array).
  JsonView operator[](std::size_t index) const;

  const std::string& pointer() const noexcept { return pointer_; }
  /// Present and not null.
  bool exists() const noexcept { return value_ != nullptr && !value_->is_null(); }
  bool is_object() const noexcept { return value_ && value_->is_object(); }
  bool is_array() const noexcept { return value_ && value_->is_array(); }
  bool is_string() const noexcept { return value_ && value_->is_string(); }
  /// The value itself; nullptr when absent.
  const Json* json() const noexcept { return value_; }

  /// Required values: a problem when absent, null or of another type.
  Expected<std::string> string() const;
  Expected<std::int64_t> integer() const;
  Expected<bool> boolean() const;
  /// Optional values: absent or null gives `fallback`; another type is still a problem.
  Expected<std::string> optional_string(std::string fallback = {}) const;
  Expected<std::optional<std::int64_t>> optional_integer() const;
  Expected<bool> optional_boolean(bool fallback) const;
  /// An array of strings (absent or null: empty); a problem names the first bad element.
  Expected<std::vector<std::string>> string_list() const;

  /// Lenient reads for vendor data where a wrong type means "not there": never a problem.
  std::string string_or(std::string_view fallback = {}) const;
  std::optional<std::int64_t> integer_or_none() const;
  bool boolean_or(bool fallback) const;

  /// The elements of an array (absent or not an array: none), each with its pointer.
  std::vector<JsonView> elements() const;
  /// The members of an object (absent or not an object: none), each with its key.
  std::vector<std::pair<std::string, JsonView>> members() const;

  /// A problem about this value: {pointer(), what}.
  Problem problem(std::string what) const { return {pointer_, std::move(what)}; }

 private:
  JsonView(const Json* value, std::string pointer) : value_(value), pointer_(std::move(pointer)) {}
  Problem wrong_type(const char* expected) const;

  const Json* value_ = nullptr;
  std::string pointer_;
};

/// "a number", "an object", ...: the JSON type of a value as words, for problems.
const char* type_words(const Json& value) noexcept;

}  // namespace disputed::sdk::kit
