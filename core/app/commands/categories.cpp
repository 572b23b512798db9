// disputed categories: the configured categories and their workflows.

#include "core/app/commands/commands.hpp"
#include "core/workflow/loader.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int categories(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  auto cfg = config::load_engine_config(ctx.config_file);
  auto defs = workflow::load_definitions(cfg);
  if (ctx.json_output) {
    json items = json::array();
    for (const auto& [id, c] : defs.categories) {
      const auto* wf = defs.workflow(c.workflow);
      items.push_back({{"id", id},
                       {"name", c.name},
                       {"workflow", c.workflow},
                       {"max_resolution_working_days", c.max_resolution_working_days},
                       {"default", id == defs.default_category},
                       {"workflow_definition", wf->to_json()}});
    }
    print_json(ctx.out, {{"items", items}});
    return kExitOk;
  }
  for (const auto& [id, c] : defs.categories) {
    ctx.out << id << (id == defs.default_category ? " (default)" : "") << " — " << c.name
            << ", resolve within " << c.max_resolution_working_days << " working days\n";
    const auto* wf = defs.workflow(c.workflow);
    for (const auto& [sid, s] : wf->steps) {
      ctx.out << "    " << pad(sid, 26) << s.deadline_working_days << "d  ";
      for (std::size_t i = 0; i < s.outcomes.size(); ++i)
        ctx.out << (i ? ", " : "") << s.outcomes[i].outcome << " -> " << s.outcomes[i].next;
      ctx.out << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

Command categories_command() {
  return {{"categories"},
          {{"categories", "the configured categories and their workflows"}},
          "Usage: disputed categories\n",
          {},
          {},
          categories};
}

}  // namespace disputed::app
