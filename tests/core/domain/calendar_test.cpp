#include "core/domain/calendar.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

namespace disputed::domain {
namespace {

using namespace std::chrono_literals;

// 2026: Fri 20 Nov, Sat 21, Sun 22, Mon 23. Summer time in Europe/Amsterdam runs from
// Sun 29 March 02:00 CET to Sun 25 October 03:00 CEST.
constexpr Date kFriday = 2026y / 11 / 20;
constexpr Date kSaturday = 2026y / 11 / 21;
constexpr Date kSunday = 2026y / 11 / 22;
constexpr Date kMonday = 2026y / 11 / 23;

Instant at(std::string_view iso) {
  auto t = parse_instant(iso);
  if (!t) throw std::invalid_argument("bad instant in test: " + std::string(iso));
  return *t;
}

BusinessCalendar christmas_calendar() {
  return BusinessCalendar("Europe/Amsterdam", {1, 2, 3, 4, 5},
                          {{2026y / 12 / 25, "Christmas Day"}, {2026y / 12 / 26, "Boxing Day"}});
}

TEST(BusinessCalendarTest, WeekdaysIsMondayToFridayInAmsterdamUntilFive) {
  auto cal = BusinessCalendar::weekdays();
  EXPECT_EQ(cal.time_zone(), "Europe/Amsterdam");
  EXPECT_EQ(cal.end_of_day(), 17h);
  EXPECT_TRUE(cal.holidays().empty());
  EXPECT_TRUE(cal.is_working_day(kMonday));
  EXPECT_TRUE(cal.is_working_day(kFriday));
  EXPECT_FALSE(cal.is_working_day(kSaturday));
  EXPECT_FALSE(cal.is_working_day(kSunday));
}

TEST(BusinessCalendarTest, DeadlineSkipsTheWeekend) {
  auto cal = BusinessCalendar::weekdays();
  // Friday 10:00 local + 1 working day = Monday 17:00 local (16:00Z in winter).
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-20T09:00:00Z"), 1)),
            "2026-11-23T16:00:00Z");
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-20T09:00:00Z"), 5)),
            "2026-11-27T16:00:00Z");
  EXPECT_EQ(format_date(cal.add_working_days(kFriday, 1)), "2026-11-23");
  EXPECT_EQ(format_date(cal.subtract_working_days(kMonday, 1)), "2026-11-20");
}

TEST(BusinessCalendarTest, CountsFromAWeekendDayLikeFromTheFridayBefore) {
  auto cal = BusinessCalendar::weekdays();
  EXPECT_EQ(format_date(cal.add_working_days(kSaturday, 0)), "2026-11-23");
  EXPECT_EQ(format_date(cal.add_working_days(kSaturday, 1)), "2026-11-23");
  EXPECT_EQ(format_date(cal.add_working_days(kSunday, 2)), "2026-11-24");
  EXPECT_EQ(format_date(cal.subtract_working_days(kSunday, 0)), "2026-11-20");
  EXPECT_EQ(format_date(cal.subtract_working_days(kSunday, 1)), "2026-11-20");
  EXPECT_EQ(format_date(cal.subtract_working_days(kSaturday, 2)), "2026-11-19");
  // Work logged on Friday evening or on Saturday morning gets the same deadline.
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-20T17:30:00Z"), 1)),
            format_instant(cal.deadline_after(at("2026-11-21T09:00:00Z"), 1)));
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-21T09:00:00Z"), 1)),
            "2026-11-23T16:00:00Z");
}

TEST(BusinessCalendarTest, DeadlineSkipsHolidays) {
  auto cal = christmas_calendar();
  EXPECT_FALSE(cal.is_working_day(2026y / 12 / 25));
  EXPECT_TRUE(cal.is_working_day(2026y / 12 / 24));
  // Thu 24 Dec 09:00 local + 2 working days: Fri 25 (holiday), weekend, Mon 28, Tue 29.
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-12-24T08:00:00Z"), 2)),
            "2026-12-29T16:00:00Z");
  // A holiday on its own is also skipped when counting back.
  EXPECT_EQ(format_date(cal.subtract_working_days(2026y / 12 / 28, 1)), "2026-12-24");
  EXPECT_EQ(format_date(cal.add_working_days(2026y / 12 / 25, 0)), "2026-12-28");
}

TEST(BusinessCalendarTest, DeadlineKeepsFivePmLocalAcrossSpringForward) {
  auto cal = BusinessCalendar::weekdays();
  const Instant friday_morning = at("2026-03-27T09:00:00Z");  // 10:00 CET
  EXPECT_EQ(format_instant(cal.deadline_after(friday_morning, 0)), "2026-03-27T16:00:00Z");
  EXPECT_EQ(format_instant(cal.deadline_after(friday_morning, 1)), "2026-03-30T15:00:00Z");
}

