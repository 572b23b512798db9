#pragma once
// The REST API (docs/api/openapi.yaml) as a function from request to response: routing,
// authentication and roles, request bodies (size, media type, JSON syntax, schema), the
// handlers and metrics. No sockets here (see HttpServer), so tests can call handle() directly.
//
// Threading: handle() is called by many HTTP threads at once. Reads lease a connection of their
// own from the ReaderPool (one snapshot per request); every write is a command queued on the one
// CommandWriter (group commit), so concurrent requests on one dispute run one after the other.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/api/api_error.hpp"
#include "core/api/auth.hpp"
#include "core/api/http_types.hpp"
#include "core/api/metrics.hpp"
#include "core/api/router.hpp"
#include "core/engine/command_writer.hpp"
#include "core/engine/reader_pool.hpp"

namespace disputed::api {

/// A configured connector instance, as GET /connectors lists it.
using ConnectorInstanceInfo = engine::ConnectorInstance;

/// A request as a route handler sees it: authenticated, routed, with a read connection leased
/// for the whole request (one snapshot).
struct RouteCall {
  const HttpRequest& request;
  std::map<std::string, std::string> params;
  Principal who;
  engine::ReaderPool::Lease& reader;
  const std::string& param(const char* name) const { return params.at(name); }
};
using RouteHandler = std::function<HttpResponse(const RouteCall&)>;

/// Browser sessions (implemented by the web layer, core/web): a request that carries no
/// Authorization header but the session cookie is authenticated here instead.
class BrowserSessions {
 public:
  virtual ~BrowserSessions() = default;
  /// Whether `request` carries a session cookie.
  virtual bool present(const HttpRequest& request) const = 0;
  /// The signed-in person, or 401 (unknown, expired, signed out) or 403 (a write without the
  /// session's CSRF token, or from another site). Reads on `reader`; never writes there.
  virtual std::variant<Principal, ApiError> authenticate(const HttpRequest& request,
                                                         engine::Session& reader) = 0;
};

/// Answers every request outside /api/v1 (the web app's pages and files); never throws.
using SiteHandler = std::function<HttpResponse(const HttpRequest&)>;

struct ApiSettings {
  std::size_t max_body_bytes = 1 << 20;
  std::string version = "0.1.0";
  /// Where internal errors are reported (never with secrets); empty: nowhere.
  std::function<void(const std::string&)> log;
  /// The connector instances the service runs (their status comes from the database).
  std::vector<ConnectorInstanceInfo> connectors;
};

class Api {
 public:
  Api(engine::ReaderPool& readers, engine::CommandWriter& writer, const Authenticator& auth,
      const workflow::Definitions& definitions, const domain::Clock& clock, ApiSettings settings);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  /// Answers one request. Thread-safe; never throws.
  HttpResponse handle(const HttpRequest& request);

  /// Adds a route under /api/v1 (e.g. "/session"). Routes are added while the service is being
  /// composed, before the listener starts (not thread-safe). kPublic routes skip authentication.
  void add_route(const std::string& method, const std::string& path, Permission permission,
                 RouteHandler handler);
  /// Browser sessions, checked when a request has no Authorization header. Set before serving.
  void set_browser_sessions(BrowserSessions* sessions) { sessions_ = sessions; }
  /// Who answers paths outside /api/v1 (404 when unset). Set before serving.
  void set_site(SiteHandler site) { site_ = std::move(site); }

  /// From now on every request but /healthz is answered 503, and /healthz says "stopping".
  void stop_accepting() { stopping_ = true; }
  std::size_t max_body_bytes() const { return settings_.max_body_bytes; }

  static constexpr const char* kBasePath = "/api/v1";

 private:
  using Call = RouteCall;
  struct RouteEntry {
    Permission permission;
    std::function<HttpResponse(Api&, const Call&)> run;
  };

  HttpResponse dispatch(const HttpRequest& request, std::string& route_label);
  void note_key_use(const Principal& who);

  // Handlers (api.cpp).
  HttpResponse healthz();
  HttpResponse metrics(const Call& call);
  HttpResponse openapi(const Call& call);
  HttpResponse upsert_invoices(const Call& call);
  HttpResponse get_invoice(const Call& call);
  HttpResponse open_dispute(const Call& call);
  HttpResponse list_disputes(const Call& call);
  HttpResponse get_dispute(const Call& call);
  HttpResponse timeline(const Call& call);
  HttpResponse add_note(const Call& call);
  HttpResponse complete_step(const Call& call);
  HttpResponse resolve(const Call& call);
  HttpResponse withdraw(const Call& call);
  HttpResponse reopen(const Call& call);
  HttpResponse close(const Call& call);
  HttpResponse tasks(const Call& call);
  HttpResponse events(const Call& call);
  HttpResponse report(const Call& call, int kind);
  HttpResponse connectors(const Call& call);
  HttpResponse dead_letters(const Call& call);
  HttpResponse replay_dead_letter(const Call& call);

  engine::ReaderPool& readers_;
  engine::CommandWriter& writer_;
  const Authenticator& auth_;
  const workflow::Definitions& defs_;
  const domain::Clock& clock_;
  ApiSettings settings_;
  Router<RouteEntry> router_;
  Metrics metrics_;
  BrowserSessions* sessions_ = nullptr;
  SiteHandler site_;
  std::atomic<bool> stopping_{false};
  std::mutex key_use_mutex_;
  std::map<std::int64_t, domain::Instant> key_last_noted_;
};

}  // namespace disputed::api
