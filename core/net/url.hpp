#pragma once
// Absolute http(s) URLs as the host's HTTP client accepts them, and the allow-list of hosts a
// connector may reach. Parsed here, without cpprestsdk, so the rules are plain and testable.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/result.hpp"

namespace disputed::net {

/// The parts of an absolute URL that decide where a request goes.
struct Url {
  std::string scheme;  ///< "http" or "https"
  std::string host;    ///< lower case; an IPv6 literal without brackets; no trailing dot
  int port = 0;        ///< the explicit port, else 80/443
  std::string target;  ///< path and query, "/" when empty; the fragment is dropped

  /// "host:port" (IPv6 in brackets), as written in allow-lists and error messages.
  std::string host_port() const;
};

/// Parses an absolute http:// or https:// URL. Refused: other schemes, relative URLs, user
/// info (`user:pass@host`: credentials never travel in URLs), empty or malformed hosts, ports
/// outside 1..65535, spaces and control characters anywhere.
domain::Result<Url> parse_url(std::string_view text);

/// True for `localhost`, 127.0.0.0/8 and ::1: hosts where plain http cannot be overheard.
bool is_loopback_host(std::string_view host) noexcept;

/// The hosts a connector may call, from its manifest and its instance config. Entry forms:
///   `api.example.com`   that host on the scheme's default port (443 for https, 80 for http);
///   `api.example.com:8443`  that host on that port;
///   `127.0.0.1:*`       that host on any port;
///   `*.zendesk.com`     any subdomain (one or more labels) of zendesk.com, not zendesk.com itself;
///   `[::1]:*`           IPv6 literals in brackets.
/// Matching is case-insensitive. A bare `*` or a wildcard over a top-level domain is refused.
class HostAllowList {
 public:
  HostAllowList() = default;

  /// Parses the entries; a malformed entry is an error naming it.
  static domain::Result<HostAllowList> parse(const std::vector<std::string>& entries);

  /// True when the URL's host and port match an entry.
  bool allows(const Url& url) const noexcept;
  /// The entries as given (normalised to lower case), for messages and status pages.
  const std::vector<std::string>& entries() const noexcept { return texts_; }
  bool empty() const noexcept { return entries_.empty(); }

 private:
  struct Entry {
    std::string host;         // without "*." for wildcards
    bool subdomains = false;  // "*.host"
    bool any_port = false;
    std::optional<int> port;  // nullopt: the scheme's default port
  };
  std::vector<Entry> entries_;
  std::vector<std::string> texts_;
};

}  // namespace disputed::net
