#pragma once
// Internal: the schema texts from configs/schemas/, compiled in by embed_schemas.cmake.
// Use embedded_schema() from json_schema.hpp instead.

#include <span>
#include <string_view>

namespace disputed::config::detail {

struct EmbeddedSchemaText {
  std::string_view name;  // file name without ".schema.json"
  std::string_view text;
};

/// Generated at build time (embedded_schemas.cpp in the build tree), sorted by name.
std::span<const EmbeddedSchemaText> embedded_schema_texts();

}  // namespace disputed::config::detail
