#pragma once
// The Zendesk Support API over the host's HTTP port: requests and their JSON, Zendesk's error
// body, and the account's rate limit watched from X-Rate-Limit-Remaining. Facts and limits:
// https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/ ,
// https://developer.zendesk.com/api-reference/introduction/rate-limits/ .

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/kit/http_policy.hpp"
#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/json_api.hpp"
#include "plugins/zendesk/src/settings.hpp"

namespace disputed::plugins::zendesk {

namespace kit = sdk::kit;

using kit::Reply;

class ZendeskClient {
 public:
  /// `host` and `settings` outlive the client.
  ZendeskClient(sdk::Host& host, const Settings& settings);

  const kit::HttpPolicy& policy() const noexcept { return policy_; }
  /// One request to `path` under the account's URL; an Idempotency-Key when given.
  Reply call(const std::string& method, const std::string& path, const kit::Json* body = nullptr,
             const std::string& idempotency_key = {});
  /// How long to hold off while the account's remaining requests are at the reserve; nullopt
  /// when requests may go.
  std::optional<std::chrono::seconds> throttled() const;

  /// The agent's link to a ticket.
  std::string ticket_url(std::int64_t id) const;
  /// The oldest ticket whose external_id is `task_key` (external_id is not unique in Zendesk);
  /// nullopt when there is none.
  kit::Fetched<std::optional<kit::Json>> find_ticket(const std::string& task_key);
  /// The id of the agent (or admin) with this e-mail address, cached in the host's store; nullopt
  /// when no agent has it.
  kit::Fetched<std::optional<std::int64_t>> agent_id(const std::string& email);
  /// E-mail addresses of users by id, from the store or one users/show_many call. Best effort:
  /// the actor of an event is a nicety.
  std::map<std::int64_t, std::string> emails(const std::set<std::int64_t>& ids);
  /// Whether a comment of the ticket carries `text` (newest first).
  kit::Fetched<bool> has_comment_with(std::int64_t id, const std::string& text);

 private:
  void watch_rate_limit(const sdk::HttpResponse& response);

  sdk::Host& host_;
  const Settings& settings_;
  kit::HttpPolicy policy_;
  std::optional<sdk::Instant> throttle_until_;
};

}  // namespace disputed::plugins::zendesk
