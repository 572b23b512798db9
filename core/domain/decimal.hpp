#pragma once
// Exact decimal amounts. Money is never a floating-point number in disputed.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace disputed::domain {

/// A signed decimal with exactly four fractional digits, held as an integer count of
/// 1/10000 units (range about ±9.2e14). Parsing rejects more than four fractional digits
/// rather than rounding, so no amount is ever silently changed.
class Decimal {
 public:
  static constexpr int kScale = 4;
  static constexpr std::int64_t kUnit = 10000;

  constexpr Decimal() = default;
  static constexpr Decimal from_units(std::int64_t units) { return Decimal(units); }

  /// Parses "1234", "1234.5", "-0.0001". No exponent, no thousands separators, no spaces.
  /// Returns nullopt (and sets *problem when given) on anything else.
  static std::optional<Decimal> parse(std::string_view text, std::string* problem = nullptr);

  std::int64_t units() const { return units_; }
  bool is_negative() const { return units_ < 0; }
  bool is_zero() const { return units_ == 0; }

  /// Canonical text with at least `min_fraction_digits` (0..4) fractional digits:
  /// Decimal::parse("12.5").to_string(2) == "12.50".
  std::string to_string(int min_fraction_digits = 2) const;

  /// Checked arithmetic: nullopt on overflow.
  std::optional<Decimal> plus(Decimal other) const;
  std::optional<Decimal> minus(Decimal other) const;

  friend constexpr auto operator<=>(Decimal, Decimal) = default;

 private:
  constexpr explicit Decimal(std::int64_t units) : units_(units) {}
  std::int64_t units_ = 0;
};

/// A total of many Decimals, which can exceed Decimal's range (a report's sum over every
/// dispute): 128-bit units, exact, formatted like Decimal.
class DecimalTotal {
 public:
  DecimalTotal() = default;
  /// `high` * 10^9 + `low` units (how the store sums without overflowing SQLite's integers).
  static DecimalTotal from_parts(std::int64_t high, std::int64_t low);
  void add(Decimal amount);
  std::string to_string(int min_fraction_digits = 2) const;
  friend bool operator==(const DecimalTotal& a, const DecimalTotal& b) {
    return a.units_ == b.units_;
  }

 private:
  __extension__ typedef __int128 Units;  // GCC's, on every platform we build for
  Units units_ = 0;
};

/// ISO 4217 alphabetic code: three upper-case ASCII letters.
bool is_currency_code(std::string_view code);

}  // namespace disputed::domain
