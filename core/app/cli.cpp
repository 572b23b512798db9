#include "core/app/cli.hpp"

#include <iostream>
#include <sstream>

#include "core/app/commands/commands.hpp"
#include "core/config/config_error.hpp"
#include "core/store/migrations.hpp"

namespace disputed::app {

namespace {

constexpr const char* kUsageHead = R"(disputed — invoice-dispute engine

Usage: disputed [global options] <command> [options]

Commands:
)";

constexpr const char* kUsageGlobalOptions = R"(
Global options:
  --config FILE   engine config (default: $DISPUTED_CONFIG or configs/disputed.json)
  --db FILE       database file, overrides the config (or $DISPUTED_DB)
  --as WHO        who gives the command, recorded in the dossier (default: $DISPUTED_USER or $USER)
  --now TIME      act as if it were TIME (ISO-8601 UTC), for demos and tests (or $DISPUTED_NOW)
  --clock-speed N with --now: time starts at TIME and runs N times faster (or $DISPUTED_CLOCK_SPEED)
  --json          machine-readable output
  --help          help for any command
  --version       print the version
)";

/// `disputed --help`: every command's synopsis, in table order.
std::string usage() {
  std::string text = kUsageHead;
  for (const auto& command : command_table())
    for (const auto& line : command.synopsis)
      text += "  " + pad(line.call, 33) + line.summary + "\n";
  return text + kUsageGlobalOptions;
}

// Options every command knows; each command adds its own.
const std::set<std::string> kGlobalFlags = {"json", "help", "version"};
const std::set<std::string> kGlobalValued = {"config", "db", "as", "now", "clock-speed"};

std::string env_or(const Environment& env, const char* name, const std::string& fallback) {
  const char* v = env(name);
  return v && *v ? std::string(v) : fallback;
}

/// True when `word` names a group of commands selected by a second word ("dispute open").
bool is_group(const std::string& word) {
  for (const auto& c : command_table())
    if (c.words.size() == 2 && c.words[0] == word) return true;
  return false;
}

const Command* find_command(const std::vector<std::string>& words) {
  for (const auto& c : command_table())
    if (c.words == words) return &c;
  return nullptr;
}

/// The subcommands of a group, as "open, list, show, ...".
std::string subcommands_of(const std::string& group) {
  std::string names;
  for (const auto& c : command_table())
    if (c.words.size() == 2 && c.words[0] == group)
      names += (names.empty() ? "" : ", ") + c.words[1];
  return names;
}

/// The global options (--json, --config, --db, --as, --now, --clock-speed and the environment).
void read_global_options(Context& ctx, const Args& args, const Environment& env) {
  ctx.json_output = args.flag("json");
  ctx.config_file =
      args.value("config").value_or(env_or(env, "DISPUTED_CONFIG", "configs/disputed.json"));
  ctx.db_override = args.value("db");
  if (!ctx.db_override && env("DISPUTED_DB") && *env("DISPUTED_DB"))
    ctx.db_override = env("DISPUTED_DB");
  ctx.actor = args.value("as").value_or(env_or(env, "DISPUTED_USER", env_or(env, "USER", "cli")));
  std::string now_text = args.value("now").value_or(env_or(env, "DISPUTED_NOW", ""));
  if (!now_text.empty()) {
    ctx.now_override = domain::parse_instant(now_text);
    if (!ctx.now_override)
      throw UsageError("--now '" + now_text +
                       "' is not an ISO-8601 time like 2026-11-23T09:00:00Z");
  }
  std::string speed_text =
      args.value("clock-speed").value_or(env_or(env, "DISPUTED_CLOCK_SPEED", ""));
  if (!speed_text.empty()) {
    if (!ctx.now_override)
      throw UsageError("--clock-speed needs --now (the instant the fast clock starts from)");
    try {
      std::size_t used = 0;
      ctx.clock_speed = std::stod(speed_text, &used);
      if (used != speed_text.size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      ctx.clock_speed = -1;
    }
    if (ctx.clock_speed <= 0 || ctx.clock_speed > 1e6)
      throw UsageError("--clock-speed '" + speed_text + "' must be a number between 0 and 1000000");
  }
}

}  // namespace

int run_cli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err,
            const Environment& env) {
  Context ctx(std::cin, out, err, env);
  try {
    // The command words come first ("dispute open", "import", "tasks"), after any global
    // options; the command's options may follow anywhere.
    std::vector<std::string> rest;
    std::size_t i = 0;
    for (; i < argv.size(); ++i) {
      const std::string& t = argv[i];
      if (t.rfind("--", 0) != 0) break;
      rest.push_back(t);
      std::string name = t.substr(2);
      if (name.find('=') == std::string::npos && kGlobalValued.count(name) && i + 1 < argv.size())
        rest.push_back(argv[++i]);
    }
    std::vector<std::string> words;
    if (i < argv.size()) words.push_back(argv[i++]);
    if (!words.empty() && is_group(words[0]) && i < argv.size() && argv[i].rfind("--", 0) != 0)
      words.push_back(argv[i++]);
    for (; i < argv.size(); ++i) rest.push_back(argv[i]);

    const Command* command = words.empty() ? nullptr : find_command(words);
    std::set<std::string> flags = kGlobalFlags, valued = kGlobalValued;
    if (command) {
      flags.insert(command->flags.begin(), command->flags.end());
      valued.insert(command->valued.begin(), command->valued.end());
    }
    Args args(rest, flags, valued);

    if (args.flag("version")) {
      out << "disputed " << kVersion << " (schema " << store::latest_schema_version() << ")\n";
      return kExitOk;
    }
    if (words.empty() || words[0] == "help") {
      out << usage();
      return words.empty() && !args.flag("help") ? kExitUsage : kExitOk;
    }
    if (args.flag("help")) {
      out << (command ? command->help : usage());
      return kExitOk;
    }
    read_global_options(ctx, args, env);
    if (command) return command->run(ctx, args);
    if (words.size() == 1 && is_group(words[0]))
      throw UsageError(words[0] + " needs a subcommand: " + subcommands_of(words[0]));
    if (words.size() == 2)
      throw UsageError("unknown " + words[0] + " subcommand '" + words[1] +
                       "' (see disputed --help)");
    throw UsageError("unknown command '" + words[0] + "' (see disputed --help)");
  } catch (const UsageError& e) {
    err << "usage error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const config::ConfigError& e) {
    err << "configuration error: " << e.what() << "\n";
    return kExitStartup;
  } catch (const store::SchemaError& e) {
    err << "database error: " << e.what() << "\n";
    return kExitStartup;
  } catch (const store::SqliteError& e) {
    err << "database error: " << e.what() << "\n";
    return kExitStartup;
  }
}

}  // namespace disputed::app
