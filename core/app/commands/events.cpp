// disputed events [--after SEQ] [--limit N]: the collection system's event feed.

#include "core/app/commands/commands.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int events(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  std::int64_t after = 0;
  int limit = 100;
  try {
    if (auto a = args.value("after")) after = std::stoll(*a);
    if (auto l = args.value("limit")) limit = std::stoi(*l);
  } catch (const std::exception&) {
    throw UsageError("--after and --limit take whole numbers");
  }
  if (limit < 1 || limit > 1000) throw UsageError("--limit must be between 1 and 1000");
  Engine e = open_engine(ctx);
  auto events = e.disputes().events(after, limit);
  if (ctx.json_output) {
    json items = json::array();
    for (const auto& ev : events) items.push_back(engine::to_json(ev));
    print_json(ctx.out,
               {{"items", items}, {"next_after", events.empty() ? after : events.back().seq}});
    return kExitOk;
  }
  for (const auto& ev : events) {
    ctx.out << pad(std::to_string(ev.seq), 7) << pad(domain::format_instant(ev.at), 22)
            << pad(ev.kind, 19) << pad(ev.invoice_number, 14) << pad(ev.dispute_ref, 12);
    if (ev.due_date) ctx.out << "new due date " << domain::format_date(*ev.due_date);
    ctx.out << "\n";
  }
  return kExitOk;
}

}  // namespace

Command events_command() {
  return {{"events"},
          {{"events [--after SEQ]", "the collection system's event feed"}},
          "Usage: disputed events [--after SEQ] [--limit N]\n\nThe ordered feed for the "
          "collection system (hold_placed, hold_released with the new\ndue date, "
          "dispute_resolved, ...). Pass the last seq you processed as --after.\n",
          {},
          {"after", "limit"},
          events};
}

}  // namespace disputed::app
