#pragma once
// The salesforce instance's settings, read from the manifest's config_schema (which the host
// checks first: types, ranges, API-name patterns, unknown keys) with its defaults; what a schema
// cannot say (a time zone this machine knows, settings that go together or must differ) is added
// here.

#include <chrono>
#include <map>
#include <string>

#include "disputed/sdk/kit/settings.hpp"

namespace disputed::plugins::salesforce {

struct Settings {
  std::string api_version;    ///< "v62.0"
  std::string ext_field;      ///< the Task's External ID field holding the task key
  std::string outcome_field;  ///< empty: outcomes come from outcome_by_status
  std::map<std::string, std::string> outcome_by_status;
  std::string close_status;
  std::string cancel_status;
  std::string escalation_priority;
  std::string default_priority;
  std::string time_zone;  ///< empty: the step's own zone
  std::string account_number_field;
  std::string invoice_object;
  std::string invoice_number_field;
  std::string owner_fallback;  ///< "account_owner" or "integration_user"
  std::string dispute_url;
  std::chrono::seconds limit_backoff{900};
  std::chrono::seconds poll_overlap{60};
  int max_pages_per_poll = 50;
  std::chrono::milliseconds request_timeout{30000};
};

Settings read_settings(const sdk::kit::Settings& settings);

/// Whether `zone` names a time zone this machine knows (IANA, e.g. Europe/Amsterdam).
bool known_time_zone(const std::string& zone);

}  // namespace disputed::plugins::salesforce
