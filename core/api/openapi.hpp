#pragma once
// The API contract (docs/api/openapi.yaml), compiled into the binary as JSON. The server answers
// it at /api/v1/openapi.json and validates request bodies against its request schemas, so the
// file and the server cannot drift apart; the contract test checks the answers against the
// response schemas.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/config/json_schema.hpp"

namespace disputed::api {

namespace detail {
/// Generated at build time (openapi_document.cpp in the build tree).
std::string_view openapi_json_text();
}  // namespace detail

class OpenApi {
 public:
  /// The embedded document, parsed on first use. A broken document is a build mistake: throws
  /// config::ConfigError (the tests catch it first).
  static const OpenApi& instance();

  const nlohmann::json& document() const { return document_; }
  /// The document as compact JSON text, as served.
  const std::string& text() const { return text_; }

  /// A JSON Schema (draft 7) validator for `#/components/schemas/<name>`, built once.
  /// Throws std::out_of_range for an unknown name.
  const config::JsonSchema& schema(const std::string& name) const;

  /// The JSON Schema of the answer to `method` `path_template` (e.g. "/disputes/{id}", relative
  /// to the server URL) with `status` and `media_type`; nullopt when the contract does not list
  /// that answer.
  std::optional<nlohmann::json> response_schema(const std::string& path_template,
                                                const std::string& method, int status,
                                                const std::string& media_type) const;

  /// An OpenAPI 3.0 schema as a draft-7 JSON Schema: `nullable: true` becomes a union with
  /// null, and the result carries the document's components so "#/components/schemas/..."
  /// references resolve.
  nlohmann::json to_json_schema(const nlohmann::json& schema) const;

 private:
  OpenApi();
  nlohmann::json document_;
  std::string text_;
  nlohmann::json components_;  // converted components, embedded in every generated schema
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::unique_ptr<config::JsonSchema>, std::less<>> schemas_;
};

}  // namespace disputed::api
