#include "core/app/connectors.hpp"

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

}  // namespace disputed::app
