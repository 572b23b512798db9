#include "core/engine/invoice_import.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "core/domain/decimal.hpp"
#include "core/domain/time.hpp"
#include "core/engine/csv_reader.hpp"

namespace disputed::engine {

namespace {

using domain::Error;
using domain::FieldProblem;

enum Field : std::size_t {
  kNumber,
  kCustomerId,
  kCustomerName,
  kCustomerEmail,
  kCustomerLanguage,
  kAmount,
  kCurrency,
  kIssueDate,
  kDueDate,
  kAccountManager,
  kFieldCount,
};
static_assert(kFieldCount == kInvoiceImportFields.size());

constexpr std::array<Field, 7> kRequiredFields = {kNumber,   kCustomerId, kCustomerName, kAmount,
                                                  kCurrency, kIssueDate,  kDueDate};

std::string_view name_of(Field f) { return kInvoiceImportFields[f]; }

std::optional<Field> field_named(std::string_view name) {
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (kInvoiceImportFields[i] == name) return Field(i);
  return std::nullopt;
}

// Position of a known field, -1 for anything else.
int column_order(std::string_view name) {
  auto f = field_named(name);
  return f ? int(*f) : -1;
}

std::string field_list() {
  std::string out;
  for (auto name : kInvoiceImportFields) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

bool is_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t extra;
    std::uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      extra = 1, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3, cp = b & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// A UTF-16 export (Excel's "Unicode text") would otherwise fail with a baffling message.
std::optional<Error> reject_utf16(std::string_view text) {
  if (text.size() >= 2 &&
      ((text[0] == '\xFF' && text[1] == '\xFE') || (text[0] == '\xFE' && text[1] == '\xFF')))
    return Error::invalid("the file is UTF-16 encoded; save it as UTF-8");
  return std::nullopt;
}

bool blank(std::string_view text) { return trim(text).empty(); }

// One row as read from the file, before conversion: the values found (trimmed, non-empty)
// and the problems the reader already saw (wrong JSON type, unknown key).
struct RawRow {
  std::string where;
  std::array<std::optional<std::string>, kFieldCount> values;
  std::vector<FieldProblem> problems;
};

bool has_problem(const std::vector<FieldProblem>& problems, std::string_view field) {
  for (const auto& p : problems)
    if (p.field == field) return true;
  return false;
}

// Values echoed in messages; bytes that are not UTF-8 would break a JSON answer carrying them.
std::string in_quotes(std::string_view value) {
  return is_utf8(value) ? "'" + std::string(value) + "'" : std::string("(text that is not UTF-8)");
}

std::optional<domain::Date> read_date(const std::string& value, std::string& problem) {
  if (auto date = domain::parse_date(value)) return date;
  bool shaped = value.size() == 10 && value[4] == '-' && value[7] == '-';
  for (std::size_t i = 0; shaped && i < value.size(); ++i)
    if (i != 4 && i != 7 && (value[i] < '0' || value[i] > '9')) shaped = false;
  problem = in_quotes(value) +
            (shaped ? " is not a calendar date" : " is not a date in the form YYYY-MM-DD");
  return std::nullopt;
}

// Turns rows into invoices or rejections; remembers numbers to spot duplicates.
class InvoiceCollector {
 public:
  void add(RawRow raw) {
    auto& problems = raw.problems;
    std::string number = raw.values[kNumber] ? *raw.values[kNumber] : std::string();
    // Only UTF-8 goes further: the text ends up in JSON answers and e-mails.
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (raw.values[f] && !is_utf8(*raw.values[f])) {
        problems.push_back(
            {std::string(name_of(Field(f))), "is not valid UTF-8 text (save the file as UTF-8)"});
        raw.values[f].reset();
      }
    }
    if (!is_utf8(number)) number.clear();
    domain::Invoice inv;
    auto text = [&](Field f) { return raw.values[f] ? *raw.values[f] : std::string(); };
    for (Field f : kRequiredFields)
      if (!raw.values[f] && !has_problem(problems, name_of(f)))
        problems.push_back({std::string(name_of(f)), "is required"});

    inv.number = text(kNumber);
    inv.customer.id = text(kCustomerId);
    inv.customer.name = text(kCustomerName);
    inv.customer.email = text(kCustomerEmail);
    if (raw.values[kCustomerLanguage]) inv.customer.language = lower_ascii(text(kCustomerLanguage));
    inv.currency = text(kCurrency);
    inv.account_manager = text(kAccountManager);
    if (const auto& v = raw.values[kAmount]) {
      std::string why;
      if (auto amount = domain::Decimal::parse(*v, &why))
        inv.amount = *amount;
      else
        problems.push_back({"amount", in_quotes(*v) + " " + why});
    }
    for (Field f : {kIssueDate, kDueDate}) {
      if (const auto& v = raw.values[f]) {
        std::string why;
        auto date = read_date(*v, why);
        if (date)
          (f == kIssueDate ? inv.issue_date : inv.due_date) = *date;
        else
          problems.push_back({std::string(name_of(f)), why});
      }
    }
    // validate_invoice checks the rest; a field already reported keeps its first, more precise
    // problem ("'12,50' is not a decimal number" rather than "must be greater than zero").
    std::vector<FieldProblem> rules;
    domain::validate_invoice(inv, "", rules);
    for (auto& p : rules)
      if (!has_problem(problems, p.field)) problems.push_back(std::move(p));
    // Report in column order; whole-row problems and unknown keys first.
    std::stable_sort(problems.begin(), problems.end(),
                     [](const FieldProblem& a, const FieldProblem& b) {
                       return column_order(a.field) < column_order(b.field);
                     });

    if (!number.empty()) {
      auto [first, inserted] = first_seen_.emplace(number, raw.where);
      if (!inserted) problems.insert(problems.begin(), {"number", "duplicate of " + first->second});
    }
    if (problems.empty()) {
      parsed_.rows.push_back({std::move(raw.where), std::move(inv)});
    } else {
      parsed_.rejected.push_back({std::move(raw.where), std::move(number), std::move(problems)});
    }
  }

  void reject(std::string where, std::string number, FieldProblem problem) {
    if (!is_utf8(number)) number.clear();
    if (!number.empty()) first_seen_.emplace(number, where);
    parsed_.rejected.push_back({std::move(where), std::move(number), {std::move(problem)}});
  }

  ParsedInvoices take() { return std::move(parsed_); }

 private:
  ParsedInvoices parsed_;
  std::map<std::string, std::string, std::less<>> first_seen_;
};

std::string line_label(std::size_t line) { return "line " + std::to_string(line); }

}  // namespace

domain::Result<ParsedInvoices> parse_invoices_csv(std::string_view text) {
  if (auto e = reject_utf16(text)) return *e;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvReader reader(text);
  CsvRecord header;
  if (!reader.next(header)) {
    if (reader.error()) return *reader.error();
    return Error::invalid("the file is empty; expected a header line with the columns " +
                          field_list());
  }

  // Column index per field; the header may name them in any order and any letter case.
  std::array<std::optional<std::size_t>, kFieldCount> column;
  const std::string at_header = line_label(header.line) + ": ";
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string position = "column " + std::to_string(i + 1);
    std::string name = lower_ascii(trim(header.fields[i]));
    if (name.empty())
      return Error::invalid(at_header + position + " has no name", position, "has no name");
    auto f = field_named(name);
    if (!f) {
      std::string message = at_header + "unknown column " + in_quotes(header.fields[i]) +
                            "; expected " + field_list();
      if (header.fields.size() == 1 && header.fields[0].find(';') != std::string::npos)
        message += " separated by ',' (this file seems to use ';')";
      return Error::invalid(std::move(message), is_utf8(name) ? name : position, "unknown column");
    }
    if (column[*f])
      return Error::invalid(at_header + "column " + in_quotes(name) + " appears twice", name,
                            "appears twice");
    column[*f] = i;
  }
  Error missing = Error::invalid("");
  for (Field f : kRequiredFields)
    if (!column[f])
      missing.details.push_back({std::string(name_of(f)), "required column is missing"});
  if (!missing.details.empty()) {
    missing.message = line_label(header.line) + ": missing required column";
    missing.message += missing.details.size() > 1 ? "s " : " ";
    for (std::size_t i = 0; i < missing.details.size(); ++i)
      missing.message += (i ? ", " : "") + missing.details[i].field;
    return missing;
  }

