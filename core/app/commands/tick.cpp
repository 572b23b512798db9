// disputed tick: fire the reminders and escalations that are due now, once.

#include "core/app/commands/commands.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::app {

namespace {

int tick(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  Engine e = open_engine(ctx);
  auto r = e.disputes().tick();
  if (!r) return fail(ctx, r.error());
  if (ctx.json_output)
    print_json(ctx.out, engine::to_json(r.value()));
  else
    ctx.out << r->reminders << " reminder(s), " << r->escalations << " escalation(s) fired at "
            << domain::format_instant(e.clock->now()) << "\n";
  return kExitOk;
}

}  // namespace

Command tick_command() {
  return {{"tick"},
          {{"tick", "fire due reminders and escalations once"}},
          "Usage: disputed tick\n\nFires every reminder and escalation that is due now, once.\n",
          {},
          {},
          tick};
}

}  // namespace disputed::app
