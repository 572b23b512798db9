// disputed config check: validate the configuration and exit.

#include "core/app/commands/commands.hpp"
#include "core/workflow/loader.hpp"

namespace disputed::app {

namespace {

int config_check(Context& ctx, const Args& args) {
  std::string sub = args.positional(0, "a subcommand (check)");
  if (sub != "check") throw UsageError("unknown config subcommand '" + sub + "'");
  args.expect_positionals(1);
  auto cfg = config::load_engine_config(ctx.config_file);
  auto defs = workflow::load_definitions(cfg);
  ctx.out << ctx.config_file << ": ok — " << defs.categories.size() << " categories, "
          << defs.workflows.size() << " workflows, " << defs.roles.size() << " roles, calendar "
          << defs.calendar.time_zone() << " with " << defs.calendar.holidays().size()
          << " holidays\n";
  // A warning, not an error: the configuration runs, but a dispute may break its promise.
  for (const auto& warning : workflow::deadline_warnings(defs))
    ctx.out << "warning: " << warning << "\n";
  return kExitOk;
}

}  // namespace

Command config_command() {
  return {{"config"},
          {{"config check", "validate the configuration and exit"}},
          "Usage: disputed config check\n",
          {},
          {},
          config_check};
}

}  // namespace disputed::app
