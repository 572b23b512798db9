#pragma once
// The zendesk instance's settings, read from the manifest's config_schema (which the host checks
// first: types, ranges, patterns, unknown keys) with its defaults.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "disputed/sdk/kit/settings.hpp"

namespace disputed::plugins::zendesk {

struct Settings {
  std::string base_url;           ///< the account's root URL, without a trailing '/'
  std::vector<std::string> tags;  ///< put on every ticket; the first picks ours in the export
  std::optional<std::int64_t> group_id;
  std::map<std::string, std::int64_t> role_groups;  ///< workflow role -> Zendesk group
  /// dispute, invoice_number, customer, amount, outcome -> ticket field id
  std::map<std::string, std::int64_t> fields;
  std::string outcome_tag_prefix;
  std::map<std::string, std::string> outcome_values;  ///< Zendesk value -> workflow outcome
  std::string dispute_url;                            ///< link template with {dispute}
  int rate_limit_reserve = 10;
  std::chrono::milliseconds request_timeout{30000};
  bool incremental = false;  ///< poll_mode "incremental": the cursor incremental export
};

Settings read_settings(const sdk::kit::Settings& settings);

}  // namespace disputed::plugins::zendesk
