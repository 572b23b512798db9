// disputed dispute open | list | show | complete-step | resolve | withdraw | reopen | close | note

#include "core/app/commands/commands.hpp"
#include "core/app/commands/dispute_view.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

const char* const kWhichDispute = "the dispute (e.g. DSP-000001)";

int open(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  engine::OpenDisputeRequest req;
  for (const auto& spec : args.values("invoice")) {
    engine::ClaimedInvoice claim;
    auto eq = spec.find('=');
    claim.number = spec.substr(0, eq);
    if (eq != std::string::npos) {
      std::string problem;
      auto amount = domain::Decimal::parse(spec.substr(eq + 1), &problem);
      if (!amount)
        return fail(ctx, domain::Error::invalid("bad --invoice " + spec,
                                                "invoice " + claim.number + " amount",
                                                "'" + spec.substr(eq + 1) + "' " + problem));
      claim.amount = *amount;
    }
    req.invoices.push_back(claim);
  }
  req.description = args.value("description").value_or("");
  std::string channel = args.value("channel").value_or("other");
  auto ch = domain::parse_channel(channel);
  if (!ch)
    return fail(
        ctx, domain::Error::invalid("unknown channel", "channel",
                                    "'" + channel + "' is not one of " + domain::channel_names()));
  req.channel = *ch;
  req.category = args.value("category");
  req.currency = args.value("currency");
  req.contact_name = args.value("contact-name").value_or("");
  req.contact_email = args.value("contact-email").value_or("");
  req.contact_phone = args.value("contact-phone").value_or("");
  req.actor = ctx.actor;
  Engine e = open_engine(ctx);
  return dispute_result(ctx, e, e.disputes().open_dispute(req), "registered");
}

int list(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  engine::DisputeFilter f;
  if (auto s = args.value("status")) {
    f.status = domain::parse_dispute_status(*s);
    if (!f.status)
      return fail(ctx, domain::Error::invalid(
                           "unknown status", "status",
                           "'" + *s + "' is not one of " + domain::dispute_status_names()));
  }
  f.active_only = args.flag("active");
  f.category = args.value("category");
  f.customer_id = args.value("customer");
  f.invoice_number = args.value("invoice");
  f.assignee = args.value("assignee");
  try {
    if (auto a = args.value("after")) f.after_id = std::stoll(*a);
    if (auto l = args.value("limit")) f.limit = std::stoi(*l);
  } catch (const std::exception&) {
    throw UsageError("--after and --limit take whole numbers");
  }
  Engine e = open_engine(ctx);
  if (args.flag("overdue")) f.overdue_at = e.clock->now();
  auto list = e.disputes().list(f);
  if (ctx.json_output) {
    json items = json::array();
    for (const auto& d : list) items.push_back(engine::to_json(d));
    json out = {{"items", items}};
    out["next_after"] = list.size() == std::size_t(f.limit) ? json(list.back().id) : json(nullptr);
    print_json(ctx.out, out);
  } else {
    ctx.out << pad("REF", 12) << pad("STATUS", 12) << pad("CATEGORY", 19) << pad("DISPUTED", 16)
            << pad("CUSTOMER", 24) << "INVOICES\n";
    for (const auto& d : list) print_dispute_line(ctx.out, d);
    if (list.size() == std::size_t(f.limit))
      ctx.out << "(more: --after " << list.back().id << ")\n";
  }
  return kExitOk;
}

int show(Context& ctx, const Args& args) {
  std::string ref = args.positional(0, kWhichDispute);
  args.expect_positionals(1);
  Engine e = open_engine(ctx);
  return dispute_result(ctx, e, e.disputes().show(ref), "");
}

int complete_step(Context& ctx, const Args& args) {
  std::string ref = args.positional(0, kWhichDispute);
  std::string step = args.positional(1, "the step (workflow step id or number)");
  args.expect_positionals(2);
  engine::CompleteStepRequest req;
  req.dispute = ref;
  req.step = step;
  req.outcome = args.value("outcome");
  req.comment = args.value("comment").value_or("");
  req.actor = ctx.actor;
  Engine e = open_engine(ctx);
  return dispute_result(ctx, e, e.disputes().complete_step(req), "step " + step + " completed");
}

int resolve(Context& ctx, const Args& args) {
  std::string ref = args.positional(0, kWhichDispute);
  args.expect_positionals(1);
  std::string r = args.required("resolution");
  auto resolution = domain::parse_resolution(r);
  if (!resolution)
    return fail(ctx,
                domain::Error::invalid("unknown resolution", "resolution",
                                       "'" + r + "' is not one of " + domain::resolution_names()));
  Engine e = open_engine(ctx);
  return dispute_result(
      ctx, e, e.disputes().resolve(ref, *resolution, args.value("note").value_or(""), ctx.actor),
      "resolved");
}

int withdraw(Context& ctx, const Args& args) {
  std::string ref = args.positional(0, kWhichDispute);
  args.expect_positionals(1);
  Engine e = open_engine(ctx);
  return dispute_result(
      ctx, e, e.disputes().withdraw(ref, args.value("note").value_or(""), ctx.actor), "withdrawn");
}

int reopen(Context& ctx, const Args& args) {
  std::string ref = args.positional(0, kWhichDispute);
  args.expect_positionals(1);
  std::string reason = args.required("reason");
  Engine e = open_engine(ctx);
  return dispute_result(ctx, e, e.disputes().reopen(ref, reason, args.value("step"), ctx.actor),
                        "reopened");
}

