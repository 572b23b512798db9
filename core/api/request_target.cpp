#include "core/api/request_target.hpp"

#include "core/api/router.hpp"

namespace disputed::api {

domain::Result<RequestTarget> parse_request_target(std::string_view target) {
  if (target.empty() || target.front() != '/')
    return domain::Error::invalid("the request target must be a path starting with '/'");
  RequestTarget out;
  auto question = target.find('?');
  // The path stays as sent: the router splits it at '/' before it decodes each segment, so an
  // encoded '/' inside an id stays inside it.
  out.path = std::string(target.substr(0, question));
  if (!percent_decode(out.path)) return domain::Error::invalid("the path has a malformed %-escape");
  if (question == std::string_view::npos) return out;
  std::string_view query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return domain::Error::invalid("the query has a malformed %-escape");
    out.query[std::move(*name)] = std::move(*value);
  }
  return out;
}

}  // namespace disputed::api
