#pragma once
// `disputed api-key create NAME --role ROLE | list | revoke NAME`: the REST API's keys. The key
// is printed once, at creation; the database keeps only its SHA-256.

#include <iosfwd>

#include "core/app/args.hpp"
#include "core/domain/time.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::app {

/// Runs the subcommand in `args` (positional 0) on `db` (migrated). Returns an exit code
/// (cli.hpp); throws UsageError for a malformed call.
int run_api_key_command(const Args& args, store::Database& db, domain::Instant now,
                        bool json_output, std::ostream& out, std::ostream& err);

}  // namespace disputed::app
