#include "core/engine/daily_digest.hpp"

#include <map>
#include <utility>

#include <nlohmann/json.hpp>

namespace disputed::engine {

using domain::Instant;
using nlohmann::json;

int DailyDigest::tick(Instant now) {
  const auto& policy = ctx_.defs().notifications;
  if (policy.digest.empty()) return 0;
  const auto& calendar = ctx_.defs().calendar;
  domain::Date today = calendar.local_date(now);
  int queued = 0;
  for (int back = 1; back >= 0; --back) {
    domain::Date day = domain::add_days(today, -back);
    if (done_through_ && day <= *done_through_) continue;
    if (now < calendar.at_local(day, policy.digest_at)) break;  // not yet today's time
    queued += queue_day(day, now);
    done_through_ = day;
  }
  return queued;
}

int DailyDigest::queue_day(domain::Date day, Instant now) {
  const auto& defs = ctx_.defs();
  const auto& calendar = defs.calendar;
  // Per rule, per recipient: that recipient's disputes of the day, in order of registration.
  std::map<std::pair<std::size_t, std::string>, std::pair<domain::AssigneeKind, json>> digests;
  store::DisputeFilter filter;
  filter.opened_from = calendar.at_local(day, std::chrono::minutes(0));
  filter.opened_before = calendar.at_local(domain::add_days(day, 1), std::chrono::minutes(0));
  filter.limit = 500;
  for (;;) {
    auto page = ctx_.store().list_disputes(filter);
    for (const auto& d : page) {
      for (std::size_t i = 0; i < defs.notifications.digest.size(); ++i) {
        domain::AssigneeKind kind;
        std::string to = ctx_.resolve_assignee(defs.notifications.digest[i], d, kind);
        auto& entry = digests[{i + 1, to}];
        entry.first = kind;
        if (entry.second.is_null()) entry.second = json::array();
        entry.second.push_back({{"dispute", d.ref},
                                {"customer", d.customer_name},
                                {"category", d.category},
                                {"disputed_amount", d.disputed_amount.to_string()},
                                {"currency", d.currency}});
      }
    }
    if (page.size() < std::size_t(filter.limit)) break;
    filter.after_id = page.back().id;
  }
  int queued = 0;
  std::string date = domain::format_date(day);
  for (const auto& [key, entry] : digests)
    if (outbox_.management_digest(date, key.first, key.second, entry.first, entry.second, now))
      ++queued;
  return queued;
}

}  // namespace disputed::engine
