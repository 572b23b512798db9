#include "core/net/url.hpp"

#include <algorithm>
#include <cctype>

namespace disputed::net {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_hostname_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

// A DNS name or IPv4 address: labels of [a-z0-9_-], separated by single dots.
bool valid_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string_view::npos)
    return false;
  return std::all_of(host.begin(), host.end(), is_hostname_char);
}

std::optional<int> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) return std::nullopt;
  return port;
}

// Splits "host[:port]" or "[v6][:port]" into host and the text after ':' (empty when none).
// Returns false when the shape is wrong.
bool split_host_port(std::string_view authority, std::string& host, std::string_view& port,
                     bool& has_port) {
  has_port = false;
  port = {};
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view v6 = authority.substr(1, close - 1);
    if (v6.empty() || !std::all_of(v6.begin(), v6.end(), is_ipv6_char) ||
        v6.find(':') == std::string_view::npos)
      return false;
    host = lower(v6);
    std::string_view rest = authority.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    has_port = true;
    port = rest.substr(1);
    return true;
  }
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    host = lower(authority);
  } else {
    host = lower(authority.substr(0, colon));
    has_port = true;
    port = authority.substr(colon + 1);
  }
  // One trailing dot names the same host ("example.com." is fully qualified).
  if (!host.empty() && host.back() == '.') host.pop_back();
  return valid_hostname(host);
}

}  // namespace

std::string Url::host_port() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

domain::Result<Url> parse_url(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return domain::Error::invalid("URL contains a space or control character");
  }
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return domain::Error::invalid("URL must be absolute (http:// or https://)");
  Url url;
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https")
    return domain::Error::invalid("URL scheme must be http or https, not " + url.scheme);

  std::string_view rest = text.substr(sep + 3);
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (authority.find('@') != std::string_view::npos)
    return domain::Error::invalid(
        "URL must not carry user info (user:password@); credentials "
        "come from the instance's secrets");
  if (authority.empty()) return domain::Error::invalid("URL has no host");

  std::string_view port_text;
  bool has_port = false;
  if (!split_host_port(authority, url.host, port_text, has_port))
    return domain::Error::invalid("URL has a malformed host");
  if (has_port) {
    auto port = parse_port(port_text);
    if (!port) return domain::Error::invalid("URL has a malformed port (1..65535)");
    url.port = *port;
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }

  auto hash = tail.find('#');
  if (hash != std::string_view::npos) tail = tail.substr(0, hash);
  if (tail.empty()) {
    url.target = "/";
  } else if (tail.front() == '?') {
    url.target = "/" + std::string(tail);
  } else {
    url.target = std::string(tail);
  }
  return url;
}

bool is_loopback_host(std::string_view host) noexcept {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 written as a dotted quad.
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

domain::Result<HostAllowList> HostAllowList::parse(const std::vector<std::string>& entries) {
  HostAllowList list;
  for (const auto& raw : entries) {
    const std::string text = lower(raw);
    auto refuse = [&](const std::string& why) {
      return domain::Error::invalid("allowed host \"" + raw + "\" " + why, "allowed_hosts", why);
    };
    if (text.find("://") != std::string::npos || text.find('/') != std::string::npos)
      return refuse("must be host[:port], without scheme or path");
    Entry entry;
    std::string_view authority = text;
    if (authority.substr(0, 2) == "*.") {
      entry.subdomains = true;
      authority.remove_prefix(2);
    }
    std::string_view port_text;
    bool has_port = false;
    if (!split_host_port(authority, entry.host, port_text, has_port))
      return refuse("is not a host name, an IP address or *.domain");
    if (entry.subdomains && entry.host.find('.') == std::string::npos)
      return refuse("is too broad: a wildcard needs a domain with at least two labels");
    if (has_port) {
      if (port_text == "*") {
        entry.any_port = true;
      } else {
        entry.port = parse_port(port_text);
        if (!entry.port) return refuse("has a malformed port (1..65535 or *)");
      }
    }
    list.entries_.push_back(std::move(entry));
    list.texts_.push_back(text);
  }
  return list;
}

bool HostAllowList::allows(const Url& url) const noexcept {
  const int default_port = url.scheme == "https" ? 443 : 80;
  for (const auto& entry : entries_) {
    bool host_ok = false;
    if (entry.subdomains) {
      // "*.zendesk.com" matches "acme.zendesk.com" and "a.b.zendesk.com", not "zendesk.com"
      // nor "evilzendesk.com".
      const std::size_t n = entry.host.size();
      host_ok = url.host.size() > n + 1 && url.host[url.host.size() - n - 1] == '.' &&
                url.host.compare(url.host.size() - n, n, entry.host) == 0;
    } else {
      host_ok = url.host == entry.host;
    }
    if (!host_ok) continue;
    if (entry.any_port) return true;
    if (url.port == entry.port.value_or(default_port)) return true;
  }
  return false;
}

}  // namespace disputed::net
