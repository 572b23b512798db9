#include "core/net/host_services.hpp"

#include "core/domain/utf8.hpp"

namespace disputed::net {

namespace {
constexpr std::size_t kMaxLogLine = 4096;  // bytes of a plugin's message in one log line
}  // namespace

InstanceLogger::InstanceLogger(std::string instance_name, LogSink sink, sdk::LogLevel min_level,
                               const SecretScrubber* scrubber)
    : prefix_("[" + instance_name + "] "),
      sink_(std::move(sink)),
      min_level_(min_level),
      scrubber_(scrubber) {}

void InstanceLogger::log(sdk::LogLevel level, const std::string& message) {
  if (!sink_ || level < min_level_) return;
  try {
    // Plugins are asked not to log secrets; this catches the ones the host knows anyway.
    // One line of valid UTF-8: a CR or LF in a plugin's message (perhaps a vendor's text)
    // would forge a log line of its own. Scrubbed first, so a secret is found whole.
    sink_(level,
          prefix_ + domain::one_line(scrubber_ ? scrubber_->scrub(message) : message, kMaxLogLine));
  } catch (...) {  // logging must never take a connector down
  }
}

std::optional<std::string> InMemoryKeyValueStore::get(const std::string& key) {
  try {
    std::lock_guard lock(mutex_);
    if (auto it = values_.find(key); it != values_.end()) return it->second;
  } catch (...) {
  }
  return std::nullopt;
}

void InMemoryKeyValueStore::put(const std::string& key, const std::string& value) {
  try {
    std::lock_guard lock(mutex_);
    values_[key] = value;
  } catch (...) {  // out of memory: the value is simply not kept, as with a failed write
  }
}

void InMemoryKeyValueStore::erase(const std::string& key) {
  try {
    std::lock_guard lock(mutex_);
    values_.erase(key);
  } catch (...) {
  }
}

HostServices::HostServices(std::string instance_name, const domain::Clock& clock,
                           AuthKind auth_kind, const std::atomic<bool>* shutdown)
    : instance_name_(std::move(instance_name)),
      auth_kind_(auth_kind),
      shutdown_(shutdown),
      clock_(clock) {}

HostServices::~HostServices() = default;

std::optional<std::string> HostServices::plugin_secret(const std::string& name) {
  try {
    if (auto it = plugin_secrets_.find(name); it != plugin_secrets_.end())
      return it->second.reveal();
  } catch (...) {
  }
  return std::nullopt;
}

bool HostServices::cancelled() const {
  return cancelled_.load() || (shutdown_ != nullptr && shutdown_->load());
}

domain::Result<std::unique_ptr<HostServices>> HostServices::create(
    HostServicesConfig config, const domain::Clock& clock,
    std::unique_ptr<sdk::KeyValueStore> store) {
  try {
    const std::string where = "connector instance " + config.instance_name + ": ";
    auto fail = [&](const domain::Error& error) {
      domain::Error named = error;
      named.message = where + error.message;
      return named;
    };
    if (config.instance_name.empty())
      return domain::Error::invalid("connector instance needs a name", "name", "is required");

    std::unique_ptr<HostServices> host(
        new HostServices(config.instance_name, clock, config.credentials.kind, config.shutdown));
    host->logger_ = std::make_unique<InstanceLogger>(
        config.instance_name, std::move(config.log_sink), config.min_log_level, &host->scrubber_);

    if (config.credentials.kind == AuthKind::kOAuth2ClientCredentials) {
      // The token endpoint is a host the instance talks to: the same allow-list and the same
      // rule against plain http apply, checked now rather than at the first request.
      auto allow_list = HostAllowList::parse(config.http.allowed_hosts);
      if (!allow_list) return fail(allow_list.error());
      auto url = parse_url(config.credentials.oauth2.token_url);
      if (!url) return fail(domain::Error::invalid("OAuth2 token_url: " + url.error().message));
      if (!allow_list->allows(url.value()))
        return fail(domain::Error::invalid("OAuth2 token endpoint host " + url->host_port() +
                                           " is not in the allowed hosts"));
      if (url->scheme == "http" && !config.http.allow_plain_http && !is_loopback_host(url->host))
        return fail(domain::Error::invalid("OAuth2 token endpoint must use https"));

      auto tokens = OAuth2TokenSource::create(config.credentials.oauth2, host->clock_,
                                              host->logger_.get(), &host->scrubber_);
      if (!tokens) return fail(tokens.error());
      host->tokens_ = std::move(tokens).value();
    }

    auto authenticator =
        make_authenticator(config.credentials, host->tokens_.get(), &host->scrubber_);
    if (!authenticator) return fail(authenticator.error());
    host->authenticator_ = std::move(authenticator).value();

    auto http =
        HttpClient::create(std::move(config.http), host->authenticator_.get(), *host->logger_);
    if (!http) return fail(http.error());
    host->http_ = std::move(http).value();

    for (const auto& [name, ref] : config.plugin_secrets) {
      auto value = load_secret(ref);
      if (!value) {
        domain::Error e = value.error();
        e.message = "secrets." + name + ": " + e.message;
        return fail(e);
      }
      host->scrubber_.add(value->reveal());
      host->plugin_secrets_.emplace(name, std::move(value).value());
    }

    host->store_ = store ? std::move(store) : std::make_unique<InMemoryKeyValueStore>();
    return host;
  } catch (const std::exception& e) {
    return domain::Error::internal("connector instance " + config.instance_name +
                                   ": cannot set up host services: " + e.what());
  }
}

}  // namespace disputed::net
