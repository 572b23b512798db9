#include "core/app/cli.hpp"

#include <pthread.h>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/app/api_key_command.hpp"
#include "core/app/args.hpp"
#include "core/app/connectors.hpp"
#include "core/app/service.hpp"
#include "core/app/user_command.hpp"
#include "core/config/config_error.hpp"
#include "core/config/engine_config.hpp"
#include "core/engine/dispute_service.hpp"
#include "core/engine/invoice_import.hpp"
#include "core/engine/timer_scheduler.hpp"
#include "core/engine/views_json.hpp"
#include "core/host/connector_host.hpp"
#include "core/store/migrations.hpp"
#include "core/store/sqlite.hpp"
#include "core/store/sync_store.hpp"
#include "core/workflow/loader.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsage = R"(disputed — invoice-dispute engine

Usage: disputed [global options] <command> [options]

Commands:
  migrate                          create or upgrade the database schema
  import invoices FILE             upsert invoices from a .csv or .json file
  invoice show NUMBER              an invoice's collection state: collectable or on hold
  dispute open ...                 register a dispute (see disputed dispute open --help)
  dispute list [filters]           list disputes
  dispute show REF                 a dispute with its steps, holds and timeline
  dispute complete-step REF STEP   complete an open step with an outcome
  dispute resolve REF              resolve with a resolution code
  dispute withdraw REF             the customer withdraws the dispute
  dispute reopen REF               reopen a resolved/withdrawn/closed dispute
  dispute close REF                close a resolved or withdrawn dispute
  dispute note REF                 add a note or contact moment to the dossier
  tasks [--assignee WHO]           the internal to-do list
  tick                             fire due reminders and escalations once
  events [--after SEQ]             the collection system's event feed
  categories                       the configured categories and their workflows
  config check                     validate the configuration and exit
  plugins                          connector plugins found, and whether each passes the ABI gate
  connectors [--check]             connector instances: state, pending, dead letters; --check proves credentials
  dead-letters [--instance NAME]   actions that could not be delivered; `dead-letters replay ID` retries one
  sync [--once]                    mirror actions into the connectors and poll them (until SIGTERM, or one round)
  serve [--listen HOST:PORT]       run as a service: the REST API and the timers, until SIGTERM
  api-key create NAME --role R     a key for the REST API (admin|controller|viewer|integration)
  api-key list | revoke NAME       the REST API's keys
  user add EMAIL --role R          a local account of the web app (password on standard input)
  user list | disable | password   the web app's local accounts

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

