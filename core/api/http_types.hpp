#pragma once
// HTTP as the API sees it: plain request and response values with no cpprestsdk types, so the
// routing, validation and handlers can be tested without a socket, and the listener (the only
// cpprestsdk code, http_server.cpp) can be replaced.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace disputed::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query, e.g. "/api/v1/disputes/DSP-000001"
  std::map<std::string, std::string> query;    // decoded; a repeated parameter keeps the last value
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool body_too_large = false;  // the listener stopped reading at the size limit (answer 413)

  /// The header's value, or "" when absent. `name` in lower case.
  const std::string& header(const std::string& name) const {
    static const std::string kNone;
    auto it = headers.find(name);
    return it == headers.end() ? kNone : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

}  // namespace disputed::api
