// Messages rendered and handed to the transport per second: N disputes are registered on the
// shipped configuration (each queues the customer's confirmation, management's notice and the
// first step's task mail), then the sync engine drains the outbox through the smtp connector
// plugin — the same composer, templates, MIME writer, host, ledger and dead letters as
// `disputed serve` — to a real SMTP server on loopback (the plugin's sandbox, Debian's
// python3-aiosmtpd, storing every mail as a file). Also: the composer alone (templates + MIME
// text, no transport). Prints figures; asserts nothing but that every message arrived.
//
//   build/bin/disputed-bench-messages [--disputes N] [--tls none|starttls] [--plugins DIR]
//
// The instance's rate limit is lifted (the smtp plugin's default, 5 a second, protects a real
// server); the figure is what disputed itself can hand over, one SMTP session per message.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/app/connectors.hpp"
#include "core/config/engine_config.hpp"
#include "core/engine/dispute_service.hpp"
#include "core/engine/invoice_import.hpp"
#include "core/host/connector_host.hpp"
#include "core/messaging/composer.hpp"
#include "core/messaging/templates.hpp"
#include "core/store/migrations.hpp"
#include "core/sync/sync_engine.hpp"
#include "core/workflow/loader.hpp"
#include "plugins/smtp/tests/mail_sink.hpp"