  InvoiceCollector collector;
  CsvRecord record;
  while (reader.next(record)) {
    std::string where = line_label(record.line);
    auto raw_number = [&]() -> std::string {
      if (*column[kNumber] < record.fields.size())
        return std::string(trim(record.fields[*column[kNumber]]));
      return {};
    };
    if (record.fields.size() != header.fields.size()) {
      collector.reject(where, raw_number(),
                       {"", "has " + std::to_string(record.fields.size()) +
                                " fields; the header has " + std::to_string(header.fields.size())});
      continue;
    }
    RawRow raw;
    raw.where = std::move(where);
    if (record.text_after_quote) {
      raw.problems.push_back({lower_ascii(trim(header.fields[*record.text_after_quote])),
                              "has text after its closing quote"});
    }
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (!column[f]) continue;
      auto value = trim(record.fields[*column[f]]);
      if (!value.empty()) raw.values[f] = std::string(value);
    }
    collector.add(std::move(raw));
  }
  if (reader.error()) return *reader.error();
  return collector.take();
}

// ---------------------------------------------------------------------------------------------
// JSON

namespace {

using json = nlohmann::json;

// SAX handler: nlohmann's DOM would turn 12345678901.2345 into a double; the SAX interface
// hands over the number's source text, which Decimal::parse reads exactly.
class InvoiceJsonReader {
 public:
  explicit InvoiceJsonReader(InvoiceCollector& collector) : collector_(collector) {}

