#include "core/engine/csv_reader.hpp"

namespace disputed::engine {

using domain::Error;

bool CsvReader::next(CsvRecord& record) {
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) line_break();
  if (pos_ >= text_.size()) return false;
  record = CsvRecord{};
  record.line = line_;
  for (;;) {
    std::string field;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      if (!quoted_field(field)) return false;
      if (pos_ < text_.size() && !at_separator()) {
        if (!record.text_after_quote) record.text_after_quote = record.fields.size();
        while (pos_ < text_.size() && !at_separator()) ++pos_;
      }
    } else {
      std::size_t start = pos_;
      while (pos_ < text_.size() && !at_separator()) ++pos_;
      field.assign(text_.substr(start, pos_ - start));
    }
    record.fields.push_back(std::move(field));
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (pos_ < text_.size()) line_break();
    return true;
  }
}

// Consumes LF, CRLF or a lone CR as one physical line break.
void CsvReader::line_break() {
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
}

// At the opening quote; leaves pos_ after the closing one. Line breaks inside stay verbatim.
bool CsvReader::quoted_field(std::string& field) {
  std::size_t opened_on = line_;
  ++pos_;
  for (;;) {
    if (pos_ >= text_.size()) {
      error_ = Error::invalid(
          "line " + std::to_string(opened_on) +
          ": a quoted field that starts on this line is never closed (missing '\"')");
      return false;
    }
    char c = text_[pos_];
    if (c == '"') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field += '"';
        pos_ += 2;
        continue;
      }
      ++pos_;
      return true;
    }
    if (c == '\n' || (c == '\r' && !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n'))) ++line_;
    field += c;
    ++pos_;
  }
}

}  // namespace disputed::engine
