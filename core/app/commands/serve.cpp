// disputed serve [--listen HOST:PORT] [--tick-interval SECONDS]: the REST API, the web app, the
// timers and the connectors in one process, until SIGTERM.

#include <pthread.h>
#include <csignal>
#include <mutex>

#include "core/app/commands/commands.hpp"
#include "core/app/commands/connector_runtime.hpp"
#include "core/app/connectors.hpp"
#include "core/app/service.hpp"
#include "core/messaging/composer.hpp"
#include "core/workflow/loader.hpp"

namespace disputed::app {

namespace {

ServiceSettings service_settings(const Engine& e, const std::pair<std::string, int>& address,
                                 int interval_s) {
  ServiceSettings settings;
  settings.host = address.first;
  settings.port = address.second;
  settings.tick_interval = std::chrono::seconds(interval_s);
  settings.threads = e.config.server_threads;
  settings.readers = e.config.readers;
  settings.max_body_bytes = e.config.max_body_bytes;
  settings.oauth2 = e.config.oauth2;
  settings.web = web::web_settings(e.config);
  // The one-click links' pages, when keys sign links (messaging.link_keys): the same keys and
  // templates as the composer's, checked at start-up.
  if (auto signer = link_signer(e.definitions, e.config.file.string())) {
    const auto& m = e.definitions.messaging;
    settings.web.links = web::LinkPageSettings{
        std::move(signer),
        messaging::TemplateSet::load(m.templates_dir, m.languages, messaging::Composer::samples()),
        e.definitions.calendar};
  }
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
  return settings;
}

int serve(Context& ctx, const Args& args) {
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
  // Deadlines that cannot keep the promise to the customer: said at every start, not fatal.
  for (const auto& warning : workflow::deadline_warnings(e.definitions))
    log("disputed serve: warning: " + warning);
  ServiceSettings settings = service_settings(e, *address, interval_s);
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

}  // namespace

Command serve_command() {
  return {{"serve"},
          {{"serve [--listen HOST:PORT]",
            "run as a service: the REST API and the timers, until SIGTERM"}},
          "Usage: disputed serve [--listen HOST:PORT] [--tick-interval SECONDS]\n\n"
          "Runs the engine as a service until SIGINT or SIGTERM: the REST API (docs/api.md) on "
          "HOST:PORT\n"
          "(default: server.listen in the config, else 127.0.0.1:8080), the timers, which fire "
          "due\n"
          "reminders and escalations every SECONDS (default 60), and the connectors of\n"
          "configs/connectors/ (the sync engine: mirror actions, poll completions). On SIGTERM "
          "it stops\n"
          "the connectors, stops accepting requests, finishes the ones in flight, commits, and "
          "exits 0.\n",
          {},
          {"tick-interval", "listen"},
          serve};
}

}  // namespace disputed::app
