// disputed tasks [--assignee WHO] [--all]: the internal to-do list.

#include "core/app/commands/commands.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int tasks(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  std::string who = args.flag("all") ? "" : args.value("assignee").value_or(ctx.actor);
  Engine e = open_engine(ctx);
  auto tasks = e.disputes().tasks(who);
  if (ctx.json_output) {
    json items = json::array();
    for (const auto& t : tasks) items.push_back(engine::to_json(t));
    print_json(ctx.out, {{"assignee", who}, {"items", items}});
    return kExitOk;
  }
  if (tasks.empty()) {
    ctx.out << "no open tasks" << (who.empty() ? "" : " for " + who) << "\n";
    return kExitOk;
  }
  ctx.out << pad("DUE", 18) << pad("DISPUTE", 12) << pad("STEP", 24) << pad("ASSIGNEE", 28)
          << "CUSTOMER\n";
  for (const auto& t : tasks) {
    ctx.out << pad(local_time(e.definitions, t.step.deadline_at) + (t.overdue ? "!" : ""), 18)
            << pad(t.dispute_ref, 12) << pad(t.step.step_key, 24) << pad(t.step.assignee, 28)
            << t.customer_name << "\n";
  }
  return kExitOk;
}

}  // namespace

Command tasks_command() {
  return {{"tasks"},
          {{"tasks [--assignee WHO]", "the internal to-do list"}},
          "Usage: disputed tasks [--assignee WHO] [--all]\n\nOpen internal steps for WHO "
          "(default: --as), including steps for roles WHO is a member of\nand steps escalated to "
          "WHO. --all lists everyone's.\n",
          {"all"},
          {"assignee"},
          tasks};
}

}  // namespace disputed::app
