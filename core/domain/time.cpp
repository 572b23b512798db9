#include "core/domain/time.hpp"

#include <cstdio>

namespace disputed::domain {

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

namespace {
// Hot path (every stored timestamp): plain digit writes, no printf.
void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = char('0' + value % 10);
    value /= 10;
  }
}
}  // namespace

std::string format_date(Date d) {
  int year = int(d.year());
  if (year < 0 || year > 9999) {  // outside what we store; keep it readable anyway
    char buf[24];
    std::snprintf(buf, sizeof buf, "%d-%02u-%02u", year, unsigned(d.month()), unsigned(d.day()));
    return buf;
  }
  std::string out(10, '-');
  put_digits(out.data(), unsigned(year), 4);
  put_digits(out.data() + 5, unsigned(d.month()), 2);
  put_digits(out.data() + 8, unsigned(d.day()), 2);
  return out;
}

std::optional<Date> parse_date(std::string_view text) {
  int y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4, y) ||
      !digits(text, 5, 2, m) || !digits(text, 8, 2, d))
    return std::nullopt;
  Date date{std::chrono::year(y), std::chrono::month(unsigned(m)), std::chrono::day(unsigned(d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_instant(Instant t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  hh_mm_ss hms{t - day};
  std::string out = format_date(Date{day});
  out += "T00:00:00Z";
  char* p = out.data() + out.size() - 9;
  put_digits(p, unsigned(hms.hours().count()), 2);
  put_digits(p + 3, unsigned(hms.minutes().count()), 2);
  put_digits(p + 6, unsigned(hms.seconds().count()), 2);
  return out;
}

std::optional<Instant> parse_instant(std::string_view text) {
  using namespace std::chrono;
  if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  auto date = parse_date(text.substr(0, 10));
  int hh, mm, ss;
  if (!date || !digits(text, 11, 2, hh) || !digits(text, 14, 2, mm) || !digits(text, 17, 2, ss))
    return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;
  int offset_minutes = 0;
  if (text[pos] == 'Z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    if (text.size() != pos + 6 || text[pos + 3] != ':' || !digits(text, pos + 1, 2, oh) ||
        !digits(text, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  Instant local = sys_days(*date) + hours(hh) + minutes(mm) + seconds(ss);
  return local - minutes(offset_minutes);
}

Date add_days(Date d, int n) { return Date{std::chrono::sys_days(d) + std::chrono::days(n)}; }

Instant SystemClock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace disputed::domain
