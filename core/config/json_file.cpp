#include "core/config/json_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/config_error.hpp"
#include "core/domain/json_nesting.hpp"

namespace disputed::config {

namespace {

using nlohmann::json;

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 3,
// column 5: syntax error while parsing object key - "; we state the position ourselves, so keep
// only what comes after the last " - " of that prefix.
std::string parse_error_detail(const std::string& what) {
  static constexpr std::string_view kSyntax = "syntax error while parsing ";
  auto at = what.find(kSyntax);
  if (at != std::string::npos) {
    auto dash = what.find(" - ", at);
    if (dash != std::string::npos) return what.substr(dash + 3);
  }
  auto colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// Tracks where the parser is, so a duplicate key can be reported with its JSON pointer. Each
// level keeps only its own key or index (the pointer is built when a duplicate is found), so
// memory grows with the depth, not with its square.
class DuplicateKeyFinder {
 public:
  bool on_event(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        stack_.push_back({false, 0, {}, {}});
        break;
      case json::parse_event_t::array_start:
        stack_.push_back({true, 0, {}, {}});
        break;
      case json::parse_event_t::key: {
        Frame& frame = stack_.back();
        frame.current_key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.current_key).second && !duplicate_) duplicate_ = pointer();
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!stack_.empty()) stack_.pop_back();
        element_done();
        break;
      case json::parse_event_t::value:
        element_done();
        break;
    }
    return true;
  }

  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  struct Frame {
    bool is_array = false;
    std::size_t next_index = 0;
    std::set<std::string> keys;
    std::string current_key;
  };

  // The pointer to the current key of the innermost object.
  std::string pointer() const {
    std::string out;
    for (const Frame& frame : stack_)
      out = frame.is_array ? pointer_append(out, frame.next_index)
                           : pointer_append(out, frame.current_key);
    return out;
  }
  void element_done() {
    if (!stack_.empty() && stack_.back().is_array) ++stack_.back().next_index;
  }

  std::vector<Frame> stack_;
  std::optional<std::string> duplicate_;
};

}  // namespace

TextPosition position_in_text(std::string_view text, std::size_t offset) {
  TextPosition pos;
  std::size_t end = std::min(offset, text.size());
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      line_start = i + 1;
    }
  }
  pos.column = offset - line_start + 1;
  return pos;
}

domain::Result<json> try_parse_json_text(std::string_view text) {
  // Depth first: a tree nested without bound costs memory and stack in every later copy, dump or
  // comparison, and in the schema validator.
  if (auto at = domain::json_too_deep_at(text)) {
    TextPosition pos = position_in_text(text, *at);
    return domain::Error::invalid("nested deeper than " + std::to_string(domain::kMaxJsonDepth) +
                                  " levels at line " + std::to_string(pos.line) + ", column " +
                                  std::to_string(pos.column));
  }
  DuplicateKeyFinder finder;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(),
                      [&finder](int /*depth*/, json::parse_event_t event, json& parsed) {
                        return finder.on_event(event, parsed);
                      });
  } catch (const json::parse_error& e) {
    // e.byte counts the characters read, so the offending one sits at index byte - 1.
    TextPosition pos = position_in_text(text, e.byte == 0 ? 0 : e.byte - 1);
    return domain::Error::invalid("syntax error at line " + std::to_string(pos.line) + ", column " +
                                  std::to_string(pos.column) + ": " + parse_error_detail(e.what()));
  } catch (const json::exception& e) {
    // E.g. out_of_range for a number too large for a double; nlohmann gives no position.
    std::string what = e.what();
    auto bracket = what.find("] ");
    return domain::Error::invalid(bracket == std::string::npos ? what : what.substr(bracket + 2));
  }
  if (finder.duplicate()) {
    const std::string problem = "duplicate key (a key may occur only once per object)";
    return domain::Error::invalid(problem, *finder.duplicate(), problem);
  }
  return doc;
}

std::string dump_json(const json& doc, int indent) {
  return doc.dump(indent, ' ', false, json::error_handler_t::replace);
}

json parse_json_text(std::string_view text, const std::string& source) {
  auto parsed = try_parse_json_text(text);
  if (parsed) return std::move(parsed).value();
  const domain::Error& e = parsed.error();
  if (!e.details.empty())
    throw ConfigError(source, e.details.front().field, e.details.front().problem);
  throw ConfigError(source, "", e.message);
}

json read_json_file(const std::filesystem::path& file) {
  const std::string source = file.string();
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw ConfigError(source, "", "cannot access file: " + ec.message());
  if (!std::filesystem::exists(status)) throw ConfigError(source, "", "file not found");
  if (!std::filesystem::is_regular_file(status))
    throw ConfigError(source, "", "not a regular file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(source, "", std::string("cannot open file: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw ConfigError(source, "", std::string("cannot read file: ") + std::strerror(errno));
  return parse_json_text(text.str(), source);
}

}  // namespace disputed::config