  bool null() { return scalar(Scalar::kNull, {}); }
  bool boolean(bool) { return scalar(Scalar::kBoolean, {}); }
  bool number_integer(json::number_integer_t v) {
    return scalar(Scalar::kNumber, std::to_string(v));
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return scalar(Scalar::kNumber, std::to_string(v));
  }
  bool number_float(json::number_float_t, const json::string_t& source) {
    return scalar(Scalar::kNumber, source);
  }
  bool string(json::string_t& s) { return scalar(Scalar::kString, s); }
  bool binary(json::binary_t&) {
    return scalar(Scalar::kBoolean, {});
  }  // not produced by JSON text

  bool start_object(std::size_t) { return nested(Scalar::kObject); }
  bool start_array(std::size_t) { return nested(Scalar::kArray); }

  bool end_object() {
    if (skip_ > 0) return --skip_, true;
    if (state_ == State::kRow) {
      finish_row();
      state_ = State::kList;
      return true;
    }
    // End of the {"invoices": [...]} wrapper.
    if (!seen_invoices_key_) return fail("the top-level object has no \"invoices\" key");
    state_ = State::kDone;
    return true;
  }

  bool end_array() {
    if (skip_ > 0) return --skip_, true;
    state_ = wrapped_ ? State::kWrapper : State::kDone;
    return true;
  }

