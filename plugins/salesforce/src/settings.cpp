#include "plugins/salesforce/src/settings.hpp"

#include <date/tz.h>

namespace disputed::plugins::salesforce {

bool known_time_zone(const std::string& zone) {
  try {
    return !zone.empty() && zone.size() <= 64 && date::locate_zone(zone) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

Settings read_settings(const sdk::kit::Settings& in) {
  Settings s;
  s.api_version = in.text("/api_version");
  s.ext_field = in.text("/external_id_field");
  s.outcome_field = in.text("/outcome_field");
  s.outcome_by_status = in.text_map("/outcome_by_status");
  s.close_status = in.text("/close_status");
  s.cancel_status = in.text("/cancel_status");
  s.escalation_priority = in.text("/escalation_priority");
  s.default_priority = in.text("/default_priority");
  s.time_zone = in.text("/time_zone");
  s.account_number_field = in.text("/account_number_field");
  s.invoice_object = in.text("/invoice_object");
  s.invoice_number_field = in.text("/invoice_number_field");
  s.owner_fallback = in.text("/owner_fallback");
  s.dispute_url = in.text("/dispute_url");
  s.limit_backoff = std::chrono::seconds(in.integer("/limit_backoff_seconds"));
  s.poll_overlap = std::chrono::seconds(in.integer("/poll_overlap_seconds"));
  s.max_pages_per_poll = int(in.integer("/max_pages_per_poll"));
  s.request_timeout = std::chrono::milliseconds(in.integer("/request_timeout_ms"));

  if (!s.time_zone.empty() && !known_time_zone(s.time_zone))
    in.problem("/time_zone", "must be an IANA time zone this machine knows, e.g. Europe/Amsterdam");
  if (!s.invoice_object.empty() && s.invoice_number_field.empty())
    in.problem("/invoice_number_field", "is required with invoice_object");
  if (s.invoice_object.empty() && !s.invoice_number_field.empty())
    in.problem("/invoice_object", "is required with invoice_number_field");
  if (s.cancel_status == s.close_status)
    in.problem("/cancel_status", "must differ from close_status (a cancel is not a completion)");
  return s;
}

}  // namespace disputed::plugins::salesforce
