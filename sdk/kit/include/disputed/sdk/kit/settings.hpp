#pragma once
/// @file An instance's settings read as typed values, with the defaults the plugin's manifest
/// declares. The host checks the settings against the manifest's `config_schema` before a plugin
/// sees them (types, ranges, patterns, enums, required keys, unknown keys), so a plugin does not
/// re-check by hand: it reads. Defaults live in the schema too ("default" beside a property), so
/// the manifest is the one place that says what a setting is. What a schema cannot say (two
/// settings that exclude each other, a time zone the machine must know) the plugin adds with
/// problem(). Standard library only.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "disputed/sdk/kit/expected.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sdk::kit {

/// The settings of one instance. Keys are JSON pointers into the settings object ("/base_url",
/// "/custom_fields/outcome"). A read of a value of the wrong type (settings that did not pass the
/// schema, e.g. in a test) answers the type's empty value and records a problem naming the key.
class Settings {
 public:
  /// Reads `settings_json` (must be a JSON object) with the defaults of `manifest_json`'s
  /// config_schema (its top-level properties' "default" values). A problem when the settings are
  /// not a JSON object or the manifest is unreadable.
  static Expected<Settings> read(std::string_view settings_json, std::string_view manifest_json);

  Settings(Settings&&) noexcept;
  Settings& operator=(Settings&&) noexcept;
  ~Settings();

  /// Whether the key has a value (given, or by default).
  bool has(std::string_view key) const;
  std::string text(std::string_view key) const;
  /// A URL setting (a base URL requests are appended to): text() without trailing '/'.
  std::string url(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::vector<std::string> text_list(std::string_view key) const;
  std::map<std::string, std::string> text_map(std::string_view key) const;
  std::map<std::string, std::int64_t> integer_map(std::string_view key) const;

  /// Records a problem a schema cannot express, e.g. problem("/cancel_status", "must differ from
  /// close_status").
  void problem(std::string key, std::string what) const;
  /// Every problem recorded so far, in order.
  const std::vector<ConfigProblem>& problems() const noexcept;

 private:
  Settings();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace disputed::sdk::kit
