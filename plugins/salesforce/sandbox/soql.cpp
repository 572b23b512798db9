#include "plugins/salesforce/sandbox/soql.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>

namespace disputed::sandbox::salesforce {
namespace {

struct Token {
  enum class Kind { kWord, kString, kLiteral, kPunct, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool tokenize(const std::string& in, std::vector<Token>& out, std::string& error) {
  std::size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < in.size() &&
             (std::isalnum(static_cast<unsigned char>(in[j])) || in[j] == '_' || in[j] == '.'))
        ++j;
      out.push_back({Token::Kind::kWord, in.substr(i, j - i)});
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      std::size_t j = i + 1;
      while (j < in.size() && (std::isalnum(static_cast<unsigned char>(in[j])) || in[j] == ':' ||
                               in[j] == '.' || in[j] == '+' || in[j] == '-'))
        ++j;
      out.push_back({Token::Kind::kLiteral, in.substr(i, j - i)});
      i = j;
    } else if (c == '\'') {
      std::string value;
      std::size_t j = i + 1;
      bool closed = false;
      while (j < in.size()) {
        if (in[j] == '\\' && j + 1 < in.size()) {
          char e = in[j + 1];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          j += 2;
        } else if (in[j] == '\'') {
          closed = true;
          ++j;
          break;
        } else {
          value += in[j++];
        }
      }
      if (!closed) {
        error = "unterminated string literal";
        return false;
      }
      out.push_back({Token::Kind::kString, value});
      i = j;
    } else if (c == '(' || c == ')' || c == ',' || c == '=') {
      out.push_back({Token::Kind::kPunct, std::string(1, c)});
      ++i;
    } else if (c == '!' || c == '<' || c == '>') {
      std::string op(1, c);
      if (i + 1 < in.size() && in[i + 1] == '=') op += '=';
      if (op == "!") {
        error = "unexpected token: '!'";
        return false;
      }
      out.push_back({Token::Kind::kPunct, op});
      i += op.size();
    } else {
      error = std::string("unexpected token: '") + c + "'";
      return false;
    }
  }
  out.push_back({Token::Kind::kEnd, ""});
  return true;
}

bool valid_field(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  return name.find("..") == std::string::npos;
}

}  // namespace

std::optional<long long> parse_datetime_ms(const std::string& s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
    return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
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
  if (zone == "Z" || zone == "z") {
  } else if ((zone.size() == 5 || zone.size() == 6) && (zone[0] == '+' || zone[0] == '-')) {
    std::string digits = zone.size() == 6 ? zone.substr(1, 2) + zone.substr(4, 2) : zone.substr(1);
    if (zone.size() == 6 && zone[3] != ':') return std::nullopt;
    for (char c : digits)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    offset_min = std::stoi(digits.substr(0, 2)) * 60 + std::stoi(digits.substr(2));
    if (zone[0] == '-') offset_min = -offset_min;
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  auto when = sys_days(
      year_month_day(year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))));
  long long secs = duration_cast<seconds>(when.time_since_epoch()).count() + h * 3600LL +
                   mi * 60LL + sec - offset_min * 60;
  return secs * 1000 + ms;
}

std::string format_datetime_ms(long long millis) {
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds(millis)};
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss hms(t - day);
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03d+0000", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return out;
}

