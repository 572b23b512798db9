// disputed dead-letters [--instance NAME] | dead-letters replay ID|ACTION_KEY

#include "core/app/commands/commands.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int dead_letters(Context& ctx, const Args& args) {
  Engine e = open_engine(ctx);
  if (!args.positionals().empty()) {
    if (args.positionals()[0] != "replay")
      throw UsageError("unknown dead-letters subcommand '" + args.positionals()[0] + "'");
    std::string which = args.positional(1, "the dead letter to replay (id or action key)");
    args.expect_positionals(2);
    auto replayed = e.operations().replay_dead_letter(which);
    if (!replayed) return fail(ctx, replayed.error());
    ctx.out << "dead letter " << which << " is pending again\n";
    return kExitOk;
  }
  auto rows = e.operations().dead_letters(args.value("instance").value_or(""), 1000);
  if (ctx.json_output) {
    json items = json::array();
    for (const auto& r : rows) items.push_back(engine::to_json(r));
    print_json(ctx.out, {{"items", items}});
    return kExitOk;
  }
  if (rows.empty()) ctx.out << "no dead letters\n";
  for (const auto& r : rows)
    ctx.out << pad(std::to_string(r.id), 7) << pad(r.action_key, 28) << pad(r.instance, 20)
            << r.attempts << " attempt(s): " << r.last_error.value_or("") << "\n";
  return kExitOk;
}

}  // namespace

Command dead_letters_command() {
  return {{"dead-letters"},
          {{"dead-letters [--instance NAME]",
            "actions that could not be delivered; `dead-letters replay ID` retries one"}},
          "Usage: disputed dead-letters [--instance NAME]\n       disputed dead-letters replay "
          "ID|ACTION_KEY\n\nActions a connector rejected or that failed too often. replay makes "
          "one pending again.\n",
          {},
          {"instance"},
          dead_letters};
}

}  // namespace disputed::app
