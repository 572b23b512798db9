#include "core/messaging/templates.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <deque>
#include <fstream>
#include <sstream>

#include "core/config/config_error.hpp"
#include "core/config/json_file.hpp"
#include "core/config/json_schema.hpp"
#include "core/domain/text.hpp"

namespace disputed::messaging {

namespace {

namespace fs = std::filesystem;
namespace mustache = kainjow::mustache;
using config::ConfigError;
using nlohmann::json;

constexpr std::size_t kMaxTemplateBytes = 256 * 1024;

std::string read_text(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw ConfigError(file.string(), "",
                      "template file not found (every kind needs a file per "
                      "configured language)");
  if (fs::file_size(file, ec) > kMaxTemplateBytes)
    throw ConfigError(file.string(), "", "larger than 256 KiB");
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mustache::data to_data(const json& j) {
  switch (j.type()) {
    case json::value_t::object: {
      mustache::data d(mustache::data::type::object);
      for (const auto& [k, v] : j.items())
        if (!v.is_null()) d.set(k, to_data(v));
      return d;
    }
    case json::value_t::array: {
      mustache::data d(mustache::data::type::list);
      for (const auto& v : j) d.push_back(to_data(v));
      return d;
    }
    case json::value_t::string:
      return mustache::data(j.get<std::string>());
    case json::value_t::boolean:
      return mustache::data(j.get<bool>());
    case json::value_t::null:
      return mustache::data(false);
    default:
      return mustache::data(j.dump());
  }
}

int line_of(const std::string& text, std::size_t at) {
  return 1 + int(std::count(text.begin(), text.begin() + std::min(at, text.size()), '\n'));
}

// A name in a Mustache context stack: the first segment is looked up from the innermost
// context outwards, the rest inside what it found.
const json* resolve(const std::vector<const json*>& stack, const std::string& name) {
  if (name == ".") return stack.back();
  std::string first = name.substr(0, name.find('.'));
  const json* found = nullptr;
  for (auto it = stack.rbegin(); it != stack.rend() && !found; ++it)
    if ((*it)->is_object() && (*it)->contains(first)) found = &(**it)[first];
  if (!found) return nullptr;
  std::size_t at = name.find('.');
  while (at != std::string::npos) {
    std::size_t next = name.find('.', at + 1);
    std::string part = name.substr(at + 1, next == std::string::npos ? next : next - at - 1);
    if (!found->is_object() || !found->contains(part)) return nullptr;
    found = &(*found)[part];
    at = next;
  }
  return found;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

}  // namespace

struct TemplateSet::Compiled {
  explicit Compiled(const std::string& text) : tmpl(text) {}
  mustache::mustache tmpl;
  std::mutex mutex;  // kainjow's render is not const

  std::string render(const json& data, bool html) {
    std::lock_guard lock(mutex);
    if (html)
      tmpl.set_custom_escape(domain::html_escape);
    else
      tmpl.set_custom_escape([](const std::string& s) { return s; });
    return tmpl.render(to_data(data));
  }
};

std::vector<std::string> unknown_placeholders(const std::string& text, const json& sample,
                                              const std::vector<std::string>& raw_allowed) {
  std::vector<std::string> problems;
  std::vector<const json*> stack{&sample};
  std::vector<std::string> open;  // section names
  std::deque<json> items;  // sample list items, alive (and not moved) while sections are open
  std::size_t at = 0;
  while ((at = text.find("{{", at)) != std::string::npos) {
    bool triple = text.compare(at, 3, "{{{") == 0;
    std::size_t end = text.find(triple ? "}}}" : "}}", at);
    if (end == std::string::npos) break;  // the parser reports it
    std::string tag = text.substr(at + (triple ? 3 : 2), end - at - (triple ? 3 : 2));
    std::string where = "line " + std::to_string(line_of(text, at)) + ": ";
    at = end + (triple ? 3 : 2);
    if (tag.empty()) continue;
    char sigil = tag[0];
    std::string name =
        trim(std::string("#^/!>&=").find(sigil) != std::string::npos ? tag.substr(1) : tag);
    switch (sigil) {
      case '!':
        continue;
      case '>':
        problems.push_back(where + "{{>" + name + "}}: partials are not used");
        continue;
      case '=':
        problems.push_back(where + "delimiter changes are not used");
        continue;
      case '/':
        if (!open.empty() && open.back() == name) {
          open.pop_back();
          stack.pop_back();
        }
        continue;
      case '#':
      case '^': {
        const json* value = resolve(stack, name);
        if (!value) {
          problems.push_back(where + "{{" + std::string(1, sigil) + name +
                             "}}: unknown (not in this message's data)");
          value = &sample;  // keep walking with something
        }
        open.push_back(name);
        if (sigil == '#' && value->is_array()) {
          items.push_back(value->empty() ? json::object() : (*value)[0]);
          stack.push_back(&items.back());
        } else {
          stack.push_back(stack.back());
        }
        continue;
      }
      default:
        break;
    }
    bool raw = triple || sigil == '&';
    if (raw && std::find(raw_allowed.begin(), raw_allowed.end(), name) == raw_allowed.end())
      problems.push_back(where + "{{{" + name +
                         "}}}: unescaped output is not allowed here (use {{" + name + "}})");
    const json* value = resolve(stack, name);
    if (!value)
      problems.push_back(where + "{{" + name + "}}: unknown (not in this message's data)");
    else if (value->is_object() || value->is_array())
      problems.push_back(where + "{{" + name + "}}: is a list or group; use a section");
  }
  return problems;
}

std::string Locale::word(const std::string& key, const std::string& fallback) const {
  auto it = words.find(key);
  return it == words.end() ? fallback : it->second;
}

std::string Locale::date(domain::Date d) const {
  std::string out = date_pattern;
  auto put = [&](const std::string& key, const std::string& value) {
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size()))
      out.replace(at, key.size(), value);
  };
  unsigned month = unsigned(d.month());
  put("{day}", std::to_string(unsigned(d.day())));
  put("{month}", month >= 1 && month <= months.size() ? months[month - 1] : std::to_string(month));
  put("{year}", std::to_string(int(d.year())));
  return out;
}

std::string Locale::number(const std::string& decimal) const {
  std::string sign, whole = decimal, fraction;
  if (!whole.empty() && whole[0] == '-') {
    sign = "-";
    whole.erase(0, 1);
  }
  if (auto dot = whole.find('.'); dot != std::string::npos) {
    fraction = whole.substr(dot + 1);
    whole.erase(dot);
  }
  bool digits = !whole.empty() && std::all_of(whole.begin(), whole.end(), ::isdigit) &&
                std::all_of(fraction.begin(), fraction.end(), ::isdigit);
  if (!digits) return decimal;
  while (fraction.size() < 2) fraction += '0';
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += group_separator;
    grouped += whole[i];
  }
  return sign + grouped + decimal_separator + fraction;
}