const std::map<std::string, std::string>& command_help() {
  static const std::map<std::string, std::string> help = {
      {"migrate",
       "Usage: disputed migrate\n\nApplies every pending schema migration (forward only).\n"},
      {"import",
       "Usage: disputed import invoices FILE\n\nUpserts invoices by number from a .csv (header row "
       "required) or .json file.\nColumns: number, customer_id, customer_name, customer_email, "
       "customer_language,\n  amount, currency, issue_date, due_date, account_manager.\nValid rows "
       "are imported; rejected rows are reported with line and field.\n"},
      {"invoice",
       "Usage: disputed invoice show NUMBER\n\nShows whether the invoice is collectable or on hold "
       "(and for which disputes),\nits current due date and its hold history.\n"},
      {"dispute open",
       "Usage: disputed dispute open --invoice NUMBER[=AMOUNT] [--invoice ...] --description TEXT\n"
       "                             [--channel phone|email|whatsapp|portal|letter|other]\n"
       "                             [--category ID] [--currency CODE]\n"
       "                             [--contact-name NAME] [--contact-email EMAIL] "
       "[--contact-phone PHONE]\n\n"
       "Registers a dispute on one or more invoices of one customer. AMOUNT is the disputed\n"
       "part (default: the whole undisputed remainder). Without --category the category is\n"
       "suggested from the description. Dunning of each invoice pauses at once.\n"},
      {"dispute list",
       "Usage: disputed dispute list [--status S] [--active] [--category C] [--customer ID]\n"
       "                             [--invoice NUMBER] [--assignee WHO] [--overdue]\n"
       "                             [--after ID] [--limit N]\n"},
      {"dispute show",
       "Usage: disputed dispute show REF\n\nREF is the readable id (DSP-000001) or the number.\n"},
      {"dispute complete-step",
       "Usage: disputed dispute complete-step REF STEP [--outcome OUTCOME] [--comment TEXT]\n\n"
       "STEP is the workflow step id (e.g. check-price) or the step number shown by `dispute "
       "show`.\n"
       "The outcome decides the next step; it may be omitted when the step has only one.\n"},
      {"dispute resolve",
       "Usage: disputed dispute resolve REF --resolution credit_note|corrected_invoice|rejected "
       "[--note TEXT]\n\n"
       "Ends the dispute now: open steps are cancelled, holds released with the policy's new due "
       "date.\n"},
      {"dispute withdraw", "Usage: disputed dispute withdraw REF [--note TEXT]\n"},
      {"dispute reopen",
       "Usage: disputed dispute reopen REF --reason TEXT [--step STEP]\n\n"
       "Holds are placed again and the workflow restarts at STEP (default: its first step).\n"},
      {"dispute close", "Usage: disputed dispute close REF\n"},
      {"dispute note",
       "Usage: disputed dispute note REF --text TEXT [--channel CHANNEL] [--direction "
       "inbound|outbound|internal]\n\n"
       "With --channel the note is a contact moment (a call, an e-mail) with the customer.\n"},
      {"tasks",
       "Usage: disputed tasks [--assignee WHO] [--all]\n\nOpen internal steps for WHO (default: "
       "--as), "
       "including steps for roles WHO is a member of\nand steps escalated to WHO. --all lists "
       "everyone's.\n"},
      {"tick",
       "Usage: disputed tick\n\nFires every reminder and escalation that is due now, once.\n"},
      {"events",
       "Usage: disputed events [--after SEQ] [--limit N]\n\nThe ordered feed for the collection "
       "system "
       "(hold_placed, hold_released with the new\ndue date, dispute_resolved, ...). Pass the last "
       "seq "
       "you processed as --after.\n"},
      {"categories", "Usage: disputed categories\n"},
      {"config", "Usage: disputed config check\n"},
      {"plugins",
       "Usage: disputed plugins\n\nLists the connector plugins found (config plugin_dirs, "
       "<binary>/../plugins,\n$DISPUTED_PLUGIN_PATH) and whether each passes the ABI gate, or why "
       "it is refused.\n"},
      {"connectors",
       "Usage: disputed connectors [--check]\n\nConnector instances from configs/connectors/: "
       "state (running, degraded, failing, paused),\nlast poll and apply, pending actions, dead "
       "letters, retries. --check loads each plugin and\nproves credentials and permissions, with "
       "a category and a remedy.\n"},
      {"dead-letters",
       "Usage: disputed dead-letters [--instance NAME]\n       disputed dead-letters replay "
       "ID|ACTION_KEY\n\nActions a connector rejected or that failed too often. replay makes one "
       "pending again.\n"},
      {"sync",
       "Usage: disputed sync [--once [--reconcile]]\n\nRuns the sync engine: delivers outbox "
       "actions to the connector instances (retries with\nbackoff, rate limits, dead letters) and "
       "polls them for completions, until SIGTERM.\n--once runs one round per instance and exits; "
       "--reconcile makes that poll ask about every\nopen task.\n"},
      {"serve",
       "Usage: disputed serve [--listen HOST:PORT] [--tick-interval SECONDS]\n\n"
       "Runs the engine as a service until SIGINT or SIGTERM: the REST API (docs/api.md) on "
       "HOST:PORT\n"
       "(default: server.listen in the config, else 127.0.0.1:8080), the timers, which fire due\n"
       "reminders and escalations every SECONDS (default 60), and the connectors of\n"
       "configs/connectors/ (the sync engine: mirror actions, poll completions). On SIGTERM it "
       "stops\n"
       "the connectors, stops accepting requests, finishes the ones in flight, commits, and exits "
       "0.\n"},
      {"api-key",
       "Usage: disputed api-key create NAME --role admin|controller|viewer|integration\n"
       "       disputed api-key list\n"
       "       disputed api-key revoke NAME\n\n"
       "Keys for the REST API (Authorization: Bearer <key>). The key is printed once, at "
       "creation;\n"
       "only its SHA-256 is stored. viewer reads; integration also adds notes and upserts "
       "invoices;\n"
       "controller also runs disputes; admin may do everything. A revoked key is refused at "
       "once.\n"},
      {"user",
       "Usage: disputed user add EMAIL --role admin|controller|viewer|integration [--name NAME]\n"
       "       disputed user list\n"
       "       disputed user disable EMAIL\n"
       "       disputed user password EMAIL\n\n"
       "Local accounts for signing in to the web app (small teams and the demo; organisations\n"
       "sign in with their identity provider, see docs/web.md). add and password read the\n"
       "password (at least 12 characters) from standard input; only its Argon2id hash is\n"
       "stored. disable ends the account's sessions at once.\n"},
  };
  return help;
}

struct Context {
  Context(std::ostream& o, std::ostream& e, const Environment& en) : out(o), err(e), env(en) {}
  std::ostream& out;
  std::ostream& err;
  const Environment& env;
  bool json_output = false;
  std::string actor;
  std::string config_file;
  std::optional<std::string> db_override;
  std::optional<domain::Instant> now_override;
  double clock_speed = 0;  // > 0: the clock runs from now_override at this speed
};

/// Everything a command needs once configuration and database are open.
struct Engine {
  config::EngineConfig config;
  workflow::Definitions definitions;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<domain::Clock> clock;
  std::unique_ptr<engine::Session> session;
  engine::DisputeService& disputes() const { return session->disputes(); }
  engine::Operations& operations() const { return session->operations(); }
};

std::string env_or(const Environment& env, const char* name, const std::string& fallback) {
  const char* v = env(name);
  return v && *v ? std::string(v) : fallback;
}

store::DatabaseOptions database_options(const config::EngineConfig& config) {
  store::DatabaseOptions options;
  options.synchronous =
      config.synchronous == "full" ? store::Synchronous::kFull : store::Synchronous::kNormal;
  options.busy_timeout_ms = config.busy_timeout_ms;
  return options;
}