std::optional<SoqlQuery> parse_soql(const std::string& text, std::string& error) {
  std::vector<Token> t;
  if (!tokenize(text, t, error)) return std::nullopt;
  std::size_t p = 0;
  auto word = [&](const char* w) {
    if (t[p].kind == Token::Kind::kWord && upper(t[p].text) == w) {
      ++p;
      return true;
    }
    return false;
  };
  auto punct = [&](const char* s) {
    if (t[p].kind == Token::Kind::kPunct && t[p].text == s) {
      ++p;
      return true;
    }
    return false;
  };
  auto fail = [&](const std::string& expected) -> std::optional<SoqlQuery> {
    error = t[p].kind == Token::Kind::kEnd ? "unexpected end of query, expected " + expected
                                           : "unexpected token: '" + t[p].text + "'";
    return std::nullopt;
  };
  auto reserved = [&](const std::string& w) {
    static const char* kReserved[] = {"SELECT", "FROM",   "WHERE", "AND",   "OR",  "NOT",
                                      "ORDER",  "BY",     "LIMIT", "IN",    "ASC", "DESC",
                                      "NULLS",  "OFFSET", "GROUP", "HAVING"};
    for (const char* r : kReserved)
      if (upper(w) == r) return true;
    return false;
  };
  auto field = [&](std::string& out) {
    if (t[p].kind != Token::Kind::kWord || reserved(t[p].text) || !valid_field(t[p].text))
      return false;
    out = t[p++].text;
    return true;
  };
  auto literal = [&](SoqlLiteral& out) {
    const Token& k = t[p];
    if (k.kind == Token::Kind::kString) {
      out.kind = SoqlLiteral::Kind::kString;
      out.text = k.text;
    } else if (k.kind == Token::Kind::kWord && (upper(k.text) == "NULL")) {
      out.kind = SoqlLiteral::Kind::kNull;
    } else if (k.kind == Token::Kind::kWord &&
               (upper(k.text) == "TRUE" || upper(k.text) == "FALSE")) {
      out.kind = SoqlLiteral::Kind::kBool;
      out.boolean = upper(k.text) == "TRUE";
    } else if (k.kind == Token::Kind::kLiteral) {
      out.text = k.text;
      if (auto ms = parse_datetime_ms(k.text)) {
        out.kind = SoqlLiteral::Kind::kDateTime;
        out.millis = *ms;
      } else if (k.text.size() == 10 && k.text[4] == '-' && k.text[7] == '-') {
        out.kind = SoqlLiteral::Kind::kDate;
      } else {
        for (std::size_t i = 0; i < k.text.size(); ++i)
          if (!std::isdigit(static_cast<unsigned char>(k.text[i])) && k.text[i] != '.' &&
              !(i == 0 && k.text[i] == '-'))
            return false;
        out.kind = SoqlLiteral::Kind::kNumber;
      }
    } else {
      return false;
    }
    ++p;
    return true;
  };

  SoqlQuery q;
  if (!word("SELECT")) return fail("SELECT");
  do {
    std::string f;
    if (!field(f)) return fail("a field name");
    q.fields.push_back(f);
  } while (punct(","));
  if (!word("FROM")) return fail("FROM");
  if (t[p].kind != Token::Kind::kWord || reserved(t[p].text) ||
      t[p].text.find('.') != std::string::npos)
    return fail("an object name");
  q.object = t[p++].text;
  if (word("WHERE")) {
    do {
      SoqlCondition c;
      if (!field(c.field)) return fail("a field name");
      if (word("IN")) {
        c.op = "IN";
        if (!punct("(")) return fail("(");
        do {
          SoqlLiteral v;
          if (!literal(v)) return fail("a value");
          c.values.push_back(v);
        } while (punct(","));
        if (!punct(")")) return fail(")");
      } else {
        if (t[p].kind != Token::Kind::kPunct || t[p].text == "(" || t[p].text == ")" ||
            t[p].text == ",")
          return fail("an operator");
        c.op = t[p++].text;
        SoqlLiteral v;
        if (!literal(v)) return fail("a value");
        c.values.push_back(v);
      }
      q.where.push_back(c);
    } while (word("AND"));
  }
  if (word("ORDER")) {
    if (!word("BY")) return fail("BY");
    do {
      SoqlOrder o;
      if (!field(o.field)) return fail("a field name");
      if (word("DESC"))
        o.descending = true;
      else
        word("ASC");
      if (word("NULLS") && !word("FIRST") && !word("LAST")) return fail("FIRST or LAST");
      q.order_by.push_back(o);
    } while (punct(","));
  }
  if (word("LIMIT")) {
    SoqlLiteral n;
    if (!literal(n) || n.kind != SoqlLiteral::Kind::kNumber) return fail("a number");
    q.limit = std::stoll(n.text);
  }
  if (t[p].kind != Token::Kind::kEnd) return fail("end of query");
  return q;
}

}  // namespace disputed::sandbox::salesforce
