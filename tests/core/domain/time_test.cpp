#include "core/domain/time.hpp"

#include <gtest/gtest.h>

#include <thread>

#include <chrono>
#include <string>

namespace disputed::domain {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;

Instant utc(Date d, std::chrono::seconds time_of_day) { return sys_days(d) + time_of_day; }

std::string reparse(std::string_view text) {
  auto t = parse_instant(text);
  return t ? format_instant(*t) : "<rejected>";
}

TEST(InstantTest, FormatsAsUtcIso8601) {
  EXPECT_EQ(format_instant(utc(2026y / 11 / 23, 9h + 30min)), "2026-11-23T09:30:00Z");
  EXPECT_EQ(format_instant(utc(2026y / 1 / 5, 0s)), "2026-01-05T00:00:00Z");
  EXPECT_EQ(format_instant(utc(2026y / 12 / 31, 23h + 59min + 59s)), "2026-12-31T23:59:59Z");
}

TEST(InstantTest, ParsesUtcAndRoundTrips) {
  auto t = parse_instant("2026-11-23T09:30:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch(), utc(2026y / 11 / 23, 9h + 30min).time_since_epoch());
  for (const char* text : {"2026-11-23T09:30:00Z", "1999-12-31T23:59:59Z", "2024-02-29T12:00:00Z"})
    EXPECT_EQ(reparse(text), text);
}

TEST(InstantTest, ConvertsOffsetsToUtc) {
  EXPECT_EQ(reparse("2026-11-23T10:30:00+01:00"), "2026-11-23T09:30:00Z");
  EXPECT_EQ(reparse("2026-11-23T04:30:00-05:00"), "2026-11-23T09:30:00Z");
  EXPECT_EQ(reparse("2026-11-23T15:00:00+05:30"), "2026-11-23T09:30:00Z");
  EXPECT_EQ(reparse("2026-11-23T09:30:00+00:00"), "2026-11-23T09:30:00Z");
  // The offset may move the instant into another day, month and year.
  EXPECT_EQ(reparse("2026-01-01T00:30:00+01:00"), "2025-12-31T23:30:00Z");
  EXPECT_EQ(reparse("2026-02-28T23:00:00-02:00"), "2026-03-01T01:00:00Z");
}

TEST(InstantTest, DropsFractionalSeconds) {
  EXPECT_EQ(reparse("2026-11-23T09:30:00.999Z"), "2026-11-23T09:30:00Z");
  EXPECT_EQ(reparse("2026-11-23T10:30:00.5+01:00"), "2026-11-23T09:30:00Z");
}

TEST(InstantTest, RejectsMalformedOrImpossibleTimes) {
  for (const char* text : {
           "2026-02-30T00:00:00Z",       // no such day
           "2026-13-01T00:00:00Z",       // no such month
           "2026-11-23T24:00:00Z",       // 24:00 is not a time of day here
           "2026-11-23T09:60:00Z",       //
           "2026-11-23T09:30:60Z",       //
           "2026-11-23T09:30:00",        // missing zone
           "2026-11-23T09:30Z",          // missing seconds
           "2026-11-23 09:30:00Z",       // space instead of T
           "2026-11-23T09:30:00+0100",   // offset without colon
           "2026-11-23T09:30:00+01",     //
           "2026-11-23T09:30:00+24:00",  //
           "2026-11-23T09:30:00Zjunk",   //
           "2026-11-23T09:30:00.Z",      // '.' without digits
           "2026-11-23T09:30:00z",       //
           "2026-11-23",                 // a date is not an instant
           "",
       }) {
    EXPECT_FALSE(parse_instant(text)) << "'" << text << "'";
  }
}

TEST(DateTest, ParsesAndFormatsCivilDates) {
  auto d = parse_date("2026-11-23");
  ASSERT_TRUE(d);
  EXPECT_EQ(format_date(*d), "2026-11-23");
  EXPECT_EQ(format_date(2026y / 1 / 5), "2026-01-05");
  EXPECT_EQ(format_date(*parse_date("2024-02-29")), "2024-02-29");
}

TEST(DateTest, RejectsAnythingButRealYyyyMmDd) {
  for (const char* text : {"2026-02-29", "2026-02-30", "2026-04-31", "2026-00-10", "2026-13-01",
                           "2026-01-00", "2026-1-05", "2026-01-5", "20260105", "2026/01/05",
                           "2026-01-05T00:00:00Z", "2026-01-05 ", " 2026-01-05", "26-01-05", ""}) {
    EXPECT_FALSE(parse_date(text)) << "'" << text << "'";
  }
}

TEST(DateTest, AddsDaysAcrossMonthAndYearEnds) {
  EXPECT_EQ(format_date(add_days(2026y / 1 / 31, 1)), "2026-02-01");
  EXPECT_EQ(format_date(add_days(2026y / 2 / 28, 1)), "2026-03-01");
  EXPECT_EQ(format_date(add_days(2024y / 2 / 28, 1)), "2024-02-29");
  EXPECT_EQ(format_date(add_days(2026y / 12 / 31, 1)), "2027-01-01");
  EXPECT_EQ(format_date(add_days(2027y / 1 / 1, -1)), "2026-12-31");
  EXPECT_EQ(format_date(add_days(2026y / 3 / 1, -1)), "2026-02-28");
  EXPECT_EQ(format_date(add_days(2026y / 1 / 1, 365)), "2027-01-01");
  EXPECT_EQ(format_date(add_days(2026y / 11 / 23, 0)), "2026-11-23");
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(utc(2026y / 11 / 23, 9h));
  EXPECT_EQ(format_instant(clock.now()), "2026-11-23T09:00:00Z");
  EXPECT_EQ(format_instant(clock.now()), "2026-11-23T09:00:00Z");
  clock.advance(90s);
  EXPECT_EQ(format_instant(clock.now()), "2026-11-23T09:01:30Z");
  clock.advance(std::chrono::hours(24 * 3));
  EXPECT_EQ(format_instant(clock.now()), "2026-11-26T09:01:30Z");
  clock.set(utc(2026y / 11 / 23, 8h));
  EXPECT_EQ(format_instant(clock.now()), "2026-11-23T08:00:00Z");

  const Clock& as_interface = clock;
  EXPECT_EQ(format_instant(as_interface.now()), "2026-11-23T08:00:00Z");
}

TEST(ClockTest, ScaledClockStartsAtItsInstantAndRunsFaster) {
  ScaledClock clock(utc(2026y / 11 / 23, 9h), 100000.0);
  auto first = clock.now();
  EXPECT_GE(first, utc(2026y / 11 / 23, 9h));
  EXPECT_LT(first,
            utc(2026y / 11 / 23, 9h) + std::chrono::hours(1));  // not yet an hour of fast time
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // 50 ms of real time at 100,000x is at least 5,000 s of clock time.
  EXPECT_GE(clock.now() - first, std::chrono::seconds(5000));
}

TEST(ClockTest, SystemClockIsTheWallClockInWholeSeconds) {
  SystemClock clock;
  auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  Instant now = clock.now();
  auto after = std::chrono::system_clock::now();
  EXPECT_TRUE(before <= now && now <= after) << format_instant(now);
}

}  // namespace
}  // namespace disputed::domain