std::string Locale::amount(const std::string& decimal, const std::string& currency) const {
  auto it = currency_symbols.find(currency);
  std::string symbol = it == currency_symbols.end() ? currency : it->second;
  std::string out = amount_pattern;
  if (auto at = out.find("{symbol}"); at != std::string::npos) out.replace(at, 8, symbol);
  if (auto at = out.find("{amount}"); at != std::string::npos) out.replace(at, 8, number(decimal));
  return out;
}

TemplateSet::~TemplateSet() = default;

std::shared_ptr<const TemplateSet> TemplateSet::load(const fs::path& dir,
                                                     const std::vector<std::string>& languages,
                                                     const SampleData& samples) {
  std::shared_ptr<TemplateSet> set(new TemplateSet());
  if (!languages.empty()) set->default_language_ = languages.front();
  auto compile = [](const fs::path& file, const std::string& text, const json& sample,
                    const std::vector<std::string>& raw_allowed) {
    auto compiled = std::make_shared<Compiled>(text);
    if (!compiled->tmpl.is_valid())
      throw ConfigError(file.string(), "", "template error: " + compiled->tmpl.error_message());
    auto problems = unknown_placeholders(text, sample, raw_allowed);
    if (!problems.empty()) throw ConfigError(file.string(), "", problems.front());
    return compiled;
  };
  for (const auto& language : languages) {
    fs::path folder = dir / language;
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
      throw ConfigError(folder.string(), "",
                        "no templates for configured language '" + language + "'");
    Language lang;
    fs::path locale_file = folder / "language.json";
    json doc = config::read_json_file(locale_file);
    config::embedded_schema("message-language").validate_or_throw(doc, locale_file.string());
    if (doc.at("language") != language)
      throw ConfigError(locale_file.string(), "/language",
                        "must be '" + language + "' (the folder's name)");
    Locale& l = lang.locale;
    l.language = language;
    l.name = doc.at("name");
    l.months = doc.at("months").get<std::vector<std::string>>();
    l.date_pattern = doc.at("date");
    l.decimal_separator = doc.at("decimal_separator");
    l.group_separator = doc.at("group_separator");
    l.amount_pattern = doc.at("amount");
    l.currency_symbols = doc.value("currency_symbols", std::map<std::string, std::string>{});
    l.words = doc.value("words", std::map<std::string, std::string>{});
    const json& subjects = doc.at("subjects");
    for (const auto& [kind, sample] : samples) {
      if (kind == "link_page") {
        fs::path file = folder / "link_page.html";
        lang.page = compile(file, read_text(file), sample, {});
        lang.page->render(sample, true);
        continue;
      }
      if (!subjects.contains(kind))
        throw ConfigError(locale_file.string(), "/subjects/" + kind,
                          "missing: every message kind needs a subject in every language");
      std::string subject = subjects.at(kind).get<std::string>();
      lang.subjects[kind] = compile(locale_file, subject, sample, {});
      fs::path text = folder / (kind + ".txt");
      fs::path html = folder / (kind + ".html");
      lang.texts[kind] = compile(text, read_text(text), sample, {});
      lang.htmls[kind] = compile(html, read_text(html), sample, {});
    }
    fs::path layout = folder / "layout.html";
    json layout_sample = samples.empty() ? json::object() : samples.begin()->second;
    layout_sample["body"] = "<p>sample</p>";
    layout_sample["subject"] = "sample";
    lang.layout = compile(layout, read_text(layout), layout_sample, {"body"});
    std::string name = language;
    set->languages_.emplace(std::move(name), std::move(lang));
  }
  // Every kind renders in every language with its sample data (a template that parses can
  // still fail on data).
  for (const auto& language : languages)
    for (const auto& [kind, sample] : samples)
      if (kind != "link_page") set->render(kind, language, sample);
  return set;
}

RenderedMessage TemplateSet::render(const std::string& kind, const std::string& language,
                                    const json& data) const {
  const Language& lang = languages_.at(language);
  RenderedMessage out;
  out.subject = lang.subjects.at(kind)->render(data, false);
  // A subject is one line, whatever the data held.
  std::replace(out.subject.begin(), out.subject.end(), '\n', ' ');
  std::replace(out.subject.begin(), out.subject.end(), '\r', ' ');
  out.text = lang.texts.at(kind)->render(data, false);
  json layout = data;
  layout["body"] = lang.htmls.at(kind)->render(data, true);
  layout["subject"] = out.subject;
  out.html = lang.layout->render(layout, true);
  return out;
}

std::string TemplateSet::render_page(const std::string& language, const json& data) const {
  auto it = languages_.find(language);
  if (it == languages_.end()) it = languages_.find(default_language_);
  return it->second.page->render(data, true);
}

const Locale& TemplateSet::locale(const std::string& language) const {
  auto it = languages_.find(language);
  if (it == languages_.end()) it = languages_.find(default_language_);
  return it->second.locale;
}

}  // namespace disputed::messaging