Engine open_engine(const Context& ctx, bool require_schema = true) {
  Engine e;
  e.config = config::load_engine_config(ctx.config_file);
  e.definitions = workflow::load_definitions(e.config);
  std::filesystem::path db_path =
      ctx.db_override ? std::filesystem::path(*ctx.db_override) : e.config.database_path;
  e.db = std::make_unique<store::Database>(db_path, database_options(e.config));
  if (require_schema) store::require_current_schema(*e.db);
  if (ctx.now_override && ctx.clock_speed > 0)
    e.clock = std::make_unique<domain::ScaledClock>(*ctx.now_override, ctx.clock_speed);
  else if (ctx.now_override)
    e.clock = std::make_unique<domain::FakeClock>(*ctx.now_override);
  else
    e.clock = std::make_unique<domain::SystemClock>();
  e.session = std::make_unique<engine::Session>(*e.db, e.definitions, *e.clock);
  return e;
}

int fail(Context& ctx, const domain::Error& error) {
  if (ctx.json_output)
    ctx.err << engine::to_json(error).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  else
    ctx.err << "error: " << error.describe() << "\n";
  return kExitFailed;
}

std::string pad(const std::string& s, std::size_t width) {
  // Width in bytes is fine for our mostly-ASCII columns; never truncate data.
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

std::string local_time(const workflow::Definitions& defs, domain::Instant t) {
  return defs.calendar.format_local(t);
}

void print_dispute_line(std::ostream& out, const engine::DisputeRecord& d) {
  out << pad(d.ref, 12) << pad(std::string(to_string(d.status)), 12) << pad(d.category, 19)
      << pad(d.disputed_amount.to_string() + " " + d.currency, 16) << pad(d.customer_name, 24);
  for (std::size_t i = 0; i < d.invoices.size(); ++i)
    out << (i ? "," : "") << d.invoices[i].invoice_number;
  out << "\n";
}

void print_view(std::ostream& out, const workflow::Definitions& defs,
                const engine::DisputeView& v) {
  const auto& d = v.dispute;
  out << d.ref << "  " << to_string(d.status);
  if (d.resolution) out << " (" << to_string(*d.resolution) << ")";
  out << "\n";
  out << "  customer     " << d.customer_name << " (" << d.customer_id << ")\n";
  out << "  category     " << d.category << "\n";
  out << "  channel      " << to_string(d.channel) << ", registered by " << d.reported_by << " at "
      << local_time(defs, d.opened_at) << "\n";
  if (!d.contact_name.empty() || !d.contact_email.empty() || !d.contact_phone.empty())
    out << "  contact      " << d.contact_name << " " << d.contact_email << " " << d.contact_phone
        << "\n";
  out << "  description  " << d.description << "\n";
  out << "  disputed     " << d.disputed_amount.to_string() << " " << d.currency << " on";
  for (const auto& i : d.invoices)
    out << " " << i.invoice_number << " (" << i.disputed_amount.to_string() << ")";
  out << "\n";
  out << "  resolve by   " << local_time(defs, d.due_at) << " " << defs.calendar.time_zone()
      << "\n";
  if (!d.resolution_note.empty()) out << "  note         " << d.resolution_note << "\n";
  out << "  holds        ";
  if (v.active_holds.empty()) out << "none active";
  for (std::size_t i = 0; i < v.active_holds.size(); ++i)
    out << (i ? ", " : "") << v.active_holds[i].invoice_number << " since "
        << local_time(defs, v.active_holds[i].placed_at);
  out << "\n\nSteps:\n";
  for (const auto& s : v.steps) {
    out << "  " << pad("#" + std::to_string(s.id), 6) << pad(s.step_key, 24)
        << pad(std::string(to_string(s.status)), 11) << pad(s.assignee, 28) << "due "
        << local_time(defs, s.deadline_at);
    if (s.outcome) out << "  -> " << *s.outcome;
    if (s.completed_by && s.status == domain::StepStatus::kCompleted)
      out << " by " << *s.completed_by;
    if (s.escalated_to) out << "  [escalated to " << *s.escalated_to << "]";
    if (s.target != "internal") out << "  via " << s.target;
    out << "\n";
  }
  out << "\nTimeline:\n";
  for (const auto& e : v.dossier) {
    out << "  " << local_time(defs, e.at) << "  " << pad(e.kind, 22) << pad(e.actor, 22)
        << e.summary << "\n";
  }
}

domain::Result<engine::ParsedInvoices> read_import(const std::string& file) {
  return engine::parse_invoices_file(file);
}

// ---------------------------------------------------------------- commands

int cmd_migrate(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  auto cfg = config::load_engine_config(ctx.config_file);
  std::filesystem::path db_path =
      ctx.db_override ? std::filesystem::path(*ctx.db_override) : cfg.database_path;
  store::Database db(db_path);
  int before = store::schema_version(db);
  auto applied = store::migrate(db);
  if (ctx.json_output) {
    ctx.out << json{{"database", db_path.string()},
                    {"from", before},
                    {"to", store::schema_version(db)},
                    {"applied", applied}}
                   .dump(2, ' ', false, json::error_handler_t::replace)
            << "\n";
  } else if (applied.empty()) {
    ctx.out << "database " << db_path.string() << " is at schema version " << before
            << " (current)\n";
  } else {
    ctx.out << "database " << db_path.string() << " migrated from schema version " << before
            << " to " << store::schema_version(db) << "\n";
  }
  return kExitOk;
}

int cmd_import(Context& ctx, const Args& args) {
  std::string what = args.positional(0, "what to import (invoices)");
  if (what != "invoices") throw UsageError("can only import 'invoices', not '" + what + "'");
  std::string file = args.positional(1, "the file to import");
  args.expect_positionals(2);
  auto parsed = read_import(file);
  if (!parsed) return fail(ctx, parsed.error());
  Engine e = open_engine(ctx);
  auto report = e.disputes().import_invoices(parsed.value(), ctx.actor);
  if (!report) return fail(ctx, report.error());
  if (ctx.json_output) {
    ctx.out << engine::to_json(report.value()).dump(2, ' ', false, json::error_handler_t::replace)
            << "\n";
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

int cmd_invoice(Context& ctx, const Args& args) {
  std::string sub = args.positional(0, "a subcommand (show)");
  if (sub != "show") throw UsageError("unknown invoice subcommand '" + sub + "'");
  std::string number = args.positional(1, "the invoice number");
  args.expect_positionals(2);
  Engine e = open_engine(ctx);
  auto st = e.disputes().invoice_state(number);
  if (!st) return fail(ctx, st.error());
  if (ctx.json_output) {
    ctx.out << engine::to_json(st.value()).dump(2, ' ', false, json::error_handler_t::replace)
            << "\n";
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

int dispute_result(Context& ctx, const Engine& e, const domain::Result<engine::DisputeView>& r,
                   const std::string& verb) {
  if (!r) return fail(ctx, r.error());
  // Commands answer without the timeline; show the whole dispute as it now stands.
  auto full = e.disputes().show(r->dispute.ref);
  if (!full) return fail(ctx, full.error());
  if (ctx.json_output) {
    auto j = engine::to_json(full.value());
    if (r->already_applied) j["already_applied"] = true;
    ctx.out << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } else {
    if (!verb.empty()) ctx.out << r->dispute.ref << " " << verb << "\n\n";
    print_view(ctx.out, e.definitions, full.value());
  }
  return kExitOk;
}

int cmd_dispute(Context& ctx, const std::string& sub, const Args& args) {
  if (sub == "open") {
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
      return fail(ctx, domain::Error::invalid(
                           "unknown channel", "channel",
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
  if (sub == "list") {
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
      out["next_after"] =
          list.size() == std::size_t(f.limit) ? json(list.back().id) : json(nullptr);
      ctx.out << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      ctx.out << pad("REF", 12) << pad("STATUS", 12) << pad("CATEGORY", 19) << pad("DISPUTED", 16)
              << pad("CUSTOMER", 24) << "INVOICES\n";
      for (const auto& d : list) print_dispute_line(ctx.out, d);
      if (list.size() == std::size_t(f.limit))
        ctx.out << "(more: --after " << list.back().id << ")\n";
    }
    return kExitOk;
  }
  std::string ref = args.positional(0, "the dispute (e.g. DSP-000001)");
  if (sub == "show") {
    args.expect_positionals(1);
    Engine e = open_engine(ctx);
    return dispute_result(ctx, e, e.disputes().show(ref), "");
  }
  if (sub == "complete-step") {
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
  if (sub == "resolve") {
    args.expect_positionals(1);
    std::string r = args.required("resolution");
    auto resolution = domain::parse_resolution(r);
    if (!resolution)
      return fail(
          ctx, domain::Error::invalid("unknown resolution", "resolution",
                                      "'" + r + "' is not one of " + domain::resolution_names()));
    Engine e = open_engine(ctx);
    return dispute_result(
        ctx, e, e.disputes().resolve(ref, *resolution, args.value("note").value_or(""), ctx.actor),
        "resolved");
  }
  if (sub == "withdraw") {
    args.expect_positionals(1);
    Engine e = open_engine(ctx);
    return dispute_result(ctx, e,
                          e.disputes().withdraw(ref, args.value("note").value_or(""), ctx.actor),
                          "withdrawn");
  }
  if (sub == "reopen") {
    args.expect_positionals(1);
    std::string reason = args.required("reason");
    Engine e = open_engine(ctx);
    return dispute_result(ctx, e, e.disputes().reopen(ref, reason, args.value("step"), ctx.actor),
                          "reopened");
  }
  if (sub == "close") {
    args.expect_positionals(1);
    Engine e = open_engine(ctx);
    return dispute_result(ctx, e, e.disputes().close(ref, ctx.actor), "closed");
  }
  if (sub == "note") {
    args.expect_positionals(1);
    engine::NoteRequest req;
    req.dispute = ref;
    req.summary = args.required("text");
    req.actor = ctx.actor;
    if (auto c = args.value("channel")) {
      req.channel = domain::parse_channel(*c);
      if (!req.channel)
        return fail(
            ctx, domain::Error::invalid("unknown channel", "channel",
                                        "'" + *c + "' is not one of " + domain::channel_names()));
      req.direction = domain::Direction::kInbound;
    }
    if (auto d = args.value("direction")) {
      auto dir = domain::parse_direction(*d);
      if (!dir)
        return fail(
            ctx, domain::Error::invalid("unknown direction", "direction",
                                        "'" + *d + "' is not one of inbound, outbound, internal"));
      req.direction = *dir;
    }
    Engine e = open_engine(ctx);
    auto r = e.disputes().add_note(req);
    if (!r) return fail(ctx, r.error());
    if (ctx.json_output)
      ctx.out << engine::to_json(r.value()).dump(2, ' ', false, json::error_handler_t::replace)
              << "\n";
    else
      ctx.out << "note added to " << ref << "\n";
    return kExitOk;
  }
  throw UsageError("unknown dispute subcommand '" + sub + "' (see disputed --help)");
}

int cmd_tasks(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  std::string who = args.flag("all") ? "" : args.value("assignee").value_or(ctx.actor);
  Engine e = open_engine(ctx);
  auto tasks = e.disputes().tasks(who);
  if (ctx.json_output) {
    json items = json::array();
    for (const auto& t : tasks) items.push_back(engine::to_json(t));
    ctx.out << json{{"assignee", who}, {"items", items}}.dump(2, ' ', false,
                                                              json::error_handler_t::replace)
            << "\n";
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

int cmd_tick(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  Engine e = open_engine(ctx);
  auto r = e.disputes().tick();
  if (!r) return fail(ctx, r.error());
  if (ctx.json_output)
    ctx.out << engine::to_json(r.value()).dump(2, ' ', false, json::error_handler_t::replace)
            << "\n";
  else
    ctx.out << r->reminders << " reminder(s), " << r->escalations << " escalation(s) fired at "
            << domain::format_instant(e.clock->now()) << "\n";
  return kExitOk;
}

int cmd_events(Context& ctx, const Args& args) {
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
    ctx.out << json{{"items", items}, {"next_after", events.empty() ? after : events.back().seq}}
                   .dump(2, ' ', false, json::error_handler_t::replace)
            << "\n";
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

int cmd_categories(Context& ctx, const Args& args) {
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
    ctx.out << json{{"items", items}}.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
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

int cmd_config(Context& ctx, const Args& args) {
  std::string sub = args.positional(0, "a subcommand (check)");
  if (sub != "check") throw UsageError("unknown config subcommand '" + sub + "'");
  args.expect_positionals(1);
  auto cfg = config::load_engine_config(ctx.config_file);
  auto defs = workflow::load_definitions(cfg);
  ctx.out << ctx.config_file << ": ok — " << defs.categories.size() << " categories, "
          << defs.workflows.size() << " workflows, " << defs.roles.size() << " roles, calendar "
          << defs.calendar.time_zone() << " with " << defs.calendar.holidays().size()
          << " holidays\n";
  return kExitOk;
}

int cmd_user(Context& ctx, const Args& args) {
  auto cfg = config::load_engine_config(ctx.config_file);
  std::filesystem::path db_path =
      ctx.db_override ? std::filesystem::path(*ctx.db_override) : cfg.database_path;
  store::Database db(db_path);
  store::require_current_schema(db);
  domain::Instant now = ctx.now_override ? *ctx.now_override : domain::SystemClock().now();
  engine::WebAccounts accounts(db);
  return run_user_command(args, accounts, now, ctx.json_output, std::cin, ctx.out, ctx.err);
}

int cmd_api_key(Context& ctx, const Args& args) {
  // Keys need the database and the time, not the workflows.
  auto cfg = config::load_engine_config(ctx.config_file);
  std::filesystem::path db_path =
      ctx.db_override ? std::filesystem::path(*ctx.db_override) : cfg.database_path;
  store::Database db(db_path);
  store::require_current_schema(db);
  domain::FakeClock clock(ctx.now_override ? *ctx.now_override : domain::SystemClock().now());
  engine::Operations operations(db, clock);
  return run_api_key_command(args, operations, ctx.json_output, ctx.out, ctx.err);
}

// ---------------------------------------------------------------- connectors (plugin host + sync)

/// The connector side of the engine: plugins, instances and the sync engine. Serving, the sync
/// engine writes through the service's writer and reads on a connection of its own; otherwise
/// (`disputed sync`, `connectors --check`) it has a writer of its own.
struct Connectors {
  Connectors() = default;
  Connectors(Connectors&&) = default;
  ~Connectors() {
    if (sync) sync->stop();  // no connector call may be in flight when the host goes
  }
  std::unique_ptr<store::Database> db;        // standalone: the writer's; serving: for reads
  std::unique_ptr<engine::Session> reads;     // serving: the sync engine's read session
  std::unique_ptr<sync::SyncEngine> sync;     // its plugin state stores outlive the connectors
  std::unique_ptr<host::ConnectorHost> host;  // destroyed first: the connectors
};

std::vector<std::filesystem::path> configured_plugin_dirs(const config::EngineConfig& cfg) {
  std::vector<std::filesystem::path> dirs;
  if (auto it = cfg.raw.find("plugin_dirs"); it != cfg.raw.end())
    for (const auto& d : *it) dirs.push_back(cfg.resolve(d.get<std::string>()));
  return dirs;
}

std::filesystem::path connectors_dir(const config::EngineConfig& cfg) {
  auto it = cfg.raw.find("connectors_dir");
  return it == cfg.raw.end() ? std::filesystem::path() : cfg.resolve(it->get<std::string>());
}

Connectors open_connectors(const Context& ctx, const Engine& e, std::ostream& log,
                           engine::CommandWriter* writer = nullptr) {
  Connectors c;
  c.db = std::make_unique<store::Database>(e.db->file(), database_options(e.config));
  auto sync_log = [&log](const std::string& line) { log << "sync: " << line << std::endl; };
  if (writer) {
    c.db->exec("PRAGMA query_only=1");
    c.reads = std::make_unique<engine::Session>(*c.db, e.definitions, *e.clock);
    c.sync = std::make_unique<sync::SyncEngine>(*writer, *c.reads, *e.clock, sync_log);
  } else {
    c.sync = std::make_unique<sync::SyncEngine>(*c.db, e.definitions, *e.clock, sync_log);
  }
  auto dirs =
      host::plugin_search_path(configured_plugin_dirs(e.config), ctx.env("DISPUTED_PLUGIN_PATH"));
  c.host = std::make_unique<host::ConnectorHost>(
      dirs, *e.clock,
      [&log](sdk::LogLevel level, const std::string& line) {
        if (level >= sdk::LogLevel::kInfo) log << line << std::endl;
      },
      c.sync->plugin_states());
  c.host->open(host::read_instance_configs(connectors_dir(e.config)));
  register_connectors(*c.host, *c.sync);
  return c;
}

int cmd_serve(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  int interval_s = 60;
  try {
    if (auto v = args.value("tick-interval")) interval_s = std::stoi(*v);
  } catch (const std::exception&) {
    throw UsageError("--tick-interval takes a whole number of seconds");
  }
  if (interval_s < 1 || interval_s > 3600)
    throw UsageError("--tick-interval must be between 1 and 3600 seconds");
  Engine e = open_engine(ctx);
  std::string listen = args.value("listen").value_or(e.config.listen.value_or("127.0.0.1:8080"));
  auto address = parse_listen_address(listen);
  if (!address)
    throw UsageError("--listen '" + listen +
                     "' is not HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");

  // Block SIGINT/SIGTERM before any thread starts (threads inherit the mask), then wait for one
  // here: a clean stop finishes the requests in flight and the tick in progress, and commits.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // not a stop: reload the TLS certificate
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::mutex log_mutex;
  auto log = [&ctx, &log_mutex](const std::string& line) {
    std::lock_guard lock(log_mutex);
    ctx.err << line << std::endl;
  };
  ServiceSettings settings;
  settings.host = address->first;
  settings.port = address->second;
  settings.tick_interval = std::chrono::seconds(interval_s);
  settings.threads = e.config.server_threads;
  settings.max_body_bytes = e.config.max_body_bytes;
  settings.oauth2 = e.config.oauth2;
  settings.web = web::web_settings(e.config);
  settings.version = kVersion;
  if (e.config.tls)
    settings.http.tls =
        api::TlsFiles{e.config.tls->certificate_file, e.config.tls->private_key_file};
  const auto& limits = e.config.limits;
  settings.http.max_header_bytes = limits.max_header_bytes;
  settings.http.max_connections = limits.max_connections;
  settings.http.header_timeout = std::chrono::seconds(limits.header_timeout_seconds);
  settings.http.body_timeout = std::chrono::seconds(limits.body_timeout_seconds);
  settings.http.idle_timeout = std::chrono::seconds(limits.idle_timeout_seconds);
  auto instance_configs = host::read_instance_configs(connectors_dir(e.config));
  for (const auto& c : instance_configs)
    settings.connectors.push_back({c.name, c.plugin, c.paused});
  Service service(e.db->file(), database_options(e.config), e.definitions, *e.clock, settings, log);
  // The connectors load (and their configs are checked) before anything listens: a bad
  // instance config stops the start with its file and key path.
  // The writer runs first: a plugin may keep state while it opens, and that is a write.
  service.start_writer();
  std::unique_ptr<Connectors> connectors;
  if (!instance_configs.empty())
    connectors = std::make_unique<Connectors>(open_connectors(ctx, e, ctx.err, &service.writer()));
  try {
    service.start();
  } catch (const std::runtime_error& ex) {
    ctx.err << "disputed serve: " << ex.what() << "\n";
    return kExitStartup;
  }
  if (connectors) connectors->sync->start();
  ctx.out << "disputed serve: web app on " << service.url() << "/, REST API on " << service.url()
          << "/api/v1, database " << e.db->file().string() << ", timers every " << interval_s
          << " s, " << instance_configs.size()
          << " connector instance(s); stop with Ctrl-C or SIGTERM" << std::endl;
  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) == 0 && signal_number == SIGHUP)
    (void)service.reload_tls();
  if (connectors) {  // first: a connector call in flight is cancelled, its outcome committed
    connectors->host->request_shutdown();
    connectors->sync->stop();
  }
  service.stop();
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  ctx.out << "disputed serve: stopped (" << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
          << ") after " << service.timer_ticks() << " timer tick(s)" << std::endl;
  return kExitOk;
}

int cmd_plugins(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  auto cfg = config::load_engine_config(ctx.config_file);
  auto dirs =
      host::plugin_search_path(configured_plugin_dirs(cfg), ctx.env("DISPUTED_PLUGIN_PATH"));
  host::PluginCatalog catalog(dirs);
  json items = json::array();
  for (const auto& [id, entry] : catalog.entries()) {
    auto loaded = catalog.load(id);
    items.push_back({{"id", id},
                     {"name", entry.manifest.name},
                     {"version", entry.manifest.version},
                     {"status", entry.manifest.status},
                     {"library", entry.library.string()},
                     {"loadable", loaded.ok()},
                     {"problem", loaded.ok() ? "" : loaded.error().message}});
  }
  if (ctx.json_output) {
    json searched = json::array();
    for (const auto& d : dirs) searched.push_back(d.string());
    ctx.out << json{{"searched", searched}, {"items", items}}.dump(2, ' ', false,
                                                                   json::error_handler_t::replace)
            << "\n";
    return kExitOk;
  }
  if (items.empty()) ctx.out << "no plugins found in:";
  for (const auto& d : dirs)
    if (items.empty()) ctx.out << " " << d.string();
  if (items.empty()) ctx.out << "\n";
  for (const auto& i : items)
    ctx.out << pad(i["id"], 14) << pad(i["version"], 9) << pad(i["status"], 7)
            << (i["loadable"].get<bool>() ? std::string("ok  ") + i["library"].get<std::string>()
                                          : "REFUSED: " + i["problem"].get<std::string>())
            << "\n";
  return kExitOk;
}

int cmd_connectors(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  Engine e = open_engine(ctx);
  auto configs = host::read_instance_configs(connectors_dir(e.config));
  std::unique_ptr<Connectors> opened;
  if (args.flag("check")) opened = std::make_unique<Connectors>(open_connectors(ctx, e, ctx.err));
  std::vector<engine::ConnectorInstance> instances;
  for (const auto& c : configs) instances.push_back({c.name, c.plugin, c.paused});
  json items = json::array();
  for (const auto& st : e.operations().connectors(instances)) {
    json item = engine::to_json(st);
    if (opened) {
      auto check = opened->host->find(st.name)->connector->check();
      static const char* kCategories[] = {"none", "auth", "permission", "network", "config"};
      item["check"] = {{"ok", check.ok},
                       {"category", kCategories[int(check.category)]},
                       {"message", check.message},
                       {"remedy", check.remedy}};
    }
    items.push_back(item);
  }
  if (ctx.json_output) {
    ctx.out << json{{"items", items}}.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  if (items.empty())
    ctx.out << "no connector instances configured (" << connectors_dir(e.config).string() << ")\n";
  for (const auto& i : items) {
    ctx.out << pad(i["name"], 20) << pad(i["plugin"], 12) << pad(i["state"], 10) << "pending "
            << i["pending"] << ", dead " << i["dead_letters"] << ", applied " << i["applied"]
            << ", events " << i["events"] << ", retries " << i["retries"];
    if (!i["last_error"].is_null())
      ctx.out << "\n    last error: " << i["last_error"].get<std::string>();
    if (i.contains("check"))
      ctx.out << "\n    check: "
              << (i["check"]["ok"].get<bool>()
                      ? "ok"
                      : i["check"]["category"].get<std::string>() + ": " +
                            i["check"]["message"].get<std::string>() + " — " +
                            i["check"]["remedy"].get<std::string>());
    ctx.out << "\n";
  }
  return kExitOk;
}

int cmd_dead_letters(Context& ctx, const Args& args) {
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
    ctx.out << json{{"items", items}}.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  if (rows.empty()) ctx.out << "no dead letters\n";
  for (const auto& r : rows)
    ctx.out << pad(std::to_string(r.id), 7) << pad(r.action_key, 28) << pad(r.instance, 20)
            << r.attempts << " attempt(s): " << r.last_error.value_or("") << "\n";
  return kExitOk;
}

int cmd_sync(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  Engine e = open_engine(ctx);
  Connectors c = open_connectors(ctx, e, ctx.err);
  if (args.flag("once")) {
    json report = json::object();
    for (auto& in : c.host->instances()) {
      auto d = c.sync->dispatch_once(in.config.name);
      auto p = c.sync->poll_once(in.config.name, args.flag("reconcile"));
      report[in.config.name] = {{"applied", d.applied},
                                {"already_applied", d.already_applied},
                                {"retried", d.retried},
                                {"dead", d.dead},
                                {"poll_ok", p.ok},
                                {"events", p.events},
                                {"events_applied", p.applied}};
    }
    if (ctx.json_output)
      ctx.out << report.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    else
      for (const auto& [name, r] : report.items())
        ctx.out << name << ": " << r["applied"] << " applied, " << r["already_applied"]
                << " already applied, " << r["retried"] << " retried, " << r["dead"]
                << " dead; poll " << (r["poll_ok"].get<bool>() ? "ok" : "failed") << ", "
                << r["events_applied"] << " event(s) applied\n";
    return kExitOk;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  c.sync->start();
  ctx.out << "disputed sync: " << c.host->instances().size()
          << " connector instance(s); stop with Ctrl-C or SIGTERM" << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  c.host->request_shutdown();
  c.sync->stop();
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  ctx.out << "disputed sync: stopped" << std::endl;
  return kExitOk;
}

// Options every command knows; per-command ones are added below.
const std::set<std::string> kGlobalFlags = {"json", "help", "version"};
const std::set<std::string> kGlobalValued = {"config", "db", "as", "now", "clock-speed"};

std::set<std::string> with(std::set<std::string> base, std::initializer_list<const char*> more) {
  for (const char* m : more) base.insert(m);
  return base;
}

}  // namespace

int run_cli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err,
            const Environment& env) {
  Context ctx(out, err, env);
  try {
    // The command words come first: e.g. "dispute open", "import", "tasks".
    std::vector<std::string> words;
    std::size_t i = 0;
    // Skip leading global options to find the command word.
    std::vector<std::string> rest;
    for (; i < argv.size(); ++i) {
      const std::string& t = argv[i];
      if (t.rfind("--", 0) == 0) {
        rest.push_back(t);
        std::string name = t.substr(2);
        if (name.find('=') == std::string::npos && kGlobalValued.count(name) && i + 1 < argv.size())
          rest.push_back(argv[++i]);
        continue;
      }
      break;
    }
    std::string command = i < argv.size() ? argv[i++] : "";
    std::string sub;
    if (command == "dispute" && i < argv.size() && argv[i].rfind("--", 0) != 0) sub = argv[i++];
    for (; i < argv.size(); ++i) rest.push_back(argv[i]);

    std::set<std::string> flags = kGlobalFlags, valued = kGlobalValued;
    std::string help_key = sub.empty() ? command : command + " " + sub;
    if (command == "dispute") {
      if (sub == "open")
        valued = with(valued, {"invoice", "description", "channel", "category", "currency",
                               "contact-name", "contact-email", "contact-phone"});
      if (sub == "list") {
        valued = with(valued,
                      {"status", "category", "customer", "invoice", "assignee", "after", "limit"});
        flags = with(flags, {"overdue", "active"});
      }
      if (sub == "complete-step") valued = with(valued, {"outcome", "comment"});
      if (sub == "resolve") valued = with(valued, {"resolution", "note"});
      if (sub == "withdraw") valued = with(valued, {"note"});
      if (sub == "reopen") valued = with(valued, {"reason", "step"});
      if (sub == "note") valued = with(valued, {"text", "channel", "direction"});
    } else if (command == "tasks") {
      valued = with(valued, {"assignee"});
      flags = with(flags, {"all"});
    } else if (command == "events") {
      valued = with(valued, {"after", "limit"});
    } else if (command == "connectors") {
      flags = with(flags, {"check"});
    } else if (command == "dead-letters") {
      valued = with(valued, {"instance"});
    } else if (command == "sync") {
      flags = with(flags, {"once", "reconcile"});
    } else if (command == "serve") {
      valued = with(valued, {"tick-interval", "listen"});
    } else if (command == "api-key") {
      valued = with(valued, {"role"});
    } else if (command == "user") {
      valued = with(valued, {"role", "name"});
    }
    Args args(rest, flags, valued);

    if (args.flag("version")) {
      out << "disputed " << kVersion << " (schema " << store::latest_schema_version() << ")\n";
      return kExitOk;
    }
    if (command.empty() || command == "help" || (args.flag("help") && command.empty())) {
      out << kUsage;
      return command.empty() && !args.flag("help") ? kExitUsage : kExitOk;
    }
    if (args.flag("help")) {
      auto it = command_help().find(help_key);
      out << (it != command_help().end() ? it->second : std::string(kUsage));
      return kExitOk;
    }

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
        throw UsageError("--clock-speed '" + speed_text +
                         "' must be a number between 0 and 1000000");
    }

    if (command == "migrate") return cmd_migrate(ctx, args);
    if (command == "import") return cmd_import(ctx, args);
    if (command == "invoice") return cmd_invoice(ctx, args);
    if (command == "dispute") {
      if (sub.empty())
        throw UsageError(
            "dispute needs a subcommand: open, list, show, complete-step, resolve, "
            "withdraw, reopen, close, note");
      return cmd_dispute(ctx, sub, args);
    }
    if (command == "tasks") return cmd_tasks(ctx, args);
    if (command == "tick") return cmd_tick(ctx, args);
    if (command == "events") return cmd_events(ctx, args);
    if (command == "categories") return cmd_categories(ctx, args);
    if (command == "config") return cmd_config(ctx, args);
    if (command == "serve") return cmd_serve(ctx, args);
    if (command == "api-key") return cmd_api_key(ctx, args);
    if (command == "user") return cmd_user(ctx, args);
    if (command == "plugins") return cmd_plugins(ctx, args);
    if (command == "connectors") return cmd_connectors(ctx, args);
    if (command == "dead-letters") return cmd_dead_letters(ctx, args);
    if (command == "sync") return cmd_sync(ctx, args);
    throw UsageError("unknown command '" + command + "' (see disputed --help)");
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
