#pragma once
// The factories of the systems' sandboxes, one per plugin folder (plugins/<system>/sandbox/).
// `options` come from `--set key=value` on the command line; an unknown key or a bad value
// throws std::invalid_argument naming it.

#include <map>
#include <memory>
#include <string>

#include "plugins/sandbox/sandbox_server.hpp"

namespace disputed::sandbox {

using Options = std::map<std::string, std::string>;

std::unique_ptr<Emulator> make_zendesk_sandbox(const Options& options);
std::unique_ptr<Emulator> make_salesforce_sandbox(const Options& options);
std::unique_ptr<Emulator> make_msgraph_sandbox(const Options& options);

}  // namespace disputed::sandbox
