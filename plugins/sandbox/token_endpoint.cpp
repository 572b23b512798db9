#include "plugins/sandbox/token_endpoint.hpp"

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::sandbox {

std::map<std::string, std::string> TokenEndpoint::form(const Request& request) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  const std::string& body = request.body;
  while (start <= body.size()) {
    auto amp = body.find('&', start);
    std::string pair =
        body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = pair.find('=');
    if (!pair.empty())
      out[sdk::kit::percent_decode(pair.substr(0, eq), true)] =
          eq == std::string::npos ? "" : sdk::kit::percent_decode(pair.substr(eq + 1), true);
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

std::pair<std::string, std::string> TokenEndpoint::client(
    const Request& request, const std::map<std::string, std::string>& form) {
  std::string basic = request.header("authorization").value_or("");
  if (basic.rfind("Basic ", 0) == 0) {
    auto decoded = sdk::kit::base64_decode(basic.substr(6));
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon != std::string::npos)
      return {sdk::kit::percent_decode(decoded->substr(0, colon), true),
              sdk::kit::percent_decode(decoded->substr(colon + 1), true)};
  }
  auto id = form.find("client_id");
  auto secret = form.find("client_secret");
  return {id == form.end() ? "" : id->second, secret == form.end() ? "" : secret->second};
}

std::string TokenEndpoint::issue(const std::string& subject, std::chrono::milliseconds lifetime,
                                 SandboxClock::Time now, const std::string& prefix) {
  std::string token = prefix + std::to_string(++issued_) + "-" +
                      std::to_string(now.time_since_epoch().count() % 1000000);
  tokens_[token] = {subject, now + lifetime};
  return token;
}

void TokenEndpoint::accept(const std::string& token, const std::string& subject) {
  tokens_[token] = {subject, std::nullopt};
}

std::optional<std::string> TokenEndpoint::subject(const std::string& token,
                                                  SandboxClock::Time now) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end() || (it->second.expires && *it->second.expires <= now))
    return std::nullopt;
  return it->second.subject;
}

std::optional<std::string> TokenEndpoint::bearer(const Request& request,
                                                 SandboxClock::Time now) const {
  std::string auth = request.header("authorization").value_or("");
  if (auth.rfind("Bearer ", 0) != 0) return std::nullopt;
  return subject(auth.substr(7), now);
}

int TokenEndpoint::expire_all() {
  int n = 0;
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    if (it->second.expires) {
      it = tokens_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

void TokenEndpoint::clear() {
  tokens_.clear();
  issued_ = 0;
}

}  // namespace disputed::sandbox
