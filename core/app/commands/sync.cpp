// disputed sync [--once [--reconcile]]: mirror actions into the connectors and poll them.

#include <pthread.h>
#include <csignal>

#include "core/app/commands/commands.hpp"
#include "core/app/commands/connector_runtime.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int once(Context& ctx, const Args& args, Connectors& c) {
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
    print_json(ctx.out, report);
  else
    for (const auto& [name, r] : report.items())
      ctx.out << name << ": " << r["applied"] << " applied, " << r["already_applied"]
              << " already applied, " << r["retried"] << " retried, " << r["dead"] << " dead; poll "
              << (r["poll_ok"].get<bool>() ? "ok" : "failed") << ", " << r["events_applied"]
              << " event(s) applied\n";
  return kExitOk;
}

int sync(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  Engine e = open_engine(ctx);
  Connectors c = open_connectors(ctx, e, ctx.err);
  if (args.flag("once")) return once(ctx, args, c);
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

}  // namespace

Command sync_command() {
  return {{"sync"},
          {{"sync [--once]",
            "mirror actions into the connectors and poll them (until SIGTERM, or one round)"}},
          "Usage: disputed sync [--once [--reconcile]]\n\nRuns the sync engine: delivers outbox "
          "actions to the connector instances (retries with\nbackoff, rate limits, dead letters) "
          "and polls them for completions, until SIGTERM.\n--once runs one round per instance "
          "and exits; --reconcile makes that poll ask about every\nopen task.\n",
          {"once", "reconcile"},
          {},
          sync};
}

}  // namespace disputed::app