int close(Context& ctx, const Args& args) {
  std::string ref = args.positional(0, kWhichDispute);
  args.expect_positionals(1);
  Engine e = open_engine(ctx);
  return dispute_result(ctx, e, e.disputes().close(ref, ctx.actor), "closed");
}

int note(Context& ctx, const Args& args) {
  std::string ref = args.positional(0, kWhichDispute);
  args.expect_positionals(1);
  engine::NoteRequest req;
  req.dispute = ref;
  req.summary = args.required("text");
  req.actor = ctx.actor;
  if (auto c = args.value("channel")) {
    req.channel = domain::parse_channel(*c);
    if (!req.channel)
      return fail(ctx,
                  domain::Error::invalid("unknown channel", "channel",
                                         "'" + *c + "' is not one of " + domain::channel_names()));
    req.direction = domain::Direction::kInbound;
  }
  if (auto d = args.value("direction")) {
    auto dir = domain::parse_direction(*d);
    if (!dir)
      return fail(ctx,
                  domain::Error::invalid("unknown direction", "direction",
                                         "'" + *d + "' is not one of inbound, outbound, internal"));
    req.direction = *dir;
  }
  Engine e = open_engine(ctx);
  auto r = e.disputes().add_note(req);
  if (!r) return fail(ctx, r.error());
  if (ctx.json_output)
    print_json(ctx.out, engine::to_json(r.value()));
  else
    ctx.out << "note added to " << ref << "\n";
  return kExitOk;
}

}  // namespace

std::vector<Command> dispute_commands() {
  return {
      {{"dispute", "open"},
       {{"dispute open ...", "register a dispute (see disputed dispute open --help)"}},
       "Usage: disputed dispute open --invoice NUMBER[=AMOUNT] [--invoice ...] --description "
       "TEXT\n"
       "                             [--channel phone|email|whatsapp|portal|letter|other]\n"
       "                             [--category ID] [--currency CODE]\n"
       "                             [--contact-name NAME] [--contact-email EMAIL] "
       "[--contact-phone PHONE]\n\n"
       "Registers a dispute on one or more invoices of one customer. AMOUNT is the disputed\n"
       "part (default: the whole undisputed remainder). Without --category the category is\n"
       "suggested from the description. Dunning of each invoice pauses at once.\n",
       {},
       {"invoice", "description", "channel", "category", "currency", "contact-name",
        "contact-email", "contact-phone"},
       open},
      {{"dispute", "list"},
       {{"dispute list [filters]", "list disputes"}},
       "Usage: disputed dispute list [--status S] [--active] [--category C] [--customer ID]\n"
       "                             [--invoice NUMBER] [--assignee WHO] [--overdue]\n"
       "                             [--after ID] [--limit N]\n",
       {"overdue", "active"},
       {"status", "category", "customer", "invoice", "assignee", "after", "limit"},
       list},
      {{"dispute", "show"},
       {{"dispute show REF", "a dispute with its steps, holds and timeline"}},
       "Usage: disputed dispute show REF\n\nREF is the readable id (DSP-000001) or the number.\n",
       {},
       {},
       show},
      {{"dispute", "complete-step"},
       {{"dispute complete-step REF STEP", "complete an open step with an outcome"}},
       "Usage: disputed dispute complete-step REF STEP [--outcome OUTCOME] [--comment TEXT]\n\n"
       "STEP is the workflow step id (e.g. check-price) or the step number shown by `dispute "
       "show`.\n"
       "The outcome decides the next step; it may be omitted when the step has only one.\n",
       {},
       {"outcome", "comment"},
       complete_step},
      {{"dispute", "resolve"},
       {{"dispute resolve REF", "resolve with a resolution code"}},
       "Usage: disputed dispute resolve REF --resolution credit_note|corrected_invoice|rejected "
       "[--note TEXT]\n\n"
       "Ends the dispute now: open steps are cancelled, holds released with the policy's new due "
       "date.\n",
       {},
       {"resolution", "note"},
       resolve},
      {{"dispute", "withdraw"},
       {{"dispute withdraw REF", "the customer withdraws the dispute"}},
       "Usage: disputed dispute withdraw REF [--note TEXT]\n",
       {},
       {"note"},
       withdraw},
      {{"dispute", "reopen"},
       {{"dispute reopen REF", "reopen a resolved/withdrawn/closed dispute"}},
       "Usage: disputed dispute reopen REF --reason TEXT [--step STEP]\n\n"
       "Holds are placed again and the workflow restarts at STEP (default: its first step).\n",
       {},
       {"reason", "step"},
       reopen},
      {{"dispute", "close"},
       {{"dispute close REF", "close a resolved or withdrawn dispute"}},
       "Usage: disputed dispute close REF\n",
       {},
       {},
       close},
      {{"dispute", "note"},
       {{"dispute note REF", "add a note or contact moment to the dossier"}},
       "Usage: disputed dispute note REF --text TEXT [--channel CHANNEL] [--direction "
       "inbound|outbound|internal]\n\n"
       "With --channel the note is a contact moment (a call, an e-mail) with the customer.\n",
       {},
       {"text", "channel", "direction"},
       note},
  };
}

}  // namespace disputed::app
