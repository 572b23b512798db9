#include "disputed/sdk/testkit/sandbox_host.hpp"

#include <algorithm>
#include <exception>

namespace disputed::sdk::testkit {

namespace {

using namespace std::chrono_literals;

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 |
                 (unsigned char)bytes[i + 2];
    out += {kAlphabet[n >> 18 & 63], kAlphabet[n >> 12 & 63], kAlphabet[n >> 6 & 63],
            kAlphabet[n & 63]};
  }
  if (i + 1 == bytes.size()) {
    unsigned n = (unsigned char)bytes[i] << 16;
    out += {kAlphabet[n >> 18 & 63], kAlphabet[n >> 12 & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    unsigned n = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8;
    out += {kAlphabet[n >> 18 & 63], kAlphabet[n >> 12 & 63], kAlphabet[n >> 6 & 63], '='};
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// "host", "host:port" or "[v6]:port" split into host and port text ("" when absent).
std::pair<std::string, std::string> split_host_port(const std::string& authority) {
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return {"", ""};
    std::string rest = authority.substr(close + 1);
    return {authority.substr(1, close - 1),
            rest.size() > 1 && rest.front() == ':' ? rest.substr(1) : ""};
  }
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) return {authority, ""};
  return {authority.substr(0, colon), authority.substr(colon + 1)};
}

// One allowed-hosts entry, in the host's forms: "api.example.com" (the scheme's default port),
// "api.example.com:8443", "127.0.0.1:*" (any port), "*.example.com" (subdomains, not the
// domain itself), "[::1]:*".
bool entry_allows(const std::string& entry, const std::string& host, int port, int default_port) {
  auto [entry_host, entry_port] = split_host_port(lower(entry));
  bool port_ok = entry_port == "*" ||
                 (entry_port.empty() ? port == default_port : entry_port == std::to_string(port));
  if (!port_ok) return false;
  if (entry_host.rfind("*.", 0) == 0) {
    std::string domain = entry_host.substr(1);  // ".example.com"
    return host.size() > domain.size() && host.ends_with(domain);
  }
  return entry_host == host;
}

// Empty when `url` may be requested, else why not (the real host's rules).
std::string url_problem(const std::string& url, const std::vector<std::string>& allowed) {
  std::string scheme;
  if (url.rfind("https://", 0) == 0)
    scheme = "https";
  else if (url.rfind("http://", 0) == 0)
    scheme = "http";
  else
    return "URL must be absolute http(s): " + url;
  std::string rest = url.substr(scheme.size() + 3);
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string::npos) return "credentials in the URL";
  auto [host, port_text] = split_host_port(lower(authority));
  if (host.empty()) return "no host in " + url;
  int default_port = scheme == "https" ? 443 : 80;
  int port = default_port;
  if (!port_text.empty()) {
    try {
      port = std::stoi(port_text);
    } catch (const std::exception&) {
      return "malformed port in " + url;
    }
    if (port < 1 || port > 65535) return "malformed port in " + url;
  }
  if (scheme == "http" && !is_loopback(host))
    return "plain http to " + host + " (only loopback may use http)";
  for (const auto& entry : allowed)
    if (entry_allows(entry, host, port, default_port)) return {};
  return "host " + host + ":" + std::to_string(port) + " is not in the allowed hosts";
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

}  // namespace

struct SandboxHost::Impl final : HttpClient, TokenSource, Logger, Clock, KeyValueStore {
  SandboxHostOptions options;
  SandboxHandler handler;
  TokenIssuer issuer;

  mutable std::mutex mutex;  // guards everything below except the token cache
  Instant current_time;
  std::map<std::string, std::string> values;
  std::vector<std::string> lines;
  int requests = 0;
  bool cancelled = false;

  std::mutex token_mutex;  // held during a fetch: concurrent callers wait for one token
  std::optional<AccessToken> cached;
  int fetches = 0;

  // Clock
  Instant now_locked() const {
    std::lock_guard lock(mutex);
    return current_time;
  }
  Instant now() const override { return now_locked(); }

  // Logger
  void log(LogLevel level, const std::string& message) override {
    std::lock_guard lock(mutex);
    lines.push_back(std::string(level_name(level)) + ": " + message);
  }

  // KeyValueStore
  std::optional<std::string> get(const std::string& key) override {
    std::lock_guard lock(mutex);
    auto it = values.find(key);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  void put(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex);
    values[key] = value;
  }
  void erase(const std::string& key) override {
    std::lock_guard lock(mutex);
    values.erase(key);
  }

