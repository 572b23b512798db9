#pragma once
// Connects the SDK's in-process SandboxHost to the Salesforce sandbox: a request the plugin sends
// through the host becomes a sandbox Request served by Server::serve() (no socket), and the
// sandbox's token endpoint plays the host's OAuth2 token source (client credentials).

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "disputed/sdk/host.hpp"
#include "plugins/sandbox/sandbox_server.hpp"

namespace disputed::sandbox::salesforce::testing {

inline std::string percent_decode(const std::string& in, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += plus_is_space && in[i] == '+' ? ' ' : in[i];
    }
  }
  return out;
}

/// The sandbox Request for an absolute URL, as the server would parse it off the wire.
inline Request to_request(const std::string& method, const std::string& url,
                          const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  Request r;
  r.method = method;
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  r.target = slash == std::string::npos ? "/" : url.substr(slash);
  auto q = r.target.find('?');
  r.path = percent_decode(r.target.substr(0, q), false);
  if (q != std::string::npos) {
    std::string rest = r.target.substr(q + 1);
    std::size_t start = 0;
    while (start <= rest.size()) {
      auto amp = rest.find('&', start);
      std::string pair =
          rest.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      auto eq = pair.find('=');
      if (!pair.empty())
        r.query[percent_decode(pair.substr(0, eq), true)] =
            eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1), true);
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    r.headers[lower] = value;
  }
  r.body = body;
  return r;
}

/// Serves one SDK request in-process; a dropped connection answers status 0.
inline sdk::HttpResponse serve(Server& server, const sdk::HttpRequest& request) {
  sdk::HttpResponse out;
  auto answer =
      server.serve(to_request(request.method, request.url, request.body, request.headers));
  if (!answer) {
    out.error = "connection closed without an answer";
    return out;
  }
  out.status = answer->status;
  out.headers = answer->headers;
  out.body = answer->body;
  return out;
}

/// A token from the sandbox's token endpoint (client credentials, client_secret_post), as the
/// host's OAuth2 token source would fetch it; nullopt with the host's kind of message otherwise.
inline std::optional<sdk::AccessToken> fetch_token(Server& server, const std::string& client_id,
                                                   const std::string& client_secret,
                                                   sdk::Instant now, std::string& error) {
  Request r = to_request(
      "POST", server.url() + "/services/oauth2/token",
      "grant_type=client_credentials&client_id=" + client_id + "&client_secret=" + client_secret,
      {{"Content-Type", "application/x-www-form-urlencoded"}});
  auto answer = server.serve(r);
  if (!answer || answer->status != 200) {
    error = "token endpoint " + server.url() + "/services/oauth2/token answered " +
            (answer ? std::to_string(answer->status) + " " + answer->body : std::string("nothing"));
    return std::nullopt;
  }
  auto body = nlohmann::json::parse(answer->body, nullptr, false);
  if (!body.is_object() || !body.contains("access_token")) {
    error = "token endpoint answered without an access_token";
    return std::nullopt;
  }
  // Salesforce sends no expires_in; the host assumes a default lifetime (30 min).
  return sdk::AccessToken{body["access_token"].get<std::string>(), now + std::chrono::minutes(30),
                          answer->body};
}

}  // namespace disputed::sandbox::salesforce::testing
