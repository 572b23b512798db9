#include "core/config/bounded_keywords.hpp"

#include <new>
#include <regex>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/internal/adapter.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>

namespace disputed::config {

namespace {

using nlohmann::json;

constexpr const char* kPatternKeyword = "x-disputed-bounded-pattern";
constexpr const char* kFormatKeyword = "x-disputed-bounded-format";

constexpr std::string_view kTooLongForPattern = "String is longer than the characters a pattern";
constexpr std::string_view kNotDateTime = "String should be a valid date-time";
constexpr std::string_view kNotTime = "String should be a valid time";

bool digits(std::string_view s, std::size_t from, std::size_t count) {
  if (from + count > s.size()) return false;
  for (std::size_t i = from; i < from + count; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int number(std::string_view s, std::size_t from, std::size_t count) {
  int n = 0;
  for (std::size_t i = from; i < from + count; ++i) n = n * 10 + (s[i] - '0');
  return n;
}

// The string value of `target`, or nullptr for any other type (the "type" keyword judges those).
bool string_of(const valijson::adapters::Adapter& target, std::string& out) {
  if (!target.isString()) return false;
  out = target.getString();
  return true;
}

void report(const std::vector<std::string>& context, valijson::ValidationResults* results,
            std::string description) {
  if (results) results->pushError(context, std::move(description));
}

class BoundedPattern : public valijson::constraints::PolyConstraint {
 public:
  explicit BoundedPattern(std::string pattern)
      : pattern_(std::move(pattern)), regex_(pattern_, std::regex::ECMAScript) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    std::string text;
    if (!string_of(target, text)) return true;
    if (text.size() > kMaxPatternSubject) {
      report(context, results,
             std::string(kTooLongForPattern) + " is checked on (" +
                 std::to_string(kMaxPatternSubject) + ").");
      return false;
    }
    if (std::regex_search(text, regex_)) return true;
    report(context, results,
           "Failed to match regex specified by 'pattern' constraint: '" + pattern_ + "'.");
    return false;
  }

 private:
  Constraint* cloneInto(void* where) const override { return new (where) BoundedPattern(*this); }
  std::size_t sizeOf() const override { return sizeof(BoundedPattern); }

  std::string pattern_;
  std::regex regex_;
};

class BoundedFormat : public valijson::constraints::PolyConstraint {
 public:
  explicit BoundedFormat(std::string format) : format_(std::move(format)) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    std::string text;
    if (!string_of(target, text)) return true;
    // Formats other than these are annotations only, as draft 7 allows.
    if (format_ == "date" && !is_rfc3339_date(text)) {
      report(context, results, "String should be a valid date");
      return false;
    }
    if (format_ == "time" && !is_rfc3339_time(text)) {
      report(context, results, std::string(kNotTime));
      return false;
    }
    if (format_ == "date-time" && !is_rfc3339_date_time(text)) {
      report(context, results, std::string(kNotDateTime));
      return false;
    }
    return true;
  }

 private:
  Constraint* cloneInto(void* where) const override { return new (where) BoundedFormat(*this); }
  std::size_t sizeOf() const override { return sizeof(BoundedFormat); }

  std::string format_;
};

template <typename ConstraintType>
class Builder : public valijson::ConstraintBuilder {
 public:
  explicit Builder(const char* keyword) : keyword_(keyword) {}
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    if (!value.isString())
      throw std::invalid_argument(std::string("'") + keyword_ + "' must be a string");
    return new ConstraintType(value.getString());
  }

 private:
  const char* keyword_;
};

bool is_annotation_keyword(const std::string& key) {
  return key == "enum" || key == "const" || key == "default" || key == "examples" ||
         key == "example";
}

void rename_keywords(json& node) {
  if (node.is_array()) {
    for (auto& item : node) rename_keywords(item);
    return;
  }
  if (!node.is_object()) return;
  if (node.contains("patternProperties"))
    throw std::invalid_argument(
        "\"patternProperties\" is not supported (its regex would run on object keys of any "
        "length); list the keys in \"properties\"");
  for (const char* keyword : {"pattern", "format"}) {
    auto it = node.find(keyword);
    if (it == node.end() || !it->is_string()) continue;
    json value = std::move(*it);
    node.erase(keyword);
    node[std::string(keyword) == "pattern" ? kPatternKeyword : kFormatKeyword] = std::move(value);
  }
  for (auto& item : node.items())
    if (!is_annotation_keyword(item.key())) rename_keywords(item.value());
}

}  // namespace

json with_bounded_keywords(const json& schema) {
  json copy = schema;
  rename_keywords(copy);
  return copy;
}

void register_bounded_keywords(valijson::SchemaParser& parser) {
  // The parser deletes its builders when it is destroyed.
  parser.addConstraintBuilder(kPatternKeyword, new Builder<BoundedPattern>(kPatternKeyword));
  parser.addConstraintBuilder(kFormatKeyword, new Builder<BoundedFormat>(kFormatKeyword));
}

std::optional<std::string> bounded_keyword_problem(std::string_view description) {
  if (description.substr(0, kTooLongForPattern.size()) == kTooLongForPattern)
    return "must be at most " + std::to_string(kMaxPatternSubject) + " characters long";
  if (description == kNotDateTime)
    return std::string("must be a date and time written YYYY-MM-DDTHH:MM:SSZ");
  if (description == kNotTime) return std::string("must be a time written HH:MM:SS");
  return std::nullopt;
}

bool is_rfc3339_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits(s, 0, 4) || !digits(s, 5, 2) || !digits(s, 8, 2)) return false;
  int year = number(s, 0, 4), month = number(s, 5, 2), day = number(s, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int last = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= last;
}

bool is_rfc3339_time(std::string_view s) {
  // HH:MM:SS, then an optional fraction (at most 9 digits), then Z or an offset ±HH:MM.
  if (s.size() < 9 || s.size() > 24 || s[2] != ':' || s[5] != ':') return false;
  if (!digits(s, 0, 2) || !digits(s, 3, 2) || !digits(s, 6, 2)) return false;
  if (number(s, 0, 2) > 23 || number(s, 3, 2) > 59 || number(s, 6, 2) > 60) return false;
  std::size_t i = 8;
  if (s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 9) return false;
  }
  if (i == s.size()) return false;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  if (s.size() - i != 6 || s[i + 3] != ':' || !digits(s, i + 1, 2) || !digits(s, i + 4, 2))
    return false;
  return number(s, i + 1, 2) <= 23 && number(s, i + 4, 2) <= 59;
}

bool is_rfc3339_date_time(std::string_view s) {
  if (s.size() < 11 || (s[10] != 'T' && s[10] != 't')) return false;
  return is_rfc3339_date(s.substr(0, 10)) && is_rfc3339_time(s.substr(11));
}

}  // namespace disputed::config
