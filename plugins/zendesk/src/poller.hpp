#pragma once
// Reading back what agents did: show_many on the open tickets (ceil(N/100) calls), comments only
// for tickets changed since the cursor; or, with poll_mode "incremental", the cursor incremental
// export (admins only, 10 requests/minute).
// https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#show-multiple-tickets ,
// https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/types.hpp"
#include "plugins/zendesk/src/settings.hpp"
#include "plugins/zendesk/src/zendesk_client.hpp"

namespace disputed::plugins::zendesk {

/// Where a show_many poll resumes: the newest ticket change seen, as its updated_at (Zendesk has
/// second precision) and the ids changed in that very second: "<updated_at>|<id>,<id>"; empty
/// means from the start. When more than kMaxTies tickets share that second (a bulk update), the
/// ids become "*" ("every change of that second was seen"): a later change in that same second is
/// then left to the reconciliation, which keeps the cursor a few KB at most.
struct Cursor {
  static constexpr std::size_t kMaxTies = 200;
  std::optional<sdk::Instant> at;
  std::set<std::int64_t> ids;
  bool whole_second = false;

  static Cursor parse(const std::string& text);
  std::string encode() const;
  /// A ticket changed at `when` with `id` is newer than this cursor.
  bool before(sdk::Instant when, std::int64_t id) const;
  void advance(sdk::Instant when, std::int64_t id);
};

class Poller {
 public:
  /// All three outlive the poller.
  Poller(sdk::Host& host, ZendeskClient& client, const Settings& settings);
  sdk::PollResult poll(const sdk::PollRequest& request);

 private:
  sdk::PollResult show_many(const sdk::PollRequest& request);
  sdk::PollResult incremental(const sdk::PollRequest& request);
  sdk::PollResult failed(const Reply& reply, const std::string& cursor) const;
  /// The answer to a page of tickets the poll cannot use (a failed request, or no "tickets"
  /// array: malformed); nullopt for a usable one.
  std::optional<sdk::PollResult> unusable_page(const Reply& reply, const std::string& cursor) const;

  sdk::Host& host_;
  ZendeskClient& client_;
  const Settings& settings_;
};

}  // namespace disputed::plugins::zendesk
