#pragma once
// `disputed api-key create NAME --role ROLE | list | revoke NAME`: the REST API's keys. The key
// is printed once, at creation; the database keeps only its SHA-256.

#include <iosfwd>

#include "core/app/args.hpp"
#include "core/engine/operations.hpp"

namespace disputed::app {

/// Runs the subcommand in `args` (positional 0) through `operations` (on a migrated database).
/// Returns an exit code (cli.hpp); throws UsageError for a malformed call.
int run_api_key_command(const Args& args, engine::Operations& operations, bool json_output,
                        std::ostream& out, std::ostream& err);

}  // namespace disputed::app
