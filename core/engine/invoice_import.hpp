#pragma once
// Reading invoices from a CSV or JSON export: pure parsing and validation, no database.
// A file either fails as a whole (it is not CSV/JSON, or its columns are wrong) or yields the
// good rows plus one rejection per bad row, so an import can report every problem at once.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/model.hpp"
#include "core/domain/result.hpp"

namespace disputed::engine {

/// The CSV columns and JSON keys, in the order of domain::Invoice. Required: number,
/// customer_id, customer_name, amount, currency, issue_date, due_date. Optional:
/// customer_email, customer_language (defaults to "en"), account_manager.
inline constexpr std::array<std::string_view, 10> kInvoiceImportFields = {
    "number", "customer_id", "customer_name", "customer_email", "customer_language",
    "amount", "currency",    "issue_date",    "due_date",       "account_manager"};

/// parse_invoices_file refuses larger files rather than reading them into memory.
inline constexpr std::uintmax_t kMaxInvoiceFileBytes = 64u * 1024 * 1024;

/// An invoice that passed every check. `where` is "line 7" for CSV (the header is line 1; a
/// row's first physical line) or "invoices[3]" for JSON (0-based index in the invoice array).
struct InvoiceRow {
  std::string where;
  domain::Invoice invoice;
};

/// A row that was not imported, with every problem found in it. `number` is the row's invoice
/// number as written (empty when missing). A problem's `field` is the column/key name, or empty
/// when the row as a whole is wrong (wrong field count, not a JSON object).
struct RejectedRow {
  std::string where;
  std::string number;
  std::vector<domain::FieldProblem> problems;
};

/// Both lists are in file order.
struct ParsedInvoices {
  std::vector<InvoiceRow> rows;
  std::vector<RejectedRow> rejected;
};

// Rules shared by both formats:
// - Values are trimmed of surrounding spaces, tabs and line breaks; an empty value is absent.
//   customer_language is lower-cased ("NL" -> "nl"); nothing else is rewritten.
// - amount: Decimal::parse rules (at most 4 decimals, no exponent, no thousands separator);
//   never rounded. currency: three upper-case letters (ISO 4217), not upper-cased for you.
//   Dates: "YYYY-MM-DD", real calendar dates. The rest: domain::validate_invoice.
// - An invoice number seen earlier in the same file rejects the later row ("duplicate of
//   line 3"), whether or not the earlier row was accepted: the file disagrees with itself.
// - Text must be UTF-8 (an ANSI/UTF-16 export is refused rather than garbled).

/// RFC 4180 CSV with a header line naming the columns (case-insensitive, any order).
/// Quoted fields may hold commas, doubled quotes and line breaks; lines end in LF or CRLF;
/// a leading UTF-8 BOM and blank lines are ignored. Whole-file errors (nothing is returned):
/// empty file, missing required column, unknown or repeated column, unterminated quote; the
/// message names the line. A row with the wrong number of fields is rejected.
domain::Result<ParsedInvoices> parse_invoices_csv(std::string_view text);

/// A JSON array of invoice objects, or {"invoices": [...]} (no other top-level key).
/// Every value is a JSON string; `amount` may also be a JSON number, which is read from its
/// source text (never through a double), so 12345678901.2345 stays exact and 1.23456 or 1e3
/// are rejected like the strings "1.23456" and "1e3". null counts as absent. A wrong type,
/// an unknown or repeated key, or an element that is not an object rejects that row.
/// Invalid JSON or a wrong top-level shape is a whole-file error naming line and column.
domain::Result<ParsedInvoices> parse_invoices_json(std::string_view text);

/// Reads `file` and dispatches on its extension (.csv / .json, case-insensitive). A missing,
/// unreadable or oversized file, another extension, and whole-file parse errors give an Error
/// whose message starts with the file name.
domain::Result<ParsedInvoices> parse_invoices_file(const std::filesystem::path& file);

}  // namespace disputed::engine
