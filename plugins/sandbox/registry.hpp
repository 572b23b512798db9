#pragma once
// Sandboxes register themselves: each system's emulator source says
//
//   DISPUTED_REGISTER_SANDBOX("zendesk", make_zendesk_sandbox);
//
// and `disputed-sandbox`, which links every sandbox add_connector_plugin() declared, finds it by
// name. Adding a system touches no shared file.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugins/sandbox/sandbox_server.hpp"

namespace disputed::sandbox {

/// `--set key=value` options of a sandbox; an unknown key or a bad value throws
/// std::invalid_argument naming it.
using Options = std::map<std::string, std::string>;
using Factory = std::function<std::unique_ptr<Emulator>(const Options&)>;

/// Adds a sandbox under `name` (a registration at static initialisation); false when the name was
/// taken already (the first one stays).
bool register_sandbox(const std::string& name, Factory factory);
/// The registered systems' names, sorted.
std::vector<std::string> registered_sandboxes();
/// A new emulator of the system `name`; nullptr when no sandbox has that name.
std::unique_ptr<Emulator> make_sandbox(const std::string& name, const Options& options);

}  // namespace disputed::sandbox

#define DISPUTED_SANDBOX_CONCAT2(a, b) a##b
#define DISPUTED_SANDBOX_CONCAT(a, b) DISPUTED_SANDBOX_CONCAT2(a, b)
/// Registers a sandbox factory under a name; use once, at namespace scope, in the sandbox's .cpp.
#define DISPUTED_REGISTER_SANDBOX(name, factory)                                           \
  [[maybe_unused]] static const bool DISPUTED_SANDBOX_CONCAT(disputed_sandbox_registered_, \
                                                             __LINE__) =                   \
      ::disputed::sandbox::register_sandbox(name, factory)
