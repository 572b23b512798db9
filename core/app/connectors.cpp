#include "core/app/connectors.hpp"

#include <algorithm>

#include "core/config/config_error.hpp"
#include "core/messaging/composer.hpp"

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
  settings.staff_language =
      policy.staff_language.empty() ? policy.languages.front() : policy.staff_language;
  auto templates = messaging::TemplateSet::load(policy.templates_dir, policy.languages,
                                                messaging::Composer::samples());
  engine.set_composer(std::make_shared<messaging::Composer>(
      std::move(settings), std::move(templates), nullptr, defs.calendar));
}

}  // namespace disputed::app
