#include "core/domain/decimal.hpp"

#include <limits>

namespace disputed::domain {

namespace {
bool fail(std::string* problem, const char* why) {
  if (problem) *problem = why;
  return false;
}
}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view text, std::string* problem) {
  if (text.empty()) {
    fail(problem, "is empty");
    return std::nullopt;
  }
  bool negative = false;
  std::size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  std::int64_t whole = 0;
  int whole_digits = 0;
  constexpr std::int64_t kMaxWhole = std::numeric_limits<std::int64_t>::max() / kUnit - 1;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') {
      fail(problem, "is not a decimal number (digits with an optional '.' and up to 4 decimals)");
      return std::nullopt;
    }
    whole = whole * 10 + (c - '0');
    if (whole > kMaxWhole) {
      fail(problem, "is too large");
      return std::nullopt;
    }
    ++whole_digits;
  }
  std::int64_t fraction = 0;
  int fraction_digits = 0;
  if (i < text.size()) {  // at '.'
    ++i;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') {
        fail(problem, "is not a decimal number (digits with an optional '.' and up to 4 decimals)");
        return std::nullopt;
      }
      if (fraction_digits == kScale) {
        fail(problem, "has more than 4 decimals");
        return std::nullopt;
      }
      fraction = fraction * 10 + (c - '0');
      ++fraction_digits;
    }
    if (fraction_digits == 0) {
      fail(problem, "ends in '.' without decimals");
      return std::nullopt;
    }
  }
  if (whole_digits == 0) {
    fail(problem, "has no digits before the decimal point");
    return std::nullopt;
  }
  for (int d = fraction_digits; d < kScale; ++d) fraction *= 10;
  std::int64_t units = whole * kUnit + fraction;
  return Decimal(negative ? -units : units);
}

std::string Decimal::to_string(int min_fraction_digits) const {
  if (min_fraction_digits < 0) min_fraction_digits = 0;
  if (min_fraction_digits > kScale) min_fraction_digits = kScale;
  // Work in unsigned to survive INT64_MIN.
  std::uint64_t magnitude =
      units_ < 0 ? std::uint64_t(0) - std::uint64_t(units_) : std::uint64_t(units_);
  std::uint64_t whole = magnitude / kUnit;
  std::uint64_t fraction = magnitude % kUnit;
  std::string digits = std::to_string(fraction);
  digits.insert(0, kScale - digits.size(), '0');
  int keep = kScale;
  while (keep > min_fraction_digits && digits[keep - 1] == '0') --keep;
  digits.resize(keep);
  std::string out = units_ < 0 ? "-" : "";
  out += std::to_string(whole);
  if (!digits.empty()) {
    out += '.';
    out += digits;
  }
  return out;
}

std::optional<Decimal> Decimal::plus(Decimal other) const {
  std::int64_t r;
  if (__builtin_add_overflow(units_, other.units_, &r)) return std::nullopt;
  return Decimal(r);
}

std::optional<Decimal> Decimal::minus(Decimal other) const {
  std::int64_t r;
  if (__builtin_sub_overflow(units_, other.units_, &r)) return std::nullopt;
  return Decimal(r);
}

DecimalTotal DecimalTotal::from_parts(std::int64_t high, std::int64_t low) {
  DecimalTotal t;
  t.units_ = Units(high) * 1000000000 + Units(low);
  return t;
}

void DecimalTotal::add(Decimal amount) { units_ += amount.units(); }

std::string DecimalTotal::to_string(int min_fraction_digits) const {
  if (min_fraction_digits < 0) min_fraction_digits = 0;
  if (min_fraction_digits > Decimal::kScale) min_fraction_digits = Decimal::kScale;
  Units magnitude = units_ < 0 ? -units_ : units_;
  auto whole = magnitude / Decimal::kUnit;
  auto fraction = static_cast<int>(magnitude % Decimal::kUnit);
  std::string whole_digits;
  do {
    whole_digits.insert(whole_digits.begin(), char('0' + int(whole % 10)));
    whole /= 10;
  } while (whole > 0);
  std::string digits = std::to_string(fraction);
  digits.insert(0, std::size_t(Decimal::kScale) - digits.size(), '0');
  int keep = Decimal::kScale;
  while (keep > min_fraction_digits && digits[std::size_t(keep - 1)] == '0') --keep;
  digits.resize(std::size_t(keep));
  std::string out = units_ < 0 ? "-" : "";
  out += whole_digits;
  if (!digits.empty()) out += "." + digits;
  return out;
}

bool is_currency_code(std::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

}  // namespace disputed::domain
