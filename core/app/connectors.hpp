#pragma once
// Composition of the connector side: the plugin host's opened instances handed to the sync
// engine with their scheduling (the manifest's defaults, overridden by the instance's config).
// Here in app, so that the plugin host depends on the SDK, net and config only.

#include "core/host/connector_host.hpp"
#include "core/sync/sync_engine.hpp"

namespace disputed::app {

/// The sync engine's settings for one opened instance.
sync::InstanceOptions scheduling_of(const host::ConnectorHost::Instance& instance);

/// Registers every instance `host` opened with `engine`. The host's connectors outlive the
/// engine's use of them (stop the engine first).
void register_connectors(host::ConnectorHost& host, sync::SyncEngine& engine);

/// Messaging (disputed.json `messaging`): checks that every transport named is an opened
/// instance whose plugin sends messages (capability "message"), loads and checks the templates of
/// every configured language, and hands `engine` the composer. Nothing to do when no transport is
/// configured (messages are then recorded as undeliverable). Throws config::ConfigError naming
/// the key or the template file. `definitions` outlives the engine.
void attach_messaging(host::ConnectorHost& host, sync::SyncEngine& engine,
                      const workflow::Definitions& definitions, const std::string& config_file);

}  // namespace disputed::app
