#pragma once
// Composition of the connector side: the plugin host's opened instances handed to the sync
// engine with their scheduling (the manifest's defaults, overridden by the instance's config).
// Here in app, so that the plugin host depends on the SDK, net and config only.

#include <memory>

#include "core/host/connector_host.hpp"
#include "core/messaging/links.hpp"
#include "core/sync/sync_engine.hpp"

namespace disputed::app {

/// The sync engine's settings for one opened instance.
sync::InstanceOptions scheduling_of(const host::ConnectorHost::Instance& instance);

/// Registers every instance `host` opened with `engine`. The host's connectors outlive the
/// engine's use of them (stop the engine first).
void register_connectors(host::ConnectorHost& host, sync::SyncEngine& engine);

/// The signer of the one-click links (messaging.link_keys), each secret resolved from its env:
/// or file: reference; nullptr when no keys are configured. Throws config::ConfigError naming
/// the key path (`/messaging/link_keys/1/secret`) when a secret is missing or shorter than 32
/// bytes, a key id repeats, or no server.public_url says where the links point.
std::shared_ptr<const messaging::LinkSigner> link_signer(const workflow::Definitions& definitions,
                                                         const std::string& config_file);

/// Messaging (disputed.json `messaging`): checks that every transport named is an opened
/// instance whose plugin sends messages (capability "message"), loads and checks the templates of
/// every configured language, and hands `engine` the composer. Nothing to do when no transport is
/// configured (messages are then recorded as undeliverable). Throws config::ConfigError naming
/// the key or the template file. `definitions` outlives the engine.
void attach_messaging(host::ConnectorHost& host, sync::SyncEngine& engine,
                      const workflow::Definitions& definitions, const std::string& config_file);

}  // namespace disputed::app
