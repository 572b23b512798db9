#include "plugins/sandbox/router.hpp"

namespace disputed::sandbox {

std::vector<std::string> Router::segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string part =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) out.push_back(std::move(part));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

Router& Router::on(const std::string& method, const std::string& pattern, Handler handler) {
  routes_.push_back({method, segments(pattern), std::move(handler)});
  return *this;
}

bool Router::match(const Route& route, const std::vector<std::string>& path, Params& params) {
  if (route.pattern.size() != path.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& p = route.pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}')
      params[p.substr(1, p.size() - 2)] = path[i];
    else if (p != path[i])
      return false;
  }
  return true;
}

std::optional<Response> Router::route(const Request& request) const {
  const auto path = segments(request.path);
  Params params;
  bool known = false;
  for (const auto& r : routes_) {
    if (!match(r, path, params)) continue;
    if (r.method == request.method) return r.handler(request, params);
    known = true;
  }
  if (!known) return std::nullopt;
  if (not_allowed) return not_allowed(request);
  return Response::json(
      405, {{"error", "method " + request.method + " not allowed on " + request.path}});
}

}  // namespace disputed::sandbox