  // TokenSource
  std::optional<AccessToken> token(std::string* error = nullptr) override {
    std::lock_guard lock(token_mutex);
    // Renewed a minute before expiry, like the host.
    if (cached && (cached->expires_at == Instant{} || now_locked() + 60s < cached->expires_at))
      return cached;
    cached.reset();
    std::string why;
    std::optional<AccessToken> fresh;
    {
      std::lock_guard count(mutex);
      ++fetches;
    }
    if (!issuer) {
      why = "no token issuer configured in the SandboxHost";
    } else {
      try {
        fresh = issuer(why);
      } catch (const std::exception& e) {
        why = std::string("token issuer threw: ") + e.what();
      }
    }
    if (!fresh) {
      if (error) *error = why.empty() ? "token endpoint refused" : why;
      return std::nullopt;
    }
    cached = fresh;
    return fresh;
  }
  void invalidate() override {
    std::lock_guard lock(token_mutex);
    cached.reset();
  }

  // The Authorization header for the next request; false (and `error`) when none can be had.
  bool authorization(std::string& header, std::string& error) {
    const std::string& kind = options.auth_kind;
    if (kind == "none") return true;
    if (kind == "basic") {
      header = "Basic " + base64(options.basic_username + ":" + options.basic_password);
      return true;
    }
    if (kind == "bearer") {
      header = "Bearer " + options.bearer_token;
      return true;
    }
    if (kind == "oauth2_client_credentials") {
      auto t = token(&error);
      if (!t) return false;
      header = "Bearer " + t->access_token;
      return true;
    }
    error = "unknown auth kind \"" + kind + "\"";
    return false;
  }

  HttpResponse attempt(const HttpRequest& request, const std::string& header,
                       const std::string& note) {
    HttpRequest wire = request;
    if (!header.empty()) {
      // The host's credential wins over one the plugin set itself.
      std::erase_if(wire.headers, [](const auto& h) { return lower(h.first) == "authorization"; });
      wire.headers.emplace_back("Authorization", header);
    }
    {
      std::lock_guard lock(mutex);
      ++requests;
    }
    HttpResponse response;
    try {
      response = handler ? handler(wire) : HttpResponse{0, {}, "", "no sandbox handler configured"};
    } catch (const std::exception& e) {
      response = HttpResponse{0, {}, "", std::string("sandbox handler threw: ") + e.what()};
    }
    log(response.status == 0 || response.status >= 400 ? LogLevel::kWarn : LogLevel::kInfo,
        request.method + " " + request.url + " -> " +
            (response.status ? std::to_string(response.status) : "no response: " + response.error) +
            note);
    return response;
  }

  // HttpClient
  HttpResponse send(const HttpRequest& request) override {
    if (auto problem = url_problem(request.url, options.allowed_hosts); !problem.empty()) {
      log(LogLevel::kWarn, request.method + " " + request.url + " -> refused: " + problem);
      return HttpResponse{0, {}, "", "refused: " + problem};
    }
    std::string header;
    std::string error;
    bool authenticated = request.authenticate && options.auth_kind != "none";
    if (authenticated && !authorization(header, error)) {
      log(LogLevel::kWarn, request.method + " " + request.url + " -> not sent: " + error);
      return HttpResponse{0, {}, "", "auth: " + error};
    }
    HttpResponse response = attempt(request, header, "");
    if (response.status == 401 && authenticated &&
        options.auth_kind == "oauth2_client_credentials") {
      invalidate();
      std::string renewed;
      if (authorization(renewed, error))
        return attempt(request, renewed, " [retry with a new token]");
      log(LogLevel::kWarn, request.method + " " + request.url + " -> 401 not retried: " + error);
    }
    return response;
  }
};

SandboxHost::SandboxHost(SandboxHostOptions options, SandboxHandler handler, TokenIssuer issuer)
    : impl_(std::make_unique<Impl>()) {
  impl_->current_time = options.start_time.value_or(
      Instant(std::chrono::sys_days(std::chrono::year(2025) / std::chrono::January / 6) + 9h));
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->issuer = std::move(issuer);
}

SandboxHost::~SandboxHost() = default;

HttpClient& SandboxHost::http() { return *impl_; }
TokenSource* SandboxHost::tokens() {
  return impl_->options.auth_kind == "oauth2_client_credentials" ? impl_.get() : nullptr;
}
Logger& SandboxHost::log() { return *impl_; }
const Clock& SandboxHost::clock() { return *impl_; }
KeyValueStore& SandboxHost::store() { return *impl_; }
std::string SandboxHost::instance_name() const { return impl_->options.instance_name; }

bool SandboxHost::cancelled() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->cancelled;
}

void SandboxHost::advance(std::chrono::seconds by) {
  std::lock_guard lock(impl_->mutex);
  impl_->current_time += by;
}

void SandboxHost::set_cancelled(bool cancelled) {
  std::lock_guard lock(impl_->mutex);
  impl_->cancelled = cancelled;
}

std::vector<std::string> SandboxHost::log_lines() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->lines;
}

int SandboxHost::token_fetches() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->fetches;
}

int SandboxHost::requests_sent() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

}  // namespace disputed::sdk::testkit