  bool key(json::string_t& k) {
    if (skip_ > 0) return true;
    if (state_ == State::kWrapper) {
      if (k != "invoices")
        return fail("unknown top-level key " + in_quotes(k) + "; expected only \"invoices\"");
      if (seen_invoices_key_) return fail("the key \"invoices\" appears twice");
      seen_invoices_key_ = true;
      state_ = State::kWrapperValue;
      return true;
    }
    // In a row.
    key_ = k;
    field_ = field_named(k);
    if (!field_) {
      row_.problems.push_back({k, "is not a known key; expected " + field_list()});
    } else if (!keys_seen_.insert(k).second) {
      row_.problems.push_back({k, "appears twice"});
      field_.reset();
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 3, column 7: ...".
    std::string_view what = e.what();
    if (auto bracket = what.find("] "); bracket != std::string_view::npos)
      what.remove_prefix(bracket + 2);
    return fail("not valid JSON: " + std::string(what));
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  enum class State { kTop, kWrapper, kWrapperValue, kList, kRow, kDone };
  enum class Scalar { kNull, kBoolean, kNumber, kString, kObject, kArray };

  static const char* type_name(Scalar s) {
    switch (s) {
      case Scalar::kNull:
        return "null";
      case Scalar::kBoolean:
        return "true/false";
      case Scalar::kNumber:
        return "a number";
      case Scalar::kString:
        return "a string";
      case Scalar::kObject:
        return "an object";
      case Scalar::kArray:
        return "an array";
    }
    return "?";
  }

  bool fail(std::string message) {
    if (!error_) error_ = Error::invalid(std::move(message));
    return false;
  }

  std::string where() const { return "invoices[" + std::to_string(index_) + "]"; }

  bool top_shape_error() {
    return fail("expected an array of invoice objects or an object {\"invoices\": [...]}");
  }

  bool scalar(Scalar type, std::string value) {
    if (skip_ > 0) return true;
    switch (state_) {
      case State::kTop:
        return top_shape_error();
      case State::kWrapperValue:
        return fail("\"invoices\" must be an array, not " + std::string(type_name(type)));
      case State::kList:
        collector_.reject(where(), "",
                          {"", "is " + std::string(type_name(type)) + ", not an invoice object"});
        ++index_;
        return true;
      case State::kRow:
        row_value(type, std::move(value));
        return true;
      case State::kWrapper:
      case State::kDone:
        break;  // the parser only sends keys or the end here
    }
    return true;
  }

  bool nested(Scalar type) {
    if (skip_ > 0) return ++skip_, true;
    switch (state_) {
      case State::kTop:
        if (type == Scalar::kArray) {
          state_ = State::kList;
        } else {
          wrapped_ = true;
          state_ = State::kWrapper;
        }
        return true;
      case State::kWrapperValue:
        if (type != Scalar::kArray) return fail("\"invoices\" must be an array, not an object");
        state_ = State::kList;
        return true;
      case State::kList:
        if (type == Scalar::kArray) {
          collector_.reject(where(), "", {"", "is an array, not an invoice object"});
          ++index_;
          skip_ = 1;
          return true;
        }
        state_ = State::kRow;
        row_ = RawRow{};
        row_.where = where();
        keys_seen_.clear();
        return true;
      case State::kRow:
        row_value(type, {});
        skip_ = 1;
        return true;
      case State::kWrapper:
      case State::kDone:
        break;
    }
    return true;
  }

  void row_value(Scalar type, std::string value) {
    if (!field_) return;  // unknown or repeated key, already reported
    Field f = *field_;
    if (type == Scalar::kNull) return;  // same as absent
    bool ok = type == Scalar::kString || (f == kAmount && type == Scalar::kNumber);
    if (!ok) {
      row_.problems.push_back(
          {key_, std::string(f == kAmount ? "must be a string or a number" : "must be a string") +
                     ", not " + type_name(type)});
      return;
    }
    auto trimmed = trim(value);
    if (!trimmed.empty()) row_.values[f] = std::string(trimmed);
  }

  void finish_row() {
    collector_.add(std::move(row_));
    row_ = RawRow{};
    ++index_;
  }

  InvoiceCollector& collector_;
  State state_ = State::kTop;
  bool wrapped_ = false;
  bool seen_invoices_key_ = false;
  int skip_ = 0;  // depth inside a value being skipped
  std::size_t index_ = 0;
  RawRow row_;
  std::string key_;
  std::optional<Field> field_;
  std::set<std::string, std::less<>> keys_seen_;
  std::optional<Error> error_;
};

}  // namespace

domain::Result<ParsedInvoices> parse_invoices_json(std::string_view text) {
  if (auto e = reject_utf16(text)) return *e;
  std::string_view body = text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
  if (blank(body)) return Error::invalid("the file is empty; expected a JSON array of invoices");
  InvoiceCollector collector;
  InvoiceJsonReader reader(collector);
  bool ok = json::sax_parse(text.begin(), text.end(), &reader);
  if (reader.error()) return *reader.error();
  if (!ok) return Error::invalid("not valid JSON");
  return collector.take();
}

domain::Result<ParsedInvoices> parse_invoices_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  auto fail = [&](const std::string& why) { return Error::invalid(name + ": " + why, name, why); };

  std::string ext = lower_ascii(file.extension().string());
  if (ext != ".csv" && ext != ".json")
    return fail(ext.empty() ? "has no extension; expected .csv or .json"
                            : "has extension " + in_quotes(file.extension().string()) +
                                  "; expected .csv or .json");

  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status))
    return fail("cannot read the file: it does not exist");
  if (!std::filesystem::is_regular_file(status))
    return fail("cannot read the file: it is not a regular file");
  auto size = std::filesystem::file_size(file, ec);
  if (ec) return fail("cannot read the file: " + ec.message());
  if (size > kMaxInvoiceFileBytes)
    return fail("is " + std::to_string(size) + " bytes; the limit is " +
                std::to_string(kMaxInvoiceFileBytes));

  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(std::string("cannot read the file: ") + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return fail("cannot read the file: read error");
  std::string text = std::move(content).str();

  auto parsed = ext == ".csv" ? parse_invoices_csv(text) : parse_invoices_json(text);
  if (!parsed.ok()) {
    Error e = parsed.error();
    e.message = name + ": " + e.message;
    return e;
  }
  return parsed;
}

}  // namespace disputed::engine
