#include "disputed/sdk/testing/fake_host.hpp"

#include <algorithm>
#include <exception>

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::sdk::testing {

namespace {

using namespace std::chrono_literals;

using kit::base64_encode;
using kit::lower;

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

struct FakeHost::Impl final : HttpClient, TokenSource, Logger, Clock, KeyValueStore {
  FakeHostOptions options;
  SandboxHandler handler;
  TokenIssuer issuer;

  mutable std::mutex mutex;        // guards everything below except the token cache
  Instant current_time;            // the host's own clock, or the offset to options.clock
  std::chrono::seconds offset{0};  // advance() on a followed clock
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
    return options.clock ? options.clock() + offset : current_time;
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
      why = "no token issuer configured in the FakeHost";
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
      header = "Basic " + base64_encode(options.basic_username + ":" + options.basic_password);
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
      response = handler(wire);
    } catch (const std::exception& e) {
      response = HttpResponse{0,
                              {},
                              "",
                              std::string("sandbox handler threw: ") + e.what(),
                              HttpResponse::Failure::kConnection};
    }
    if (response.status == 0 && response.failure == HttpResponse::Failure::kNone)
      response.failure = HttpResponse::Failure::kConnection;
    log(response.status == 0 || response.status >= 400 ? LogLevel::kWarn : LogLevel::kInfo,
        request.method + " " + request.url + " -> " +
            (response.status ? std::to_string(response.status) : "no response: " + response.error) +
            note);
    return response;
  }

  // HttpClient
  HttpResponse send(const HttpRequest& request) override {
    std::string problem = handler ? url_problem(request.url, options.allowed_hosts)
                                  : "this fake host sends no HTTP (no handler)";
    if (!problem.empty()) {
      log(LogLevel::kWarn, request.method + " " + request.url + " -> refused: " + problem);
      return HttpResponse{0, {}, "", "refused: " + problem, HttpResponse::Failure::kRefused};
    }
    std::string header;
    std::string error;
    bool authenticated = request.authenticate && options.auth_kind != "none";
    if (authenticated && !authorization(header, error)) {
      log(LogLevel::kWarn, request.method + " " + request.url + " -> not sent: " + error);
      return HttpResponse{0, {}, "", "auth: " + error, HttpResponse::Failure::kNoCredential};
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

FakeHost::FakeHost(FakeHostOptions options, SandboxHandler handler, TokenIssuer issuer)
    : impl_(std::make_unique<Impl>()) {
  impl_->current_time = options.start_time.value_or(
      Instant(std::chrono::sys_days(std::chrono::year(2025) / std::chrono::January / 6) + 9h));
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->issuer = std::move(issuer);
}

FakeHost::~FakeHost() = default;

HttpClient& FakeHost::http() { return *impl_; }
TokenSource* FakeHost::tokens() {
  return impl_->options.auth_kind == "oauth2_client_credentials" ? impl_.get() : nullptr;
}
Logger& FakeHost::log() { return *impl_; }
const Clock& FakeHost::clock() { return *impl_; }
KeyValueStore& FakeHost::store() { return *impl_; }
std::string FakeHost::instance_name() const { return impl_->options.instance_name; }

std::optional<std::string> FakeHost::plugin_secret(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->options.plugin_secrets.find(name);
  if (it == impl_->options.plugin_secrets.end()) return std::nullopt;
  return it->second;
}

bool FakeHost::cancelled() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->cancelled;
}

void FakeHost::advance(std::chrono::seconds by) {
  std::lock_guard lock(impl_->mutex);
  impl_->current_time += by;
  impl_->offset += by;
}

void FakeHost::set_cancelled(bool cancelled) {
  std::lock_guard lock(impl_->mutex);
  impl_->cancelled = cancelled;
}

std::vector<std::string> FakeHost::log_lines() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->lines;
}

std::vector<std::string> FakeHost::log_messages() const {
  std::vector<std::string> out;
  for (const auto& line : log_lines()) out.push_back(line.substr(line.find(": ") + 2));
  return out;
}

int FakeHost::token_fetches() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->fetches;
}

int FakeHost::requests_sent() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

}  // namespace disputed::sdk::testing
