#pragma once
// Test plumbing shared by the zendesk tests: route a SandboxHost's requests to the sandbox, either
// in process (Server::serve, no socket, no thread) or over loopback (to a Server or to Prism).

#include <cctype>
#include <string>

#include "disputed/sdk/host.hpp"
#include "plugins/sandbox/sandbox_server.hpp"
#include "plugins/sandbox/test_client.hpp"

namespace disputed::zendesk_test {

inline std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

/// "https://acme.zendesk.com/api/v2/x?a=1" -> "/api/v2/x?a=1".
inline std::string target_of(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

inline sandbox::Request to_sandbox_request(const sdk::HttpRequest& r) {
  sandbox::Request out;
  out.method = r.method;
  out.target = target_of(r.url);
  auto q = out.target.find('?');
  out.path = url_decode(out.target.substr(0, q));
  if (q != std::string::npos) {
    std::string rest = out.target.substr(q + 1);
    for (std::size_t start = 0; start <= rest.size();) {
      auto end = rest.find('&', start);
      std::string pair =
          rest.substr(start, end == std::string::npos ? std::string::npos : end - start);
      auto eq = pair.find('=');
      if (!pair.empty())
        out.query[url_decode(pair.substr(0, eq))] =
            eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  for (const auto& [name, value] : r.headers) {
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[lower] = value;
  }
  out.body = r.body;
  return out;
}

/// The sandbox answers in process; a dropped connection becomes status 0.
inline sdk::HttpResponse serve_in_process(sandbox::Server& server, const sdk::HttpRequest& r) {
  sdk::HttpResponse out;
  auto answer = server.serve(to_sandbox_request(r));
  if (!answer) {
    out.error = "connection closed without an answer";
    return out;
  }
  out.status = answer->status;
  out.headers = answer->headers;
  out.body = answer->body;
  return out;
}

/// Sends the request to `base` (e.g. Prism's "http://127.0.0.1:PORT") over loopback.
inline sdk::HttpResponse forward(const std::string& base, const sdk::HttpRequest& r) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : r.headers) headers[name] = value;
  auto answer = sandbox::http_call(r.method, base + target_of(r.url), r.body, headers);
  sdk::HttpResponse out;
  out.status = answer.status;
  if (answer.status == 0) out.error = "connection failed or closed";
  for (const auto& [name, value] : answer.headers) out.headers.emplace_back(name, value);
  out.body = answer.body;
  return out;
}

}  // namespace disputed::zendesk_test
