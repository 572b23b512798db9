#pragma once
// The Microsoft Graph sandbox: a stateful emulator of the tenant's token endpoint and the To Do
// part of Graph (see msgraph_sandbox.cpp for what it answers and its options).

#include <memory>

#include "plugins/sandbox/registry.hpp"

namespace disputed::sandbox {

/// The Graph sandbox with `options` (registered as "msgraph" for disputed-sandbox).
std::unique_ptr<Emulator> make_msgraph_sandbox(const Options& options);

}  // namespace disputed::sandbox
