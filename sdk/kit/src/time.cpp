#include "disputed/sdk/kit/time.hpp"

#include <array>
#include <cstdio>

namespace disputed::sdk::kit {

namespace {

using namespace std::chrono;

bool digits(std::string_view s, std::size_t at, std::size_t count, int& value) {
  if (at + count > s.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::optional<year_month_day> parse_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  year_month_day date{year(y), month(unsigned(m)), day(unsigned(d))};
  if (s.size() != 10 || !date.ok()) return std::nullopt;
  return date;
}

std::optional<InstantMs> parse_timestamp_ms(std::string_view s) {
  if (s.size() < 20 || s.size() > 64) return std::nullopt;
  auto date = parse_date(s.substr(0, 10));
  int h = 0, mi = 0, se = 0;
  if (!date || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;  // second 60: see time.hpp
  std::size_t i = 19;
  long long ms = 0;
  if (s[i] == '.') {
    std::size_t first = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - first < 3) ms = ms * 10 + (s[i] - '0');
      ++i;
    }
    if (i == first) return std::nullopt;
    for (std::size_t k = i - first; k < 3; ++k) ms *= 10;
  }
  if (i >= s.size()) return std::nullopt;  // an offset is required
  int offset_minutes = 0;
  std::string_view zone = s.substr(i);
  if (zone != "Z" && zone != "z") {
    int oh = 0, om = 0;
    if (zone[0] != '+' && zone[0] != '-') return std::nullopt;
    if (zone.size() == 6 && zone[3] == ':') {  // +01:00
      if (!digits(zone, 1, 2, oh) || !digits(zone, 4, 2, om)) return std::nullopt;
    } else if (zone.size() == 5) {  // +0100 (Salesforce)
      if (!digits(zone, 1, 2, oh) || !digits(zone, 3, 2, om)) return std::nullopt;
    } else {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset_minutes = (oh * 60 + om) * (zone[0] == '-' ? -1 : 1);
  }
  return InstantMs(sys_days(*date)) + hours(h) + minutes(mi - offset_minutes) + seconds(se) +
         milliseconds(ms);
}

std::optional<Instant> parse_utc_datetime(std::string_view text) {
  if (text.empty() || text.size() > 63) return std::nullopt;
  char last = text.back();
  bool has_offset = last == 'Z' || last == 'z' ||
                    (text.size() > 19 && text.find_first_of("+-", 19) != std::string_view::npos);
  if (has_offset) return parse_timestamp(text);
  return parse_timestamp(std::string(text) + "Z");
}

std::optional<Instant> parse_timestamp(std::string_view text) {
  auto ms = parse_timestamp_ms(text);
  if (!ms) return std::nullopt;
  return floor<seconds>(*ms);
}

std::string format_date(year_month_day date) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", int(date.year()), unsigned(date.month()),
                unsigned(date.day()));
  return out;
}

std::string utc_date(Instant at) { return format_date(year_month_day(floor<days>(at))); }

std::string format_timestamp_ms(InstantMs at) {
  auto day = floor<days>(at);
  hh_mm_ss hms(at - day);
  char out[40];
  std::snprintf(out, sizeof out, "%sT%02d:%02d:%02d.%03dZ", utc_date(floor<seconds>(at)).c_str(),
                int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return out;
}

std::string format_timestamp(Instant at) {
  auto day = floor<days>(at);
  hh_mm_ss hms(at - day);
  char out[32];
  std::snprintf(out, sizeof out, "%sT%02d:%02d:%02dZ", utc_date(at).c_str(),
                int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()));
  return out;
}

std::string format_graph_datetime(Instant at) {
  std::string text = format_timestamp(at);
  text.pop_back();  // the 'Z'
  return text + ".0000000";
}

std::optional<Instant> parse_http_date(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, 29 characters.
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT")
    return std::nullopt;
  int d = 0, y = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 5, 2, d) || !digits(s, 12, 4, y) || !digits(s, 17, 2, h) ||
      !digits(s, 20, 2, mi) || !digits(s, 23, 2, se))
    return std::nullopt;
  unsigned m = 0;
  for (unsigned k = 0; k < kMonths.size(); ++k)
    if (s.substr(8, 3) == kMonths[k]) m = k + 1;
  year_month_day date{year(y), month(m), day(unsigned(d))};
  if (m == 0 || !date.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
  return Instant(sys_days(date)) + hours(h) + minutes(mi) + seconds(se);
}

std::string format_http_date(Instant at) {
  auto day = floor<days>(at);
  year_month_day ymd(day);
  hh_mm_ss hms(at - day);
  char out[40];
  std::snprintf(out, sizeof out, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kWeekdays[weekday(day).c_encoding()], unsigned(ymd.day()),
                kMonths[unsigned(ymd.month()) - 1], int(ymd.year()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return out;
}

}  // namespace disputed::sdk::kit
