#include "core/domain/calendar.hpp"

#include <date/tz.h>

#include <stdexcept>

namespace disputed::domain {

namespace {
// Local wall-clock time of `t` since local midnight, to the second.
std::chrono::seconds time_of_day(const date::time_zone* zone, Instant t) {
  auto local = zone->to_local(t);
  return local - std::chrono::floor<std::chrono::days>(local);
}

// The instant of local time `time_of_day` on `d`; a time inside a spring-forward gap maps to
// the transition, the ambiguous autumn hour to its first occurrence.
Instant local_to_instant(const date::time_zone* zone, Date d, std::chrono::seconds time_of_day) {
  date::local_seconds local{std::chrono::sys_days(d).time_since_epoch() + time_of_day};
  return std::chrono::floor<std::chrono::seconds>(zone->to_sys(local, date::choose::earliest));
}
}  // namespace

BusinessCalendar::BusinessCalendar(std::string time_zone, std::set<unsigned> working_weekdays,
                                   std::map<Date, std::string> holidays,
                                   std::chrono::minutes end_of_day)
    : time_zone_name_(std::move(time_zone)),
      working_weekdays_(std::move(working_weekdays)),
      holidays_(std::move(holidays)),
      end_of_day_(end_of_day) {
  try {
    zone_ = date::locate_zone(time_zone_name_);
  } catch (const std::exception&) {
    throw std::invalid_argument("unknown time zone '" + time_zone_name_ +
                                "' (expected an IANA name such as Europe/Amsterdam)");
  }
  if (working_weekdays_.empty()) throw std::invalid_argument("no working weekdays");
  for (unsigned d : working_weekdays_)
    if (d > 6) throw std::invalid_argument("weekday out of range 0..6");
  if (end_of_day_ < std::chrono::minutes(0) || end_of_day_ >= std::chrono::hours(24))
    throw std::invalid_argument("end of day outside 00:00..23:59");
}

BusinessCalendar BusinessCalendar::weekdays(std::string time_zone) {
  return BusinessCalendar(std::move(time_zone), {1, 2, 3, 4, 5}, {});
}

bool BusinessCalendar::is_working_day(Date d) const {
  unsigned wd = std::chrono::weekday(std::chrono::sys_days(d)).c_encoding();
  return working_weekdays_.count(wd) != 0 && holidays_.count(d) == 0;
}

Date BusinessCalendar::local_date(Instant t) const {
  auto local = zone_->to_local(t);
  auto day = std::chrono::floor<std::chrono::days>(local).time_since_epoch();
  return Date{std::chrono::sys_days{day}};
}

Instant BusinessCalendar::at_local(Date d, std::chrono::minutes tod) const {
  return local_to_instant(zone_, d, tod);
}

std::string BusinessCalendar::format_local(Instant t, bool with_zone) const {
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(time_of_day(zone_, t)).count();
  std::string out = format_date(local_date(t)) + " 00:00";
  out[out.size() - 5] = char('0' + minutes / 600);
  out[out.size() - 4] = char('0' + (minutes / 60) % 10);
  out[out.size() - 2] = char('0' + (minutes % 60) / 10);
  out[out.size() - 1] = char('0' + minutes % 10);
  if (with_zone) out += " " + time_zone_name_;
  return out;
}

Date BusinessCalendar::add_working_days(Date d, int n) const {
  // Count working days strictly after `d`: from a Saturday the first one is Monday, as from
  // Friday, so working_days_between(d, add_working_days(d, n)) == n for every d.
  if (n == 0)
    while (!is_working_day(d)) d = add_days(d, 1);
  for (int i = 0; i < n; ++i) {
    do d = add_days(d, 1);
    while (!is_working_day(d));
  }
  return d;
}

Date BusinessCalendar::subtract_working_days(Date d, int n) const {
  if (n == 0)
    while (!is_working_day(d)) d = add_days(d, -1);
  for (int i = 0; i < n; ++i) {
    do d = add_days(d, -1);
    while (!is_working_day(d));
  }
  return d;
}

Instant BusinessCalendar::deadline_after(Instant start, int working_days) const {
  Date start_day = local_date(start);
  Date day = add_working_days(start_day, working_days);
  // Work that starts after the end of a business day cannot be due the same evening.
  if (working_days == 0 && day == start_day && time_of_day(zone_, start) >= end_of_day_)
    day = add_working_days(start_day, 1);
  return at_local(day, end_of_day_);
}

Instant BusinessCalendar::shift_working_days(Instant t, int n) const {
  Date day = local_date(t);
  Date target = n >= 0 ? add_working_days(day, n) : subtract_working_days(day, -n);
  return local_to_instant(zone_, target, time_of_day(zone_, t));
}

int BusinessCalendar::working_days_between(Instant from, Instant to) const {
  if (to <= from) return 0;
  Date a = local_date(from), b = local_date(to);
  int count = 0;
  for (Date d = add_days(a, 1); std::chrono::sys_days(d) <= std::chrono::sys_days(b);
       d = add_days(d, 1))
    if (is_working_day(d)) ++count;
  return count;
}

}  // namespace disputed::domain
