#include "core/api/api_error.hpp"

#include <nlohmann/json.hpp>

#include "core/config/json_file.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::api {

ApiError ApiError::from(const domain::Error& error) {
  switch (error.code) {
    case domain::ErrorCode::kInvalidArgument:
      return {422, "invalid_argument", error};
    case domain::ErrorCode::kNotFound:
      return {404, "not_found", error};
    case domain::ErrorCode::kConflict:
      return {409, "conflict", error};
    case domain::ErrorCode::kInternal:
      return {500, "internal", error};
  }
  return {500, "internal", error};
}

ApiError ApiError::make(int status, std::string code, std::string message, std::string field,
                        std::string problem) {
  domain::Error e{domain::ErrorCode::kInvalidArgument, std::move(message), {}};
  if (!field.empty() || !problem.empty())
    e.details.push_back({std::move(field), std::move(problem)});
  return {status, std::move(code), std::move(e)};
}

HttpResponse error_response(const ApiError& e) {
  nlohmann::json body = engine::to_json(e.error);  // the shape the CLI prints with --json
  body["error"]["code"] = e.code;
  HttpResponse r;
  r.status = e.status;
  r.body = config::dump_json(body);
  if (e.status == 401) {
    // RFC 6750 section 3: say which scheme, and that the token was bad when there was one.
    r.headers.emplace_back("WWW-Authenticate",
                           e.code == "unauthorized" && !e.error.details.empty()
                               ? "Bearer realm=\"disputed\", error=\"invalid_token\""
                               : "Bearer realm=\"disputed\"");
  }
  return r;
}

}  // namespace disputed::api
