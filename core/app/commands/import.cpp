// disputed import invoices FILE: upsert invoices from a .csv or .json file.

#include "core/app/commands/commands.hpp"
#include "core/engine/invoice_import.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::app {

namespace {

int import_invoices(Context& ctx, const Args& args) {
  std::string what = args.positional(0, "what to import (invoices)");
  if (what != "invoices") throw UsageError("can only import 'invoices', not '" + what + "'");
  std::string file = args.positional(1, "the file to import");
  args.expect_positionals(2);
  auto parsed = engine::parse_invoices_file(file);
  if (!parsed) return fail(ctx, parsed.error());
  Engine e = open_engine(ctx);
  auto report = e.disputes().import_invoices(parsed.value(), ctx.actor);
  if (!report) return fail(ctx, report.error());
  if (ctx.json_output) {
    print_json(ctx.out, engine::to_json(report.value()));
  } else {
    ctx.out << file << ": " << report->created << " created, " << report->updated << " updated, "
            << report->rejected.size() << " rejected\n";
    for (const auto& r : report->rejected) {
      for (const auto& p : r.problems)
        ctx.out << "  " << r.where << (r.number.empty() ? "" : " (" + r.number + ")") << ": "
                << p.field << " " << p.problem << "\n";
    }
  }
  return report->rejected.empty() ? kExitOk : kExitFailed;
}

}  // namespace

Command import_command() {
  return {{"import"},
          {{"import invoices FILE", "upsert invoices from a .csv or .json file"}},
          "Usage: disputed import invoices FILE\n\nUpserts invoices by number from a .csv (header "
          "row required) or .json file.\nColumns: number, customer_id, customer_name, "
          "customer_email, customer_language,\n  amount, currency, issue_date, due_date, "
          "account_manager.\nValid rows are imported; rejected rows are reported with line and "
          "field.\n",
          {},
          {},
          import_invoices};
}

}  // namespace disputed::app
