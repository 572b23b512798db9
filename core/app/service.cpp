#include "core/app/service.hpp"

#include "core/api/api.hpp"
#include "core/api/auth.hpp"
#include "core/api/http_server.hpp"
#include "core/api/jwt_verifier.hpp"
#include "core/engine/reader_pool.hpp"
#include "core/engine/timer_scheduler.hpp"
#include "core/store/migrations.hpp"
#include "core/store/wal_checkpointer.hpp"

namespace disputed::app {

std::optional<std::pair<std::string, int>> parse_listen_address(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.front() == '[' ? host.back() != ']' : host.find(':') != std::string::npos)
    return std::nullopt;
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int n = std::stoi(port);
  if (n < 1 || n > 65535) return std::nullopt;
  return std::pair{host, n};
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "[::1]" || host == "::1" || host.rfind("127.", 0) == 0;
}

Service::Service(const std::filesystem::path& database, store::DatabaseOptions options,
                 const workflow::Definitions& definitions, const domain::Clock& clock,
                 ServiceSettings settings, std::function<void(const std::string&)> log)
    : settings_(std::move(settings)), log_(std::move(log)) {
  api::init_http_threads(settings_.threads);  // before anything else touches cpprestsdk
  writer_db_ = std::make_unique<store::Database>(database, options);
  store::require_current_schema(*writer_db_);
  // Checkpoints run beside the writer, not inside its commits (see WalCheckpointer).
  writer_db_->exec("PRAGMA wal_autocheckpoint=0");
  checkpointer_ =
      std::make_unique<store::WalCheckpointer>(database, options, std::chrono::milliseconds(250));
  session_ = std::make_unique<engine::Session>(*writer_db_, definitions, clock);
  writer_ = std::make_unique<engine::CommandWriter>(*session_);
  // One read connection per HTTP thread by default: a request holds at most one, so none ever
  // waits. database.readers may trade that for memory (each reader has its own page cache).
  readers_ = std::make_unique<engine::ReaderPool>(
      database, options, definitions, clock,
      std::size_t(settings_.readers > 0 ? settings_.readers : settings_.threads));
  auth_ = settings_.oauth2 ? std::make_unique<api::Authenticator>(
                                 std::make_unique<api::JwtVerifier>(*settings_.oauth2, log_))
                           : std::make_unique<api::Authenticator>();
  api::ApiSettings api_settings;
  api_settings.max_body_bytes = settings_.max_body_bytes;
  api_settings.version = settings_.version;
  api_settings.log = log_;
  api_settings.connectors = settings_.connectors;
  api_ = std::make_unique<api::Api>(*readers_, *writer_, *auth_, definitions, clock, api_settings);
  // Sessions expire in wall-clock time, whatever the engine's clock (--now, the demo's fast one).
  web_ = std::make_unique<web::WebApp>(*api_, *writer_, *readers_, wall_clock_, clock,
                                       settings_.web, log_);
  api::HttpServerOptions http = settings_.http;
  http.worker_threads = settings_.threads;
  http_ = std::make_unique<api::HttpServer>(settings_.host, settings_.port, *api_, http);
  scheduler_ = std::make_unique<engine::TimerScheduler>(
      [this] {
        return writer_->run<engine::TickReport>(
            [](engine::Session& s) { return s.disputes().tick(); });
      },
      settings_.tick_interval,
      [this](const domain::Result<engine::TickReport>& r) {
        if (!r.ok())
          log_("timers: " + r.error().describe());
        else if (r->reminders || r->escalations || r->promises)
          log_("timers: " + std::to_string(r->reminders) + " reminder(s), " +
               std::to_string(r->escalations) + " escalation(s), " + std::to_string(r->promises) +
               " promise alert(s)");
      });
}

Service::~Service() { stop(); }

void Service::start_writer() {
  checkpointer_->start();  // both idempotent
  writer_->start();
}

void Service::start() {
  start_writer();
  scheduler_->start();
  http_->start();
  if (!settings_.http.tls && !is_loopback(settings_.host))
    log_("warning: serving plain HTTP on " + settings_.host +
         ", beyond this machine: API keys and tokens cross the network readable; configure "
         "server.tls or put a TLS reverse proxy in front (docs/operations.md)");
}

domain::Status Service::reload_tls() {
  auto reloaded = http_->reload_tls();
  if (reloaded)
    log_(settings_.http.tls ? "tls: certificate and key reloaded" : "tls: not configured");
  else
    log_("tls: reload failed, the previous certificate stays: " + reloaded.error().message);
  return reloaded;
}

void Service::stop() {
  if (stopped_) return;
  stopped_ = true;
  http_->stop(std::chrono::seconds(10));  // 503 for newcomers, let requests in flight finish
  scheduler_->stop();                     // finishes a tick in progress (it waits for its commit)
  writer_->stop();                        // runs and commits whatever is still queued
  checkpointer_->stop();                  // and copies the log into the database file
}

std::string Service::url() const { return http_->url(); }

std::uint64_t Service::timer_ticks() const { return scheduler_->ticks(); }

}  // namespace disputed::app