using namespace disputed;
using nlohmann::json;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int disputes = 300;
  std::string tls = "none";
  std::string plugins = std::string(DISPUTED_BINARY_DIR) + "/plugins";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--disputes") {
      disputes = std::stoi(v);
    } else if (k == "--tls") {
      tls = v;
    } else if (k == "--plugins") {
      plugins = v;
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (tls != "none" && tls != "starttls") {
    std::fprintf(stderr, "--tls is none or starttls\n");
    return 2;
  }
  const std::filesystem::path source = DISPUTED_SOURCE_DIR;
  auto cfg = config::load_engine_config(source / "configs" / "disputed.json");
  auto defs = workflow::load_definitions(cfg);
  auto& m = defs.messaging;
  m.transport = "mail";
  m.from_address = "disputes@example.com";
  m.from_name = "Example credit control";
  m.reply_to = "disputes+{dispute}@example.com";
  m.templates_dir = source / "configs" / "templates";
  m.languages = {"en", "nl", "pl"};
  m.staff_language = "nl";
  defs.connector_instances = {"mail"};

  // 1. The composer alone: a task mail's facts rendered (subject, text, HTML in the layout, the
  // headers), as the dispatcher does for each row before the plugin writes the MIME and sends it.
  double compose_rate = 0;
  {
    auto templates =
        messaging::TemplateSet::load(m.templates_dir, m.languages, messaging::Composer::samples());
    domain::BusinessCalendar calendar = domain::BusinessCalendar::weekdays();
    messaging::ComposerSettings settings;
    settings.from_address = m.from_address;
    settings.from_name = m.from_name;
    settings.reply_to = m.reply_to;
    settings.public_url = "https://disputes.example.com";
    messaging::Composer composer(settings, templates, nullptr, calendar);
    // What the engine writes for a task mail (docs/messaging.md, "What the engine writes").
    json facts = {{"template", "task_assigned"},
                  {"to", "joost.visser@example.com"},
                  {"language", "nl"},
                  {"dispute", "DSP-000042"},
                  {"task_key", "DSP-000042-2"},
                  {"title", "Maak de creditnota"},
                  {"instructions", "Maak een creditnota voor het verschil."},
                  {"assignee", "joost.visser@example.com"},
                  {"deadline_at", "2026-11-25T16:00:00Z"},
                  {"outcomes", {"issued", "not-needed"}},
                  {"category", "Prijs of korting"},
                  {"customer", {{"id", "C-1"}, {"name", "Bäckerei Müller GmbH"}}},
                  {"description", "Prijs moet 9,50 zijn"},
                  {"currency", "EUR"},
                  {"disputed_amount", "1234.50"},
                  {"invoices", {{{"number", "INV-1001"}, {"disputed_amount", "1234.50"}}}}};
    const int n = 20000;
    std::size_t bytes = 0;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      messaging::MessageRow row;
      row.action_key = "DSP-" + std::to_string(i) + "-1:assigned";
      row.task_key = "DSP-000042-2";
      row.created_at = *domain::parse_instant("2026-11-23T08:00:00Z");
      row.payload_json = facts.dump();
      auto c = composer.compose(row);
      if (!c) {
        std::fprintf(stderr, "compose: %s\n", c.error().message.c_str());
        return 1;
      }
      bytes += c.value().message.text.size() + c.value().message.html.size();
    }
    compose_rate = n / seconds_since(start);
    std::printf("disputed message benchmark\n");
    std::printf(
        "  composer alone: %d task mails in %.0f per second (%.1f KiB of text and HTML each)\n", n,
        compose_rate, double(bytes) / n / 1024);
  }

  // 2. Registration → outbox → sync engine → smtp plugin → SMTP server.
  auto dir = std::filesystem::temp_directory_path() /
             ("disputed-bench-messages-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "connectors");
  testing::MailSinkOptions o;
  o.tls = tls == "none" ? testing::MailSinkOptions::Tls::kNone
                        : testing::MailSinkOptions::Tls::kStartTls;
  o.sink_script = SMTP_SINK;
  o.reader_script = MAIL_READER;
  std::fflush(stdout);  // the sink is a child process: nothing buffered may be written twice
  testing::MailSink sink(o);
  json settings = {{"server", sink.server_url()}, {"tls", tls}, {"timeout_ms", 10000}};
  if (tls == "starttls") settings["ca_file"] = sink.ca_file().string();
  std::ofstream(dir / "connectors" / "mail.json") << json{
      {"name", "mail"},
      {"plugin", "smtp"},
      {"settings", settings},
      {"rate_per_second", 1e6},
      {"burst", 1000000}}.dump(2);

  int queued = 0, sent = 0, dead = 0;
  double register_s = 0, drain_s = 0, arrive_s = 0;
  {
    store::Database db(dir / "engine.db");
    store::migrate(db);
    domain::SystemClock clock;
    engine::DisputeService service(db, defs, clock);
    // One invoice per dispute, customers reading English, Dutch and Polish in turn.
    engine::ParsedInvoices invoices;
    const char* languages[] = {"en", "nl", "pl"};
    for (int i = 0; i < disputes; ++i) {
      domain::Invoice inv;
      inv.number = "BENCH-" + std::to_string(100000 + i);
      std::string customer = "C-" + std::to_string(1000 + i % 97);
      inv.customer = {customer, "Customer " + customer, "ap@" + customer + ".example",
                      languages[i % 3]};
      inv.amount = *domain::Decimal::parse("1234.50");
      inv.currency = "EUR";
      inv.issue_date = *domain::parse_date("2026-11-01");
      inv.due_date = *domain::parse_date("2026-12-01");
      inv.account_manager = "erik.mulder@example.com";
      invoices.rows.push_back({"row " + std::to_string(i + 1), inv});
    }
    if (!service.import_invoices(invoices, "bench").ok()) {
      std::fprintf(stderr, "could not import the invoices\n");
      return 1;
    }
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < disputes; ++i) {
      engine::OpenDisputeRequest r;
      r.invoices = {{invoices.rows[std::size_t(i)].invoice.number, std::nullopt}};
      r.category = "price";
      r.channel = domain::Channel::kEmail;
      r.description = "Invoiced list price instead of the contract price";
      r.contact_name = "Jan Jansen";
      r.actor = "anna.jansen@example.com";
      auto v = service.open_dispute(r);
      if (!v.ok()) {
        std::fprintf(stderr, "open %d: %s\n", i, v.error().describe().c_str());
        return 1;
      }
    }
    register_s = seconds_since(start);
    auto& s = db.prepare_cached("SELECT COUNT(*) FROM outbox WHERE target = 'mail'");
    s.step();
    queued = int(s.int64(0));
    s.reset();

    store::Database sync_db(dir / "engine.db");
    sync::SyncEngine engine(sync_db, defs, clock);
    host::ConnectorHost host({plugins}, clock, net::LogSink{}, engine.plugin_states());
    host.open(host::read_instance_configs(dir / "connectors"));
    app::register_connectors(host, engine);
    app::attach_messaging(host, engine, defs, (dir / "disputed.json").string());
    start = std::chrono::steady_clock::now();
    for (;;) {
      auto r = engine.dispatch_once("mail", 1000);
      sent += r.applied + r.already_applied;
      dead += r.dead;
      if (r.applied + r.already_applied + r.dead + r.retried == 0) break;
    }
    drain_s = seconds_since(start);
    sink.wait_for(sent, std::chrono::seconds(120));
    arrive_s = seconds_since(start);
    engine.stop();
  }
  int received = sink.count();
  std::filesystem::remove_all(dir);
  std::printf(
      "  %d disputes registered in %.2f s, queueing %d messages (confirmation, management, task)\n",
      disputes, register_s, queued);
  std::printf("  smtp plugin to aiosmtpd on loopback (%s, one SMTP session per message):\n",
              tls == "none" ? "no TLS" : "STARTTLS");
  std::printf("    handed over: %d messages in %.2f s = %.0f messages/s (%d dead)\n", sent, drain_s,
              sent / drain_s, dead);
  std::printf("    stored by the server: %d (all within %.2f s)\n", received, arrive_s);
  return received == queued && dead == 0 ? 0 : 1;
}
