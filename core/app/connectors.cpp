#include "core/app/connectors.hpp"

#include <algorithm>

#include "core/config/config_error.hpp"
#include "core/messaging/composer.hpp"
#include "core/net/secrets.hpp"

namespace disputed::app {

sync::InstanceOptions scheduling_of(const host::ConnectorHost::Instance& in) {
  sync::InstanceOptions o;
  o.name = in.config.name;
  o.rate_per_second = in.config.rate_per_second.value_or(in.manifest.rate_per_second);
  o.burst = in.config.burst.value_or(in.manifest.burst);
  o.poll_interval = std::chrono::seconds(
      in.config.poll_interval_seconds.value_or(in.manifest.poll_interval_seconds));
  o.max_attempts = in.config.max_attempts.value_or(o.max_attempts);
  o.paused = in.config.paused;
  return o;
}

void register_connectors(host::ConnectorHost& host, sync::SyncEngine& engine) {
  for (auto& in : host.instances()) engine.add_instance(scheduling_of(in), *in.connector);
}

std::shared_ptr<const messaging::LinkSigner> link_signer(const workflow::Definitions& defs,
                                                         const std::string& config_file) {
  const auto& keys = defs.messaging.link_keys;
  if (keys.empty()) return nullptr;
  if (defs.public_url.empty())
    throw config::ConfigError(config_file, "/server/public_url",
                              "is required with messaging.link_keys: the one-click links point "
                              "at <public_url>/a/<token>");
  std::vector<std::pair<std::string, std::string>> resolved;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string pointer = "/messaging/link_keys/" + std::to_string(i);
    for (std::size_t k = 0; k < i; ++k)
      if (keys[k].id == keys[i].id)
        throw config::ConfigError(config_file, pointer + "/id",
                                  "key id '" + keys[i].id + "' is given twice");
    auto secret = net::resolve_secret(keys[i].secret);
    if (!secret)
      throw config::ConfigError(config_file, pointer + "/secret", secret.error().message);
    if (secret.value().size() < 32)
      throw config::ConfigError(
          config_file, pointer + "/secret",
          "the secret of link key '" + keys[i].id + "' is shorter than 32 bytes (256 bits)");
    resolved.emplace_back(keys[i].id, secret.value());
  }
  try {
    return std::make_shared<const messaging::LinkSigner>(std::move(resolved));
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError(config_file, "/messaging/link_keys", e.what());
  }
}

void attach_messaging(host::ConnectorHost& host, sync::SyncEngine& engine,
                      const workflow::Definitions& defs, const std::string& config_file) {
  const workflow::MessagingPolicy& policy = defs.messaging;
  bool any = false;
  for (const auto& kind : workflow::message_kinds()) {
    std::string name = policy.route(kind);
    if (name.empty()) continue;
    any = true;
    std::string pointer = policy.transports.count(kind) ? "/messaging/transports/" + kind
                                                        : std::string("/messaging/transport");
    const auto* in = host.find(name);
    if (!in)
      throw config::ConfigError(config_file, pointer,
                                "connector instance '" + name + "' was not opened");
    const auto& caps = in->manifest.capabilities;
    if (std::find(caps.begin(), caps.end(), "message") == caps.end())
      throw config::ConfigError(config_file, pointer,
                                "connector instance '" + name + "' (plugin " + in->manifest.id +
                                    ") does not send messages (no capability \"message\")");
  }
  if (!any) return;
  messaging::ComposerSettings settings;
  settings.from_address = policy.from_address;
  settings.from_name = policy.from_name;
  settings.envelope_from = policy.envelope_from;
  settings.reply_to = policy.reply_to;
  settings.public_url = defs.public_url;
  settings.link_valid_days = policy.link_valid_days;
  settings.feedback_valid_days = policy.feedback_valid_days;
  settings.staff_language =
      policy.staff_language.empty() ? policy.languages.front() : policy.staff_language;
  auto templates = messaging::TemplateSet::load(policy.templates_dir, policy.languages,
                                                messaging::Composer::samples());
  engine.set_composer(std::make_shared<messaging::Composer>(
      std::move(settings), std::move(templates), link_signer(defs, config_file), defs.calendar));
}

}  // namespace disputed::app
