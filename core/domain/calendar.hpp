#pragma once
// Business calendar: a time zone, the working weekdays and public holidays. Deadlines are
// counted in working days in this calendar and stored as UTC instants.

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/domain/time.hpp"

namespace date {
class time_zone;
}

namespace disputed::domain {

class BusinessCalendar {
 public:
  struct Holiday {
    Date date;
    std::string name;
  };

  /// Throws std::invalid_argument when the time zone is unknown to the system's tz database,
  /// when no weekday is a working day, or when end_of_day is outside 00:00..23:59.
  /// `working_weekdays` uses 0 = Sunday .. 6 = Saturday (std::chrono::weekday::c_encoding()).
  BusinessCalendar(std::string time_zone, std::set<unsigned> working_weekdays,
                   std::map<Date, std::string> holidays,
                   std::chrono::minutes end_of_day = std::chrono::hours(17));

  /// Monday to Friday in Europe/Amsterdam, no holidays, end of day 17:00.
  static BusinessCalendar weekdays(std::string time_zone = "Europe/Amsterdam");

  const std::string& time_zone() const { return time_zone_name_; }
  std::chrono::minutes end_of_day() const { return end_of_day_; }
  const std::map<Date, std::string>& holidays() const { return holidays_; }

  bool is_working_day(Date d) const;
  /// The civil date at `t` in the calendar's time zone.
  Date local_date(Instant t) const;
  /// The instant of local wall-clock time `time_of_day` on `d` (DST-aware; a time inside a
  /// spring-forward gap maps to the moment of the transition).
  Instant at_local(Date d, std::chrono::minutes time_of_day) const;

  /// "2026-11-26 17:00" in the calendar's zone, for people; with the zone name appended when
  /// `with_zone` ("2026-11-26 17:00 Europe/Amsterdam").
  std::string format_local(Instant t, bool with_zone = false) const;

  /// `n` working days after `d` (n > 0), or the first working day on or after `d` (n == 0).
  Date add_working_days(Date d, int n) const;
  /// `n` working days before `d` (n > 0), or the last working day on or before `d` (n == 0).
  Date subtract_working_days(Date d, int n) const;

  /// Deadline for work that starts at `start` and may take `working_days`: the end of the
  /// business day `working_days` working days after the start's local date.
  Instant deadline_after(Instant start, int working_days) const;
  /// The same local wall-clock time `n` working days later (n > 0) or earlier (n < 0);
  /// used for reminders before a deadline and escalations after it.
  Instant shift_working_days(Instant t, int n) const;
  /// Whole working days from the local date of `from` to that of `to` (0 when to <= from).
  int working_days_between(Instant from, Instant to) const;

 private:
  std::string time_zone_name_;
  const date::time_zone* zone_ = nullptr;
  std::set<unsigned> working_weekdays_;
  std::map<Date, std::string> holidays_;
  std::chrono::minutes end_of_day_;
};

}  // namespace disputed::domain
