#pragma once
// What every route handler uses: JSON answers, error answers, query parameters checked with
// errors that name the parameter, and request bodies checked against the OpenAPI contract.
// Shared by api.cpp and the route files beside it (and the web layer's routes).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/api/api_error.hpp"
#include "core/api/http_types.hpp"

namespace disputed::api::handler_support {

HttpResponse json_response(int status, const nlohmann::json& body);
HttpResponse failure(const ApiError& e);
HttpResponse failure(const domain::Error& e);

/// A 422 naming the first query parameter that is not in `allowed`.
std::optional<ApiError> unknown_query_parameters(const HttpRequest& r,
                                                 std::initializer_list<const char*> allowed);
/// The parameter's value, or null when absent.
const std::string* query(const HttpRequest& r, const char* name);
/// Digits only, at most 18 of them; nullopt otherwise.
std::optional<std::int64_t> whole_number(const std::string& text);
/// An integer query parameter in [min, max], or the default when absent.
std::variant<std::int64_t, ApiError> int_parameter(const HttpRequest& r, const char* name,
                                                   std::int64_t fallback, std::int64_t min,
                                                   std::int64_t max);
std::variant<bool, ApiError> bool_parameter(const HttpRequest& r, const char* name);
/// A text query parameter of at most `max_length` bytes (a 422 otherwise); null when absent.
std::variant<const std::string*, ApiError> text_parameter(const HttpRequest& r, const char* name,
                                                          std::size_t max_length);
bool is_json_media_type(const std::string& content_type);

/// The request body as JSON checked against `#/components/schemas/<schema>`: 413 too large,
/// 415 not JSON, 400 malformed (naming line and column), 422 not matching the schema (naming
/// each field). A missing optional body reads as {}.
std::variant<nlohmann::json, ApiError> read_body(const HttpRequest& r, const std::string& schema,
                                                 bool required, std::size_t max_bytes);

std::string text_or(const nlohmann::json& doc, const char* key, std::string fallback = {});
std::optional<std::string> optional_text(const nlohmann::json& doc, const char* key);

}  // namespace disputed::api::handler_support
