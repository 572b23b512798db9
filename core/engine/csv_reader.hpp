#pragma once
// RFC 4180 CSV, record by record: quoted fields (with doubled quotes and line breaks inside),
// LF, CRLF or a lone CR between records, blank lines skipped. Physical line numbers are kept so
// that an import can say where a problem is.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/result.hpp"

namespace disputed::engine {

struct CsvRecord {
  std::size_t line = 0;  // physical line where the record starts
  std::vector<std::string> fields;
  std::optional<std::size_t> text_after_quote;  // first field with text after its closing quote
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  /// The next record, skipping blank lines; false at the end or on an error (see error()).
  bool next(CsvRecord& record);
  /// Why reading stopped early (a quoted field never closed), naming the line.
  const std::optional<domain::Error>& error() const { return error_; }

 private:
  bool at_separator() const {
    return text_[pos_] == ',' || text_[pos_] == '\n' || text_[pos_] == '\r';
  }
  void line_break();
  bool quoted_field(std::string& field);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::optional<domain::Error> error_;
};

}  // namespace disputed::engine
