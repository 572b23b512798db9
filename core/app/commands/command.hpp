#pragma once
// One command of the `disputed` command line: the words that select it, its options, its lines
// in `disputed --help`, its own help and its handler. Each command registers itself in its own
// file under core/app/commands/; commands.cpp lists them all (the one place they are composed)
// and cli.cpp parses the global options, finds the command and runs it.

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/app/args.hpp"
#include "core/app/cli.hpp"
#include "core/config/engine_config.hpp"
#include "core/domain/result.hpp"
#include "core/domain/time.hpp"
#include "core/engine/session.hpp"
#include "core/store/sqlite.hpp"
#include "core/workflow/definition.hpp"

namespace disputed::app {

inline constexpr const char* kVersion = "0.1.0";

/// What every command gets: the streams, the environment and the global options.
struct Context {
  Context(std::istream& i, std::ostream& o, std::ostream& e, const Environment& en)
      : in(i), out(o), err(e), env(en) {}
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const Environment& env;
  bool json_output = false;
  std::string actor;
  std::string config_file;
  std::optional<std::string> db_override;
  std::optional<domain::Instant> now_override;
  double clock_speed = 0;  // > 0: the clock runs from now_override at this speed
};

/// One line of `disputed --help`: how the command is called and what it does.
struct Synopsis {
  std::string call;
  std::string summary;
};

struct Command {
  /// The words that select it: {"migrate"}, or {"dispute", "open"} for a command of a group
  /// (the second word is its subcommand; other commands read further words as arguments).
  std::vector<std::string> words;
  std::vector<Synopsis> synopsis;  // its lines in `disputed --help`, in table order
  std::string help;                // `disputed WORDS --help`
  std::set<std::string> flags;     // options without a value, beyond the global ones
  std::set<std::string> valued;    // options with a value (repeatable), beyond the global ones
  std::function<int(Context&, const Args&)> run;  // an exit code (cli.hpp)
};

/// Everything a command needs once configuration and database are open.
struct Engine {
  config::EngineConfig config;
  workflow::Definitions definitions;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<domain::Clock> clock;
  std::unique_ptr<engine::Session> session;
  engine::DisputeService& disputes() const { return session->disputes(); }
  engine::Operations& operations() const { return session->operations(); }
};

/// Configuration, definitions, database (at the current schema unless told otherwise), the
/// clock the global options ask for, and an engine session over them.
Engine open_engine(const Context& ctx, bool require_schema = true);

/// The database file: --db (or $DISPUTED_DB), else the config's.
std::filesystem::path database_path(const Context& ctx, const config::EngineConfig& config);

/// The config's SQLite settings (synchronous, busy timeout).
store::DatabaseOptions database_options(const config::EngineConfig& config);

/// Prints `error` (human or JSON, on the error stream) and returns kExitFailed.
int fail(Context& ctx, const domain::Error& error);

/// Prints `j` indented by two, bad bytes replaced, and a line end.
void print_json(std::ostream& out, const nlohmann::json& j);

/// `s` padded with spaces to `width` bytes, or followed by one space when it is as long or
/// longer (data is never cut).
std::string pad(const std::string& s, std::size_t width);

/// `t` in the calendar's time zone, as the CLI shows times.
std::string local_time(const workflow::Definitions& defs, domain::Instant t);

}  // namespace disputed::app
