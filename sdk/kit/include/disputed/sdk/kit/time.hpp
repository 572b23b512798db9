#pragma once
/// @file Timestamps in the forms the vendors use, parsed and written once.
///
/// Accepted by parse_timestamp (RFC 3339 / ISO 8601 date-times): "2025-01-31T10:00:00Z",
/// fractions of any length ("...:00.5Z", Graph's "...:00.0000000Z"), offsets "+01:00" and
/// Salesforce's "+0000", and a lower-case "z". Every field is range-checked, and **second 60 is
/// refused**: none of the systems writes leap seconds (their clocks are POSIX time), so a ":60"
/// is a corrupt value, and reading it as the next minute would reorder cursor ties.
/// Standard library only; nothing here throws except std::bad_alloc.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "disputed/sdk/types.hpp"

namespace disputed::sdk::kit {

/// UTC milliseconds since the epoch: what Salesforce's SystemModstamp and Graph's
/// lastModifiedDateTime carry (a cursor must not drop them).
using InstantMs = std::chrono::sys_time<std::chrono::milliseconds>;

/// A date-time as above; nullopt for anything else (no offset, a missing field, a day that does
/// not exist, hour 24, second 60). Fractions below a millisecond are dropped.
std::optional<InstantMs> parse_timestamp_ms(std::string_view text);
/// The same, in whole seconds (fractions dropped).
std::optional<Instant> parse_timestamp(std::string_view text);
/// A date-time without an offset ("2025-01-31T10:00:00.0000000", Graph's dateTimeTimeZone
/// value) read as UTC: for callers that know the zone is UTC. nullopt as above.
std::optional<Instant> parse_utc_datetime(std::string_view text);
/// "2025-01-31T10:00:00Z" (whole seconds, UTC).
std::string format_timestamp(Instant at);
/// "2025-01-31T10:00:00.123Z".
std::string format_timestamp_ms(InstantMs at);
/// Graph's dateTimeTimeZone value: "2025-01-31T10:00:00.0000000" (the zone travels beside it).
std::string format_graph_datetime(Instant at);

/// A calendar date "2025-01-31"; nullopt unless it is exactly YYYY-MM-DD and exists.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);
/// "2025-01-31".
std::string format_date(std::chrono::year_month_day date);
/// The UTC calendar date of an instant.
std::string utc_date(Instant at);

/// An HTTP-date (RFC 9110 section 5.6.7, IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"); nullopt
/// otherwise.
std::optional<Instant> parse_http_date(std::string_view text);
/// IMF-fixdate of an instant.
std::string format_http_date(Instant at);

}  // namespace disputed::sdk::kit
