#include "core/domain/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace disputed::domain {
namespace {

std::string canonical(std::string_view text, int min_fraction_digits = 2) {
  auto d = Decimal::parse(text);
  return d ? d->to_string(min_fraction_digits) : "<rejected>";
}

std::string rejection(std::string_view text) {
  std::string problem;
  auto d = Decimal::parse(text, &problem);
  if (d) return "<accepted>";
  return problem;
}

TEST(DecimalTest, CanonicalTextRoundTrips) {
  for (const char* text : {"0.00", "12.50", "-0.01", "1234567.8901", "-42.10", "0.0001",
                           "922337203685476.9999", "-922337203685476.9999"}) {
    EXPECT_EQ(canonical(text), text);
  }
}

TEST(DecimalTest, PadsToTheRequestedFractionDigits) {
  EXPECT_EQ(canonical("12.5"), "12.50");
  EXPECT_EQ(canonical("12"), "12.00");
  EXPECT_EQ(canonical("12", 0), "12");
  EXPECT_EQ(canonical("12.5", 0), "12.5");
  EXPECT_EQ(canonical("12.5", 4), "12.5000");
  EXPECT_EQ(canonical("12.3456", 2), "12.3456");  // never rounds away digits
  EXPECT_EQ(canonical("007.10"), "7.10");
}

TEST(DecimalTest, ParsesNegativesExactly) {
  auto d = Decimal::parse("-0.0001");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->units(), -1);
  EXPECT_TRUE(d->is_negative());
  EXPECT_EQ(d->to_string(), "-0.0001");
  EXPECT_EQ(canonical("-12.5"), "-12.50");
  EXPECT_EQ(canonical("-0"), "0.00");  // no negative zero
  EXPECT_FALSE(Decimal::parse("-0")->is_negative());
}

TEST(DecimalTest, KeepsExactUnits) {
  EXPECT_EQ(Decimal::parse("0.1")->units(), 1000);
  EXPECT_EQ(Decimal::parse("12345678901.2345")->units(), 123456789012345);
  auto sum = Decimal::parse("0.1")->plus(*Decimal::parse("0.2"));
  ASSERT_TRUE(sum);
  EXPECT_EQ(*sum, *Decimal::parse("0.3"));
}

TEST(DecimalTest, RejectsWhatIsNotAPlainDecimal) {
  for (const char* text : {"1e3", "1,5", "1.23456", "", ".5", "5.", " 5", "5 ", "-", "+", "1.2.3",
                           "abc", "0x10", "1_000",
                           "\xe2\x82\xac"
                           "5",
                           "-.5", "--5"}) {
    std::string problem;
    EXPECT_FALSE(Decimal::parse(text, &problem)) << "'" << text << "'";
    EXPECT_FALSE(problem.empty()) << "'" << text << "'";
  }
}

TEST(DecimalTest, ExplainsWhyItRejects) {
  EXPECT_EQ(rejection(""), "is empty");
  EXPECT_EQ(rejection("1.23456"), "has more than 4 decimals");
  EXPECT_EQ(rejection("5."), "ends in '.' without decimals");
  EXPECT_EQ(rejection(".5"), "has no digits before the decimal point");
  EXPECT_NE(rejection("1e3").find("not a decimal number"), std::string::npos);
}

TEST(DecimalTest, RejectsAmountsThatDoNotFit) {
  EXPECT_EQ(rejection("99999999999999999999"), "is too large");
  EXPECT_EQ(rejection("-99999999999999999999.5"), "is too large");
  EXPECT_EQ(rejection("9223372036854775808"), "is too large");
  EXPECT_EQ(rejection("1000000000000000"), "is too large");
  EXPECT_TRUE(Decimal::parse("922337203685476.9999"));
}

TEST(DecimalTest, DetectsOverflowInArithmetic) {
  const auto max = Decimal::from_units(std::numeric_limits<std::int64_t>::max());
  const auto min = Decimal::from_units(std::numeric_limits<std::int64_t>::min());
  const auto one = Decimal::from_units(1);
  EXPECT_FALSE(max.plus(one));
  EXPECT_FALSE(min.minus(one));
  EXPECT_FALSE(max.minus(Decimal::from_units(-1)));
  EXPECT_FALSE(min.plus(Decimal::from_units(-1)));
  ASSERT_TRUE(max.minus(one));
  EXPECT_EQ(max.minus(one)->units(), std::numeric_limits<std::int64_t>::max() - 1);
  EXPECT_EQ(Decimal::parse("10.25")->minus(*Decimal::parse("0.30"))->to_string(), "9.95");
  EXPECT_EQ(Decimal::parse("-1")->plus(*Decimal::parse("0.5"))->to_string(), "-0.50");
}

TEST(DecimalTest, FormatsTheExtremes) {
  EXPECT_EQ(Decimal::from_units(std::numeric_limits<std::int64_t>::min()).to_string(4),
            "-922337203685477.5808");
  EXPECT_EQ(Decimal::from_units(std::numeric_limits<std::int64_t>::max()).to_string(4),
            "922337203685477.5807");
}

TEST(DecimalTest, OrdersByValue) {
  auto d = [](const char* text) { return *Decimal::parse(text); };
  EXPECT_LT(d("-1"), d("0"));
  EXPECT_LT(d("0.5"), d("0.51"));
  EXPECT_LT(d("-0.51"), d("-0.5"));
  EXPECT_LT(d("9.9999"), d("10"));
  EXPECT_EQ(d("1.5"), d("1.5000"));
  EXPECT_GT(d("100"), d("99.99"));
  EXPECT_TRUE(Decimal().is_zero());
  EXPECT_EQ(Decimal(), d("0"));
}

TEST(CurrencyCodeTest, AcceptsOnlyThreeUpperCaseLetters) {
  EXPECT_TRUE(is_currency_code("EUR"));
  EXPECT_TRUE(is_currency_code("USD"));
  for (const char* code : {"eur", "Eur", "EU", "EURO", "", "E1R", " EU"}) {
    EXPECT_FALSE(is_currency_code(code)) << "'" << code << "'";
  }
}

TEST(DecimalTotalTest, SumsBeyondADecimalsRangeExactly) {
  DecimalTotal t;
  auto big = Decimal::from_units(9'000'000'000'000'000'000);
  t.add(big);
  t.add(big);
  t.add(*Decimal::parse("0.0001"));
  EXPECT_EQ(t.to_string(), "1800000000000000.0001");
  EXPECT_EQ(DecimalTotal::from_parts(12, 345).to_string(0), "1200000.0345");
  EXPECT_EQ(DecimalTotal::from_parts(0, -15000).to_string(), "-1.50");
  EXPECT_EQ(DecimalTotal().to_string(), "0.00");
}

}  // namespace
}  // namespace disputed::domain