TEST(BusinessCalendarTest, DeadlineKeepsFivePmLocalAcrossFallBack) {
  auto cal = BusinessCalendar::weekdays();
  const Instant friday_morning = at("2026-10-23T08:00:00Z");  // 10:00 CEST
  EXPECT_EQ(format_instant(cal.deadline_after(friday_morning, 0)), "2026-10-23T15:00:00Z");
  EXPECT_EQ(format_instant(cal.deadline_after(friday_morning, 1)), "2026-10-26T16:00:00Z");
}

TEST(BusinessCalendarTest, SameDayDeadlineAfterFivePmMovesToTheNextWorkingDay) {
  auto cal = BusinessCalendar::weekdays();
  // Tuesday 16:59 local: still today.
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-24T15:59:00Z"), 0)),
            "2026-11-24T16:00:00Z");
  // Tuesday 17:00 and 17:30 local (16:00Z, 16:30Z: before 17:00 UTC, after 17:00 local).
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-24T16:00:00Z"), 0)),
            "2026-11-25T16:00:00Z");
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-24T16:30:00Z"), 0)),
            "2026-11-25T16:00:00Z");
  // Friday 18:00 local: Monday.
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-20T17:00:00Z"), 0)),
            "2026-11-23T16:00:00Z");
  // Saturday: the first working day.
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-21T12:00:00Z"), 0)),
            "2026-11-23T16:00:00Z");
  // Wednesday 00:30 local is still Tuesday in UTC; the local date counts.
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-24T23:30:00Z"), 0)),
            "2026-11-25T16:00:00Z");
}

TEST(BusinessCalendarTest, ShiftKeepsLocalWallClockTimeAcrossDst) {
  auto cal = BusinessCalendar::weekdays();
  // Fri 27 Mar 09:30:15 CET + 1 working day = Mon 30 Mar 09:30:15 CEST.
  EXPECT_EQ(format_instant(cal.shift_working_days(at("2026-03-27T08:30:15Z"), 1)),
            "2026-03-30T07:30:15Z");
  // Mon 26 Oct 09:30 CET - 1 working day = Fri 23 Oct 09:30 CEST.
  EXPECT_EQ(format_instant(cal.shift_working_days(at("2026-10-26T08:30:00Z"), -1)),
            "2026-10-23T07:30:00Z");
  // A reminder one working day before a Monday 17:00 CEST deadline: Friday 17:00 CET.
  EXPECT_EQ(format_instant(cal.shift_working_days(at("2026-03-30T15:00:00Z"), -1)),
            "2026-03-27T16:00:00Z");
  // Escalation two working days after a Friday 17:00 CEST deadline: Tuesday 17:00 CET.
  EXPECT_EQ(format_instant(cal.shift_working_days(at("2026-10-23T15:00:00Z"), 2)),
            "2026-10-27T16:00:00Z");
}

TEST(BusinessCalendarTest, ShiftThereAndBackReturnsToTheSameInstant) {
  auto cal = christmas_calendar();
  for (const char* start :
       {"2026-03-26T12:34:56Z", "2026-10-22T06:00:00Z", "2026-12-23T16:00:00Z"}) {
    for (int n : {1, 2, 3, 7}) {
      EXPECT_EQ(format_instant(cal.shift_working_days(cal.shift_working_days(at(start), n), -n)),
                start)
          << "n=" << n;
    }
  }
}

TEST(BusinessCalendarTest, CountsWorkingDaysBetweenLocalDates) {
  auto cal = christmas_calendar();
  EXPECT_EQ(cal.working_days_between(at("2026-11-20T09:00:00Z"), at("2026-11-23T09:00:00Z")), 1);
  EXPECT_EQ(cal.working_days_between(at("2026-11-23T09:00:00Z"), at("2026-11-30T09:00:00Z")), 5);
  EXPECT_EQ(cal.working_days_between(at("2026-11-23T08:00:00Z"), at("2026-11-23T15:00:00Z")), 0);
  EXPECT_EQ(cal.working_days_between(at("2026-11-23T09:00:00Z"), at("2026-11-20T09:00:00Z")), 0);
  EXPECT_EQ(cal.working_days_between(at("2026-12-24T08:00:00Z"), at("2026-12-29T16:00:00Z")), 2);
  // Tue 00:30 local to Tue 11:00 local: the same local day although the UTC dates differ.
  EXPECT_EQ(cal.working_days_between(at("2026-11-23T23:30:00Z"), at("2026-11-24T10:00:00Z")), 0);
}

