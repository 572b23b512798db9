#pragma once
// `disputed serve` as one object: the writer connection with its CommandWriter (the single
// writer, group commit), the read connections, the timer scheduler and the REST API on its
// listener. start() brings them up in dependency order; stop() takes them down the other way:
// stop accepting and finish the requests in flight, stop the timers, commit what is queued.
// The connector dispatcher and pollers run beside it (`disputed serve` starts them after start()
// and stops them before stop()); they read on a connection of their own and write through
// writer(), like everything else: one writer, one group commit.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/api/api.hpp"
#include "core/api/http_server.hpp"
#include "core/config/engine_config.hpp"
#include "core/engine/command_writer.hpp"
#include "core/store/sqlite.hpp"
#include "core/web/web_app.hpp"
#include "core/workflow/definition.hpp"

namespace disputed::api {
class Api;
class Authenticator;
class HttpServer;
}  // namespace disputed::api
namespace disputed::engine {
class ReaderPool;
class TimerScheduler;
}  // namespace disputed::engine
namespace disputed::store {
class WalCheckpointer;
}  // namespace disputed::store

namespace disputed::app {

struct ServiceSettings {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::chrono::milliseconds tick_interval{std::chrono::seconds(60)};
  int threads = 8;  // HTTP threads, and as many read connections unless `readers` says otherwise
  int readers = 0;  // read connections (database.readers); 0: `threads`
  std::size_t max_body_bytes = 1 << 20;
  std::optional<config::OAuth2Config> oauth2;
  std::string version;
  std::vector<api::ConnectorInstanceInfo> connectors;  // listed by GET /api/v1/connectors
  /// Limits, timeouts and TLS of the listener; its worker_threads are `threads`.
  api::HttpServerOptions http;
  web::WebSettings web;  // the web app under / (docs/web.md)
};

/// True for addresses only this machine reaches: localhost, 127.0.0.0/8, [::1].
bool is_loopback(const std::string& host);

/// "127.0.0.1:8080" or "[::1]:8080" -> host and port; nullopt when malformed.
std::optional<std::pair<std::string, int>> parse_listen_address(const std::string& text);

class Service {
 public:
  /// Opens the connections and builds everything (throws at start-up: database, OAuth2 config).
  /// `log` receives one line per event worth an operator's attention.
  Service(const std::filesystem::path& database, store::DatabaseOptions options,
          const workflow::Definitions& definitions, const domain::Clock& clock,
          ServiceSettings settings, std::function<void(const std::string&)> log);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Starts the checkpointer and the writer (start() does too); idempotent. Writes submitted
  /// before would wait for it.
  void start_writer();
  /// Starts the writer, the timers and the listener; throws std::runtime_error when the address
  /// cannot be listened on.
  void start();
  /// The clean stop described above. Idempotent.
  void stop();

  /// Reads the TLS certificate and key again (SIGHUP); logs and returns what happened.
  domain::Status reload_tls();
  /// "http://127.0.0.1:8080".
  std::string url() const;
  engine::CommandWriter& writer() { return *writer_; }
  std::uint64_t timer_ticks() const;

 private:
  ServiceSettings settings_;
  std::function<void(const std::string&)> log_;
  std::unique_ptr<store::Database> writer_db_;
  std::unique_ptr<store::WalCheckpointer> checkpointer_;
  std::unique_ptr<engine::Session> session_;
  std::unique_ptr<engine::CommandWriter> writer_;
  std::unique_ptr<engine::ReaderPool> readers_;
  std::unique_ptr<api::Authenticator> auth_;
  std::unique_ptr<api::Api> api_;
  domain::SystemClock wall_clock_;
  std::unique_ptr<web::WebApp> web_;
  std::unique_ptr<api::HttpServer> http_;
  std::unique_ptr<engine::TimerScheduler> scheduler_;
  bool stopped_ = false;
};

}  // namespace disputed::app
