#pragma once
// The SOQL the sandbox understands: the shapes the connector sends, nothing more.
//   SELECT f[, f.g ...] FROM Obj [WHERE cond [AND cond]...] [ORDER BY f [ASC|DESC][, ...]]
//   [LIMIT n]
//   cond: f (= | != | < | <= | > | >=) literal  |  f IN (literal, ...)
//   literal: 'text' (with \' and \\ escapes), null, true, false, a number, a date
//            (2025-01-31) or a datetime (2025-01-31T10:00:00Z, fractions and +hh:mm allowed)
// Anything else is refused, as Salesforce refuses a bad query, with MALFORMED_QUERY.

#include <optional>
#include <string>
#include <vector>

namespace disputed::sandbox::salesforce {

struct SoqlLiteral {
  enum class Kind { kString, kNull, kBool, kNumber, kDate, kDateTime };
  Kind kind = Kind::kNull;
  std::string text;  ///< the string's value, or the literal as written
  bool boolean = false;
  long long millis = 0;  ///< kDateTime: UTC milliseconds since the epoch
};

struct SoqlCondition {
  std::string field;
  std::string op;                   ///< = != < <= > >= IN
  std::vector<SoqlLiteral> values;  ///< one, or the IN list
};

struct SoqlOrder {
  std::string field;
  bool descending = false;
};

struct SoqlQuery {
  std::vector<std::string> fields;
  std::string object;
  std::vector<SoqlCondition> where;  ///< joined by AND
  std::vector<SoqlOrder> order_by;
  std::optional<long long> limit;
};

/// The query, or nullopt with `error` saying where it went wrong (Salesforce's words:
/// "unexpected token: 'X'").
std::optional<SoqlQuery> parse_soql(const std::string& text, std::string& error);

/// "2025-01-31T10:00:00.000+0000" and the other ISO-8601 forms Salesforce reads and writes;
/// nullopt when malformed.
std::optional<long long> parse_datetime_ms(const std::string& text);
/// As Salesforce writes datetimes: "2025-01-31T10:00:00.000+0000".
std::string format_datetime_ms(long long millis);

}  // namespace disputed::sandbox::salesforce