TEST(BusinessCalendarTest, WorkingDaysBetweenUndoesAddWorkingDays) {
  auto cal = christmas_calendar();
  for (Date d = 2026y / 12 / 18; d != 2027y / 1 / 4; d = add_days(d, 1)) {
    for (int n : {0, 1, 2, 5}) {
      Date target = cal.add_working_days(d, n);
      EXPECT_TRUE(cal.is_working_day(target));
      if (n > 0) {
        EXPECT_EQ(cal.working_days_between(cal.at_local(d, 10h), cal.at_local(target, 10h)), n)
            << format_date(d) << " n=" << n;
      }
    }
  }
}

TEST(BusinessCalendarTest, LocalDateAndAtLocalUseTheCalendarsZone) {
  auto cal = BusinessCalendar::weekdays();
  EXPECT_EQ(format_date(cal.local_date(at("2026-11-23T23:30:00Z"))), "2026-11-24");
  EXPECT_EQ(format_date(cal.local_date(at("2026-11-23T22:59:59Z"))), "2026-11-23");
  EXPECT_EQ(format_instant(cal.at_local(2026y / 1 / 15, 17h)), "2026-01-15T16:00:00Z");
  EXPECT_EQ(format_instant(cal.at_local(2026y / 7 / 15, 17h)), "2026-07-15T15:00:00Z");

  auto new_york = BusinessCalendar::weekdays("America/New_York");
  EXPECT_EQ(format_instant(new_york.deadline_after(at("2026-11-23T14:00:00Z"), 1)),
            "2026-11-24T22:00:00Z");
}

TEST(BusinessCalendarTest, AtLocalInTheSpringGapIsTheTransition) {
  auto cal = BusinessCalendar::weekdays();
  // 02:00-03:00 does not exist on 29 March 2026; clocks jump at 01:00Z.
  EXPECT_EQ(format_instant(cal.at_local(2026y / 3 / 29, 2h + 30min)), "2026-03-29T01:00:00Z");
  EXPECT_EQ(format_instant(cal.at_local(2026y / 3 / 29, 1h + 59min)), "2026-03-29T00:59:00Z");
  EXPECT_EQ(format_instant(cal.at_local(2026y / 3 / 29, 3h)), "2026-03-29T01:00:00Z");
  // 02:30 happens twice on 25 October 2026; the first (summer time) one is taken.
  EXPECT_EQ(format_instant(cal.at_local(2026y / 10 / 25, 2h + 30min)), "2026-10-25T00:30:00Z");
}

TEST(BusinessCalendarTest, HonoursOtherWorkingWeeksAndEndsOfDay) {
  // Sunday to Thursday, end of day 16:30.
  BusinessCalendar cal("Asia/Dubai", {0, 1, 2, 3, 4}, {}, 16h + 30min);
  EXPECT_TRUE(cal.is_working_day(kSunday));
  EXPECT_FALSE(cal.is_working_day(kFriday));
  // Thu 19 Nov 10:00 +04:00 + 1 working day = Sun 22 Nov 16:30 +04:00.
  EXPECT_EQ(format_instant(cal.deadline_after(at("2026-11-19T06:00:00Z"), 1)),
            "2026-11-22T12:30:00Z");
}

TEST(BusinessCalendarTest, RejectsBadDefinitions) {
  EXPECT_THROW(BusinessCalendar::weekdays("Mars/Olympus_Mons"), std::invalid_argument);
  EXPECT_THROW(BusinessCalendar::weekdays(""), std::invalid_argument);
  EXPECT_THROW(BusinessCalendar("Europe/Amsterdam", {}, {}), std::invalid_argument);
  EXPECT_THROW(BusinessCalendar("Europe/Amsterdam", {1, 7}, {}), std::invalid_argument);
  EXPECT_THROW(BusinessCalendar("Europe/Amsterdam", {1}, {}, 24h), std::invalid_argument);
  EXPECT_THROW(BusinessCalendar("Europe/Amsterdam", {1}, {}, -1min), std::invalid_argument);
  try {
    BusinessCalendar::weekdays("Europe/Amsterdamm");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Europe/Amsterdamm"), std::string::npos);
  }
}

}  // namespace
}  // namespace disputed::domain

namespace disputed::domain {
namespace {
TEST(BusinessCalendarFormat, LocalTimeForPeopleWithAndWithoutZone) {
  auto cal = BusinessCalendar::weekdays("Europe/Amsterdam");
  auto winter = *parse_instant("2026-11-26T16:00:00Z");
  auto summer = *parse_instant("2026-06-01T07:05:00Z");
  EXPECT_EQ(cal.format_local(winter), "2026-11-26 17:00");
  EXPECT_EQ(cal.format_local(summer, true), "2026-06-01 09:05 Europe/Amsterdam");
}
}  // namespace
}  // namespace disputed::domain
