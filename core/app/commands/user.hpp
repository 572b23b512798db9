#pragma once
// `disputed user`: local accounts of the web app (small teams and the demo; organisations sign
// in with their identity provider, docs/web.md). The password is read from standard input
// (one line), never from the command line, and stored only as an Argon2id hash.

#include <iosfwd>

#include "core/app/args.hpp"
#include "core/domain/time.hpp"
#include "core/engine/web_accounts.hpp"

namespace disputed::app {

/// Runs the subcommand in `args` (positional 0: add, list, disable, password) on `accounts`.
/// Returns an exit code (cli.hpp); throws UsageError for a malformed call.
int run_user_command(const Args& args, engine::WebAccounts& accounts, domain::Instant now,
                     bool json_output, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace disputed::app
