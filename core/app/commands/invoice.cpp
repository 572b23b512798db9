// disputed invoice show NUMBER: an invoice's collection state, collectable or on hold.

#include "core/app/commands/commands.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::app {

namespace {

int invoice(Context& ctx, const Args& args) {
  std::string sub = args.positional(0, "a subcommand (show)");
  if (sub != "show") throw UsageError("unknown invoice subcommand '" + sub + "'");
  std::string number = args.positional(1, "the invoice number");
  args.expect_positionals(2);
  Engine e = open_engine(ctx);
  auto st = e.disputes().invoice_state(number);
  if (!st) return fail(ctx, st.error());
  if (ctx.json_output) {
    print_json(ctx.out, engine::to_json(st.value()));
    return kExitOk;
  }
  const auto& inv = st->invoice.invoice;
  ctx.out << inv.number << "  " << inv.amount.to_string() << " " << inv.currency << "  "
          << inv.customer.name << " (" << inv.customer.id << ")\n";
  ctx.out << "  issued " << domain::format_date(inv.issue_date) << ", due "
          << domain::format_date(inv.due_date);
  if (st->invoice.original_due_date != inv.due_date)
    ctx.out << " (originally " << domain::format_date(st->invoice.original_due_date) << ")";
  ctx.out << "\n  " << (st->collectable ? "COLLECTABLE" : "ON HOLD — do not dun");
  for (const auto& h : st->active_holds)
    ctx.out << "\n    disputed in " << h.dispute_ref << " since "
            << local_time(e.definitions, h.placed_at);
  ctx.out << "\n";
  if (!st->history.empty()) {
    ctx.out << "  hold history:\n";
    for (const auto& h : st->history) {
      ctx.out << "    " << h.dispute_ref << " placed " << local_time(e.definitions, h.placed_at);
      if (h.released_at) ctx.out << ", released " << local_time(e.definitions, *h.released_at);
      if (h.new_due_date) ctx.out << ", new due date " << domain::format_date(*h.new_due_date);
      ctx.out << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

Command invoice_command() {
  return {{"invoice"},
          {{"invoice show NUMBER", "an invoice's collection state: collectable or on hold"}},
          "Usage: disputed invoice show NUMBER\n\nShows whether the invoice is collectable or on "
          "hold (and for which disputes),\nits current due date and its hold history.\n",
          {},
          {},
          invoice};
}

}  // namespace disputed::app
