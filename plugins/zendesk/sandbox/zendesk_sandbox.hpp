#pragma once
// The Zendesk Support sandbox: a stateful emulator of the parts of the Support (Ticketing) API
// the zendesk plugin uses (API-NOTES section 2; shapes per specs/zendesk-tickets-subset.yaml):
// tickets (create with Idempotency-Key, show, update with safe_update, delete, list by
// external_id, show_many, comments), users (me, search by e-mail, show, show_many), the cursor
// incremental export, account rate limits (X-Rate-Limit headers, 429 + Retry-After), 401 on bad
// credentials and Zendesk's error bodies ({"error": ..., "description": ..., "details": ...}).
//
// Options (`--set key=value`): agents (comma-separated e-mails; default agent@example.com,
// lead@example.com), api_token (sandbox-token), oauth_token (sandbox-oauth-token), rate_limit
// (requests per minute, 700), export_rate_limit (10), idempotency_ttl_seconds (7200), public_url
// (the base shown in `url` fields and Location headers; default the server's own URL; Prism's
// "url" format refuses loopback addresses, so the conformance test sets https://acme.zendesk.com).
//
// Extra control endpoints:
//   GET  /_sandbox/tickets                     every ticket with its comments (tests, demo)
//   POST /_sandbox/tickets/seed {"count": N}   N open task tickets tagged invoice_dispute (bench)
//   POST /_sandbox/idempotency/expire          forget every idempotency key (as after ~2 h)

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "plugins/sandbox/registry.hpp"
#include "plugins/sandbox/router.hpp"
#include "plugins/sandbox/token_endpoint.hpp"

namespace disputed::sandbox {

/// The zendesk sandbox with `options` (registered as "zendesk" for disputed-sandbox).
std::unique_ptr<Emulator> make_zendesk_sandbox(const Options& options);

}  // namespace disputed::sandbox

namespace disputed::sandbox::zendesk {

struct User {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::string role = "agent";
};

class ZendeskEmulator final : public Emulator {
 public:
  explicit ZendeskEmulator(const Options& options);

  std::string name() const override { return "zendesk"; }
  Response handle(const Request& request, const std::string& base_url) override;
  void reset() override;
  std::optional<Response> control(const Request& request) override;
  Response fault_response(int status, const Request& request) override;

  // For in-process tests and the bench (call under Server::with_emulator).
  /// Tickets whose external_id is `external_id` (deleted ones are gone).
  std::vector<nlohmann::json> tickets_with_external_id(const std::string& external_id) const;
  const nlohmann::json* ticket(std::int64_t id) const;
  /// The comments of a ticket, oldest first.
  std::vector<nlohmann::json> comments(std::int64_t id) const;
  /// Creates `count` open task tickets directly (no API call); returns their ids.
  std::vector<std::int64_t> seed_tickets(int count, const std::string& base_url);
  /// Acts as `agent_email`: solves the ticket with an internal comment and the given custom field.
  void solve(std::int64_t id, const std::string& agent_email, std::int64_t field_id,
             const std::string& value, const std::string& comment);
  void expire_idempotency_keys() { idempotency_.clear(); }
  const std::vector<User>& users() const { return users_; }

 private:
  struct IdempotentCreate {
    std::string body;
    std::int64_t ticket_id = 0;
    SandboxClock::Time expires;
  };

  const User* authenticate(const Request& request) const;
  void build_routes();
  std::optional<Response> throttle(const Request& request);
  Response route(const Request& request, const User& user, const std::string& base_url);
  Response create_ticket(const Request& request, const User& user, const std::string& base_url);
  Response update_ticket(std::int64_t id, const Request& request, const User& user);
  Response show_many(const Request& request);
  Response list_tickets(const Request& request);
  Response list_comments(std::int64_t id, const Request& request);
  Response incremental_export(const Request& request, const std::string& base_url);
  Response search_users(const Request& request);
  Response show_many_users(const Request& request);
  /// Validates and applies the writable fields of `input` to `ticket`; an error response when
  /// something is invalid (nothing applied then).
  std::optional<Response> apply_fields(nlohmann::json& ticket, const nlohmann::json& input,
                                       bool creating);
  void add_comment(nlohmann::json& ticket, const nlohmann::json& comment, std::int64_t author_id);
  /// Moves updated_at forward (strictly: safe_update stamps must differ after every change).
  void touch(nlohmann::json& ticket);
  nlohmann::json user_json(const User& user) const;
  const User* user_by_id(std::int64_t id) const;

  Options options_;
  std::string api_token_;
  std::string oauth_token_;
  std::string public_url_;
  std::string base_url_;  // of the request being answered (for `url` fields)  //
                          // "https://acme.zendesk.com": what url/Location fields show (default: the
                          // server's)
  int rate_limit_ = 700;
  int export_rate_limit_ = 10;
  std::chrono::seconds idempotency_ttl_{7200};

  std::vector<User> users_;
  std::map<std::int64_t, nlohmann::json> tickets_;
  std::map<std::int64_t, std::vector<nlohmann::json>> comments_;
  std::map<std::int64_t, std::int64_t> deleted_at_;  // id -> unix seconds (incremental export)
  std::map<std::string, IdempotentCreate> idempotency_;
  std::deque<SandboxClock::Time> recent_;         // account window
  std::deque<SandboxClock::Time> recent_export_;  // incremental export window
  Router api_;
  TokenEndpoint tokens_;        // the static OAuth access token
  const User* user_ = nullptr;  // who the request being answered authenticated as
  std::int64_t next_ticket_id_ = 1;
  std::int64_t next_comment_id_ = 1;
  std::int64_t next_audit_id_ = 1;
};

}  // namespace disputed::sandbox::zendesk
