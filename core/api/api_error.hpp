#pragma once
// Failures as the API answers them: an HTTP status, a stable code and the engine's Error
// (message and field details), always as {"error": {"code", "message", "details": [...]}}.

#include <string>

#include "core/api/http_types.hpp"
#include "core/domain/result.hpp"

namespace disputed::api {

struct ApiError {
  int status = 500;
  std::string
      code;  // malformed_request, unauthorized, forbidden, not_found, ... (docs/api/openapi.yaml)
  domain::Error error;

  /// The engine's error codes: invalid argument 422, not found 404, conflict 409, internal 500.
  static ApiError from(const domain::Error& error);
  static ApiError make(int status, std::string code, std::string message, std::string field = {},
                       std::string problem = {});
};

/// The response for `e`, with WWW-Authenticate on 401 (RFC 6750).
HttpResponse error_response(const ApiError& e);

}  // namespace disputed::api
