#include "plugins/salesforce/sandbox/soql.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>

#include "disputed/sdk/kit/time.hpp"

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

// The kit's timestamp parser, the plugin's too: one reading of every form (second 60 refused).
std::optional<long long> parse_datetime_ms(const std::string& text) {
  auto at = sdk::kit::parse_timestamp_ms(text);
  if (!at) return std::nullopt;
  return at->time_since_epoch().count();
}

std::string format_datetime_ms(long long millis) {
  std::string text =
      sdk::kit::format_timestamp_ms(sdk::kit::InstantMs(std::chrono::milliseconds(millis)));
  return text.substr(0, text.size() - 1) + "+0000";  // Salesforce's way of writing UTC
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
