#pragma once
// The `disputed` command line. run_cli is what main() calls; tests call it directly with their
// own streams and environment.

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace disputed::app {

/// Exit codes: 0 success, 1 the command failed (not found, conflict, invalid input),
/// 2 usage error, 3 configuration or database error at start-up.
enum ExitCode { kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitStartup = 3 };

/// Looks up an environment variable (injectable for tests).
using Environment = std::function<const char*(const char*)>;

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            const Environment& env);

}  // namespace disputed::app
