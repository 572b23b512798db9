#pragma once
// Time conversions the Salesforce connector needs: Salesforce's datetime texts, SOQL datetime
// literals, and a deadline as a local calendar date (Task.ActivityDate has no time or zone).

#include <optional>
#include <string>

#include "disputed/sdk/types.hpp"

namespace disputed::plugins::salesforce {

/// "2025-01-31T10:00:00.000+0000", "2025-01-31T10:00:00Z", "...+01:00" -> UTC milliseconds.
std::optional<long long> parse_datetime_ms(const std::string& text);
/// A SOQL datetime literal (whole seconds, UTC): "2025-01-31T10:00:00Z".
std::string soql_datetime(long long millis);
/// The calendar date ("2025-01-10") of `at` in the IANA zone `zone`; nullopt for an unknown zone.
std::optional<std::string> local_date(sdk::Instant at, const std::string& zone);
/// Whether `zone` names a time zone this machine knows.
bool known_time_zone(const std::string& zone);
/// "YYYY-MM-DD" with a real month and day.
bool valid_date(const std::string& text);

}  // namespace disputed::plugins::salesforce
