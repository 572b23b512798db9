#pragma once
// JSON Schema validation (draft 7, by valijson) with problems a person can read: one entry per
// violation, the field as a JSON pointer ("/steps/0/colour") and a plain-language problem
// ("unknown key"). The schemas in configs/schemas/ are compiled into the library, so a binary
// never needs that folder at run time.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/domain/result.hpp"

namespace disputed::config {

/// A parsed schema; validates any number of documents. Immutable after construction, so one
/// instance may be shared between threads.
class JsonSchema {
 public:
  /// Parses `schema` once. `name` identifies it in messages. Throws ConfigError when the schema
  /// itself is not a valid draft-7 schema (for example a `$ref` that points nowhere).
  JsonSchema(const nlohmann::json& schema, std::string name);
  /// The same from schema text; throws ConfigError for a syntax error too.
  static JsonSchema from_text(std::string_view schema_text, std::string name);

  JsonSchema(JsonSchema&&) noexcept;
  JsonSchema& operator=(JsonSchema&&) noexcept;
  ~JsonSchema();

  const std::string& name() const;
  /// The schema as JSON, e.g. to serve it to API clients.
  const nlohmann::json& document() const;

  /// Every violation in `doc`, empty when it is valid. Never throws (a failure inside the
  /// validator is reported as a problem with an empty field), so the REST layer can use it on
  /// untrusted input.
  std::vector<domain::FieldProblem> problems(const nlohmann::json& doc) const;

  /// Throws ConfigError(source, <field>, <problem>) for the first violation, mentioning how many
  /// more there are.
  void validate_or_throw(const nlohmann::json& doc, const std::string& source) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A schema from configs/schemas/, compiled in at build time; `name` is the file name without
/// ".schema.json" ("workflow", "disputed", ...). Parsed on first use. Throws std::out_of_range for
/// an unknown name.
const JsonSchema& embedded_schema(std::string_view name);
/// The original text of an embedded schema (throws std::out_of_range for an unknown name).
std::string_view embedded_schema_text(std::string_view name);
/// Names of all embedded schemas, sorted.
std::vector<std::string> embedded_schema_names();

}  // namespace disputed::config
