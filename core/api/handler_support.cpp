#include "core/api/handler_support.hpp"

#include <algorithm>

#include "core/api/openapi.hpp"
#include "core/config/json_file.hpp"

namespace disputed::api::handler_support {

using domain::Error;
using nlohmann::json;

HttpResponse json_response(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = config::dump_json(body);
  return r;
}

HttpResponse failure(const ApiError& e) { return error_response(e); }
HttpResponse failure(const Error& e) { return error_response(ApiError::from(e)); }

std::optional<ApiError> unknown_query_parameters(const HttpRequest& r,
                                                 std::initializer_list<const char*> allowed) {
  for (const auto& parameter : r.query) {
    const std::string& name = parameter.first;  // not a structured binding: clang 14 cannot
                                                // capture one in the lambda below
    bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; });
    if (!known) {
      std::string names;
      for (const char* a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      return ApiError::make(
          422, "invalid_argument", "unknown query parameter", name,
          "is not a parameter of this route (known: " + (names.empty() ? "none" : names) + ")");
    }
  }
  return std::nullopt;
}

const std::string* query(const HttpRequest& r, const char* name) {
  auto it = r.query.find(name);
  return it == r.query.end() ? nullptr : &it->second;
}

std::optional<std::int64_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(text);
}

std::variant<std::int64_t, ApiError> int_parameter(const HttpRequest& r, const char* name,
                                                   std::int64_t fallback, std::int64_t min,
                                                   std::int64_t max) {
  const std::string* text = query(r, name);
  if (!text) return fallback;
  auto n = whole_number(*text);
  if (!n || *n < min || *n > max)
    return ApiError::make(422, "invalid_argument", "invalid query parameter", name,
                          "must be a whole number from " + std::to_string(min) + " to " +
                              std::to_string(max) + " (got '" + *text + "')");
  return *n;
}

std::variant<bool, ApiError> bool_parameter(const HttpRequest& r, const char* name) {
  const std::string* text = query(r, name);
  if (!text || *text == "false") return false;
  if (*text == "true") return true;
  return ApiError::make(422, "invalid_argument", "invalid query parameter", name,
                        "must be true or false (got '" + *text + "')");
}

bool is_json_media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(type.begin());
  return type == "application/json" || (type.rfind("application/", 0) == 0 && type.size() > 5 &&
                                        type.compare(type.size() - 5, 5, "+json") == 0);
}

std::variant<json, ApiError> read_body(const HttpRequest& r, const std::string& schema,
                                       bool required, std::size_t max_bytes) {
  if (r.body.size() > max_bytes)
    return ApiError::make(
        413, "payload_too_large",
        "the request body is larger than " + std::to_string(max_bytes) + " bytes");
  bool empty = std::all_of(r.body.begin(), r.body.end(),
                           [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  if (empty && r.header("content-type").empty()) {
    if (required) return ApiError::make(400, "malformed_request", "a JSON body is required");
    return json::object();
  }
  if (!is_json_media_type(r.header("content-type")))
    return ApiError::make(415, "unsupported_media_type", "the body must be JSON", "Content-Type",
                          "must be application/json (got '" + r.header("content-type") + "')");
  if (empty) {
    if (required) return ApiError::make(400, "malformed_request", "a JSON body is required");
    return json::object();
  }
  auto parsed = config::try_parse_json_text(r.body);
  if (!parsed) {
    const Error& e = parsed.error();
    ApiError bad = ApiError::make(400, "malformed_request", "malformed JSON: " + e.message);
    bad.error.details =
        e.details.empty() ? std::vector<domain::FieldProblem>{{"", e.message}} : e.details;
    return bad;
  }
  json doc = std::move(parsed).value();
  auto problems = OpenApi::instance().schema(schema).problems(doc);
  if (!problems.empty()) {
    ApiError invalid = ApiError::make(422, "invalid_argument", "the request body is invalid");
    invalid.error.details = std::move(problems);
    return invalid;
  }
  return doc;
}

std::string text_or(const json& doc, const char* key, std::string fallback) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::optional<std::string> optional_text(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::variant<const std::string*, ApiError> text_parameter(const HttpRequest& r, const char* name,
                                                          std::size_t max_length) {
  const std::string* text = query(r, name);
  if (text && text->size() > max_length)
    return ApiError::make(422, "invalid_argument", "invalid query parameter", name,
                          "is longer than " + std::to_string(max_length) + " bytes");
  return text;
}

}  // namespace disputed::api::handler_support
