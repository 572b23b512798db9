#include "plugins/salesforce/src/salesforce_time.hpp"

#include <date/tz.h>

#include <cctype>
#include <chrono>
#include <cstdio>

namespace disputed::plugins::salesforce {

std::optional<long long> parse_datetime_ms(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 20 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
    return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t i = 19;
  long long ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (digits < 3) ms = ms * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 3; ++k) ms *= 10;
  }
  long long offset_min = 0;
  std::string zone = s.substr(i);
  if (zone != "Z" && zone != "z") {
    if ((zone.size() != 5 && zone.size() != 6) || (zone[0] != '+' && zone[0] != '-'))
      return std::nullopt;
    if (zone.size() == 6 && zone[3] != ':') return std::nullopt;
    std::string digits = zone.size() == 6 ? zone.substr(1, 2) + zone.substr(4, 2) : zone.substr(1);
    for (char c : digits)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    offset_min = std::stoi(digits.substr(0, 2)) * 60 + std::stoi(digits.substr(2));
    if (zone[0] == '-') offset_min = -offset_min;
  }
  using namespace std::chrono;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  long long secs = duration_cast<seconds>(sys_days(ymd).time_since_epoch()).count() + h * 3600LL +
                   mi * 60LL + sec - offset_min * 60;
  return secs * 1000 + ms;
}

std::string soql_datetime(long long millis) {
  using namespace std::chrono;
  long long secs = millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000);
  sys_seconds t{seconds(secs)};
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss hms(t - day);
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return out;
}

bool known_time_zone(const std::string& zone) {
  try {
    return date::locate_zone(zone) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

std::optional<std::string> local_date(sdk::Instant at, const std::string& zone) {
  try {
    const date::time_zone* tz = date::locate_zone(zone);
    auto local = tz->to_local(at);
    date::year_month_day ymd{date::floor<date::days>(local)};
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()));
    return std::string(out);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  using namespace std::chrono;
  year_month_day ymd{year(std::stoi(s.substr(0, 4))),
                     month(static_cast<unsigned>(std::stoi(s.substr(5, 2)))),
                     day(static_cast<unsigned>(std::stoi(s.substr(8, 2))))};
  return ymd.ok();
}

}  // namespace disputed::plugins::salesforce
