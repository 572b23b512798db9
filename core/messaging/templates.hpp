#pragma once
// Message templates per kind and language (configs/templates/<lang>/, docs/messaging.md):
// kainjow Mustache, logic-less, HTML-escaped by default. Loaded and checked once at start-up:
// every kind exists in every configured language (text, HTML and subject), every template parses,
// every placeholder is one the composer fills in for that kind (checked against the composer's
// own sample data, so the list cannot drift), and triple mustaches (unescaped HTML) appear only
// where the composer hands over HTML it made itself. A problem is a config::ConfigError naming
// the file and what is wrong; a configuration that loads renders every kind.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/domain/time.hpp"

namespace disputed::messaging {

/// How one language writes dates and amounts (language.json of the language's folder).
struct Locale {
  std::string language;             ///< "nl"
  std::string name;                 ///< "Nederlands"
  std::vector<std::string> months;  ///< 12 names, January first
  std::string date_pattern = "{day} {month} {year}";
  std::string decimal_separator = ".";
  std::string group_separator = ",";
  std::string amount_pattern = "{symbol} {amount}";
  std::map<std::string, std::string> currency_symbols;  ///< "EUR" -> "€"
  std::map<std::string, std::string> words;  ///< labels (resolutions, outcomes, page texts, ...)

  /// "23 november 2026".
  std::string date(domain::Date d) const;
  /// "1.234,50" from a decimal string "1234.50" (or "-1234.5"); the text itself when it is not a
  /// decimal.
  std::string number(const std::string& decimal) const;
  /// "€ 1.234,50" (the currency's symbol, else its code, placed by amount_pattern).
  std::string amount(const std::string& decimal, const std::string& currency) const;
  /// A word by key, else `fallback`.
  std::string word(const std::string& key, const std::string& fallback = {}) const;
};

/// One rendered message.
struct RenderedMessage {
  std::string subject;
  std::string text;
  std::string html;
};

/// The message kinds and the one-click page, each with sample data (what the composer builds),
/// for the start-up check. Provided by the composer.
using SampleData = std::map<std::string, nlohmann::json>;

class TemplateSet {
 public:
  /// Loads `<dir>/<language>/` for every language: language.json (schema message-language),
  /// layout.html, <kind>.txt and <kind>.html for every kind of `samples` except "link_page",
  /// and link_page.html; checks them against `samples` (placeholders, rendering). Throws
  /// config::ConfigError naming the file.
  static std::shared_ptr<const TemplateSet> load(const std::filesystem::path& dir,
                                                 const std::vector<std::string>& languages,
                                                 const SampleData& samples);
  ~TemplateSet();

  /// Renders `kind` in `language` with `data`; the HTML body is wrapped in the language's
  /// layout. Throws std::out_of_range for a kind or language that was not loaded (a programming
  /// error: the start-up check covers every configured pair).
  RenderedMessage render(const std::string& kind, const std::string& language,
                         const nlohmann::json& data) const;
  /// The one-click page (link_page.html) in `language` (default language when not loaded).
  std::string render_page(const std::string& language, const nlohmann::json& data) const;
  const Locale& locale(const std::string& language) const;
  bool has_language(const std::string& language) const { return languages_.count(language) > 0; }
  const std::string& default_language() const { return default_language_; }

  struct Compiled;  // a parsed template (defined in templates.cpp)

 private:
  TemplateSet() = default;
  struct Language {
    Locale locale;
    std::map<std::string, std::shared_ptr<Compiled>> subjects, texts, htmls;
    std::shared_ptr<Compiled> layout, page;
  };
  std::map<std::string, Language> languages_;
  std::string default_language_;
};

/// The names a template refers to, checked against `sample` with Mustache's context rules
/// (sections open the item's context; dotted names; "." is the current item). Each problem is
/// "line N: {{name}} ..." ; empty when every name is known. Partials and delimiter changes are
/// refused; triple mustaches only for names in `raw_allowed`.
std::vector<std::string> unknown_placeholders(const std::string& template_text,
                                              const nlohmann::json& sample,
                                              const std::vector<std::string>& raw_allowed = {});

}  // namespace disputed::messaging
