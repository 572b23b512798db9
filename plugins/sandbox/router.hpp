#pragma once
// The one router every sandbox answers through: routes of a method and a path pattern with named
// segments ("/api/v2/tickets/{id}/comments"), matched against the request's decoded path. A path
// that a route knows under another method is a 405 in the emulator's own words; a path no route
// knows is left to the emulator (its own 404).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugins/sandbox/sandbox_server.hpp"

namespace disputed::sandbox {

class Router {
 public:
  /// The named segments of the matched pattern, decoded.
  using Params = std::map<std::string, std::string>;
  using Handler = std::function<Response(const Request&, const Params&)>;

  /// Adds a route. `pattern` is '/'-separated: literal segments, and "{name}" for any one
  /// segment. Earlier routes win over later ones.
  Router& on(const std::string& method, const std::string& pattern, Handler handler);

  /// The answer of the first route that matches the request's path and method; when routes
  /// match the path but none the method, `not_allowed(request)` (405 by default); nullopt when
  /// no route matches the path.
  std::optional<Response> route(const Request& request) const;
  /// The answer to a known path asked with another method.
  std::function<Response(const Request&)> not_allowed;

  /// A path as its segments ("/a/b/" -> {"a", "b"}).
  static std::vector<std::string> segments(const std::string& path);

 private:
  struct Route {
    std::string method;
    std::vector<std::string> pattern;
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string>& path, Params& params);
  std::vector<Route> routes_;
};

}  // namespace disputed::sandbox
