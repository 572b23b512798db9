#pragma once
// Matching a request path against route templates such as "/api/v1/disputes/{id}/notes".
// Segments are percent-decoded after splitting, so an encoded "/" (%2F) stays inside its
// parameter (invoice numbers may contain one).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace disputed::api {

/// Percent-decodes `text` ("%2F" -> "/"); '+' stays '+' (it is not a space in a path). Returns
/// nullopt for a malformed escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

template <class Handler>
class Router {
 public:
  struct Route {
    std::string method;
    std::string path_template;  // e.g. "/api/v1/disputes/{id}"
    Handler handler;
    std::vector<std::string> segments;
  };

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    bool path_known = false;  // some route has this path (for 405 rather than 404)
    std::vector<std::string> allowed_methods;
  };

  void add(std::string method, std::string path_template, Handler handler) {
    Route r{std::move(method), std::move(path_template), std::move(handler), {}};
    r.segments = split(r.path_template);
    routes_.push_back(std::move(r));
  }

  /// The route for `method` and the (still encoded) `path`; route is null when none matches.
  Match match(const std::string& method, std::string_view path) const {
    Match m;
    auto raw = split(path);
    for (const auto& r : routes_) {
      std::map<std::string, std::string> params;
      if (!matches(r, raw, params)) continue;
      m.path_known = true;
      m.allowed_methods.push_back(r.method);
      if (r.method == method && !m.route) {
        m.route = &r;
        m.params = std::move(params);
      }
    }
    return m;
  }

  const std::vector<Route>& routes() const { return routes_; }

 private:
  static std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') {
        ++i;
        continue;
      }
      auto end = path.find('/', i);
      if (end == std::string_view::npos) end = path.size();
      out.emplace_back(path.substr(i, end - i));
      i = end;
    }
    return out;
  }

  static bool matches(const Route& r, const std::vector<std::string>& raw,
                      std::map<std::string, std::string>& params) {
    if (raw.size() != r.segments.size()) return false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const std::string& t = r.segments[i];
      if (t.size() > 2 && t.front() == '{' && t.back() == '}') {
        auto decoded = percent_decode(raw[i]);
        if (!decoded || decoded->empty()) return false;
        params[t.substr(1, t.size() - 2)] = std::move(*decoded);
      } else if (t != raw[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace disputed::api
