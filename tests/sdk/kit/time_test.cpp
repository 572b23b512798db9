// Timestamps in the vendors' forms, parsed once. The decision about second 60 is here: refused.

#include "disputed/sdk/kit/time.hpp"

#include <gmock/gmock.h>

namespace disputed::sdk::kit {
namespace {

using namespace std::chrono;

Instant at(int y, unsigned m, unsigned d, int h, int mi, int s) {
  return Instant(sys_days(year(y) / month(m) / day(d))) + hours(h) + minutes(mi) + seconds(s);
}

TEST(Timestamps, ReadEveryVendorsForm) {
  const Instant expected = at(2025, 1, 31, 10, 0, 0);
  EXPECT_EQ(parse_timestamp("2025-01-31T10:00:00Z"), expected);          // Zendesk
  EXPECT_EQ(parse_timestamp("2025-01-31T10:00:00.000+0000"), expected);  // Salesforce
  EXPECT_EQ(parse_timestamp("2025-01-31T11:00:00+01:00"), expected);     // RFC 3339 offset
  EXPECT_EQ(parse_timestamp("2025-01-31T05:30:00-04:30"), expected);
  EXPECT_EQ(parse_timestamp("2025-01-31T10:00:00.1234567Z"), expected);  // Graph's 7 digits
  EXPECT_EQ(parse_timestamp("2025-01-31t10:00:00z"), expected);
  EXPECT_EQ(parse_timestamp_ms("2025-01-31T10:00:00.25Z"), InstantMs(expected) + 250ms);
  EXPECT_EQ(parse_timestamp_ms("2025-01-31T10:00:00.1239Z"), InstantMs(expected) + 123ms);
}

TEST(Timestamps, SecondSixtyIsRefused) {
  // No vendor writes leap seconds (POSIX clocks); a ":60" is corrupt, and reading it as the next
  // minute would put it after changes made in that minute and reorder a cursor's ties.
  EXPECT_FALSE(parse_timestamp("2016-12-31T23:59:60Z"));
  EXPECT_FALSE(parse_timestamp_ms("2016-12-31T23:59:60.000+0000"));
  EXPECT_FALSE(parse_utc_datetime("2016-12-31T23:59:60.0000000"));
  EXPECT_TRUE(parse_timestamp("2016-12-31T23:59:59Z"));
}

TEST(Timestamps, RefuseWhatIsNotADateTime) {
  for (const char* bad :
       {"", "2025-01-31", "2025-01-31T10:00:00", "2025-02-30T10:00:00Z", "2025-13-01T10:00:00Z",
        "2025-01-31T24:00:00Z", "2025-01-31T10:60:00Z", "2025-01-31 10:00:00Z",
        "2025-01-31T10:00:00.Z", "2025-01-31T10:00:00+1:00", "2025-01-31T10:00:00+01:0",
        "2025-01-31T10:00:00+24:00", "2025-01-31T10:00:00ZZ", "20x5-01-31T10:00:00Z"})
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
}

TEST(Timestamps, GraphsZonelessValuesAreReadAsUtcWhenTheCallerSaysSo) {
  EXPECT_EQ(parse_utc_datetime("2025-01-10T16:00:00.0000000"), at(2025, 1, 10, 16, 0, 0));
  EXPECT_EQ(parse_utc_datetime("2025-01-10T16:00:00Z"), at(2025, 1, 10, 16, 0, 0));
  EXPECT_FALSE(parse_utc_datetime("2025-01-10"));
}

TEST(Timestamps, AreWrittenInTheFormsTheApisTake) {
  Instant t = at(2025, 1, 6, 9, 5, 7);
  EXPECT_EQ(format_timestamp(t), "2025-01-06T09:05:07Z");
  EXPECT_EQ(format_timestamp_ms(InstantMs(t) + 42ms), "2025-01-06T09:05:07.042Z");
  EXPECT_EQ(format_graph_datetime(t), "2025-01-06T09:05:07.0000000");
  EXPECT_EQ(utc_date(t), "2025-01-06");
  EXPECT_EQ(parse_timestamp(format_timestamp(t)), t);
}

TEST(Dates, AreExactlyYearMonthDayAndExist) {
  EXPECT_EQ(parse_date("2024-02-29"), year(2024) / 2 / 29);
  EXPECT_FALSE(parse_date("2025-02-29"));
  EXPECT_FALSE(parse_date("2025-1-05"));
  EXPECT_FALSE(parse_date("2025-01-05T"));
  EXPECT_EQ(format_date(year(2025) / 1 / 5), "2025-01-05");
}

TEST(HttpDates, ReadAndWriteImfFixdate) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), at(1994, 11, 6, 8, 49, 37));
  EXPECT_EQ(format_http_date(at(1994, 11, 6, 8, 49, 37)), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 31 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 CET"));
}

}  // namespace
}  // namespace disputed::sdk::kit
