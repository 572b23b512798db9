#include "settings.hpp"

#include "disputed/sdk/kit/codecs.hpp"

namespace template_connector {

Settings read_settings(const disputed::sdk::kit::Settings& in) {
  Settings s;
  s.base_url = in.url("/base_url");
  s.project = in.text("/project");
  s.request_timeout = std::chrono::milliseconds(in.integer("/request_timeout_ms"));
  // https, except plain http to a sandbox on this machine.
  if (s.base_url.rfind("https://", 0) != 0 && !disputed::sdk::kit::is_loopback_http(s.base_url))
    in.problem("/base_url",
               "must be an https:// URL (http:// only to localhost), e.g. "
               "https://api.example.com/v1");
  else if (s.base_url.find_first_of("?#") != std::string::npos)
    in.problem("/base_url", "must not have a query or fragment");
  return s;
}

}  // namespace template_connector
