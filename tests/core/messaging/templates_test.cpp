// The shipped templates (configs/templates/<lang>/) load, pass the start-up check and render in
// each language; a missing file or an unknown placeholder is refused naming the file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/config/config_error.hpp"
#include "core/messaging/composer.hpp"
#include "core/messaging/templates.hpp"

namespace disputed::messaging {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kShipped = fs::path(DISPUTED_SOURCE_DIR) / "configs" / "templates";

class TempDir {
 public:
  TempDir() {
    path_ =
        fs::temp_directory_path() /
        ("disputed-templates-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(Templates, TheShippedLanguagesLoadAndEveryKindRenders) {
  auto set = TemplateSet::load(kShipped, {"nl", "en", "pl"}, Composer::samples());
  ASSERT_TRUE(set);
  EXPECT_EQ(set->default_language(), "nl");
  for (const auto& [kind, sample] : Composer::samples()) {
    if (kind == "link_page") continue;
    for (const char* language : {"nl", "en", "pl"}) {
      RenderedMessage m = set->render(kind, language, sample);
      EXPECT_FALSE(m.subject.empty()) << kind << " " << language;
      EXPECT_FALSE(m.text.empty()) << kind << " " << language;
      EXPECT_THAT(m.html, HasSubstr("<html lang=\"en\">")) << "the sample data's language";
    }
  }
}

TEST(Templates, DatesAndAmountsAreWrittenForTheLanguage) {
  auto set = TemplateSet::load(kShipped, {"nl", "en", "pl"}, Composer::samples());
  EXPECT_EQ(set->locale("nl").amount("1234.5", "EUR"), "€ 1.234,50");
  EXPECT_EQ(set->locale("en").amount("1234.5", "EUR"), "€ 1,234.50");
  EXPECT_EQ(set->locale("nl").amount("-1234567.891", "XYZ"), "XYZ -1.234.567,891");
  EXPECT_EQ(set->locale("nl").date(
                domain::Date{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{7}}),
            "7 december 2026");
  EXPECT_EQ(set->locale("en").date(
                domain::Date{std::chrono::year{2026}, std::chrono::month{3}, std::chrono::day{1}}),
            "1 March 2026");
  // Polish: the amount before the currency, groups and symbol held together by no-break spaces
  // (U+00A0) so a mail client never wraps "1 234,50 zł"; months in the genitive.
  EXPECT_EQ(set->locale("pl").amount("1234.5", "PLN"), "1\u00a0234,50\u00a0zł");
  EXPECT_EQ(set->locale("pl").amount("-1234567.891", "EUR"), "-1\u00a0234\u00a0567,891\u00a0€");
  EXPECT_EQ(set->locale("pl").date(
                domain::Date{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{7}}),
            "7 grudnia 2026");
}

TEST(Templates, HtmlIsEscapedAndTextIsNot) {
  auto set = TemplateSet::load(kShipped, {"en"}, Composer::samples());
  auto sample = Composer::samples().at("management_info");
  sample["customer"] = "O'Brien <script>alert(1)</script> & \"co\"";
  RenderedMessage m = set->render("management_info", "en", sample);
  EXPECT_THAT(m.html,
              HasSubstr("O&#39;Brien &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"));
  EXPECT_THAT(m.html, ::testing::Not(HasSubstr("<script>")));
  EXPECT_THAT(m.text, HasSubstr("O'Brien <script>alert(1)</script> & \"co\""));
}

void copy_language(const fs::path& to, const std::string& language) {
  fs::create_directories(to / language);
  for (const auto& e : fs::directory_iterator(kShipped / language))
    fs::copy_file(e.path(), to / language / e.path().filename());
}

TEST(Templates, AMissingKindOrLanguageIsRefusedNamingTheFile) {
  TempDir dir;
  copy_language(dir.path(), "en");
  fs::remove(dir.path() / "en" / "task_reminder.html");
  try {
    (void)TemplateSet::load(dir.path(), {"en"}, Composer::samples());
    ADD_FAILURE() << "a missing template was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("task_reminder.html"));
    EXPECT_THAT(e.what(), HasSubstr("not found"));
  }
  try {
    (void)TemplateSet::load(dir.path(), {"pl"}, Composer::samples());
    ADD_FAILURE() << "a language without templates was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no templates for configured language 'pl'"));
  }
}

TEST(Templates, AnUnknownPlaceholderOrUnescapedOutputIsRefusedWithItsLine) {
  TempDir dir;
  copy_language(dir.path(), "en");
  std::ofstream(dir.path() / "en" / "task_assigned.txt") << "Hello\n{{step}}\n{{no_such_thing}}\n";
  try {
    (void)TemplateSet::load(dir.path(), {"en"}, Composer::samples());
    ADD_FAILURE() << "an unknown placeholder was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("task_assigned.txt"));
    EXPECT_THAT(e.what(), HasSubstr("line 3: {{no_such_thing}}: unknown"));
  }
  copy_language(dir.path() / "again", "en");
  std::ofstream(dir.path() / "again" / "en" / "task_assigned.html") << "<p>{{{description}}}</p>";
  try {
    (void)TemplateSet::load(dir.path() / "again", {"en"}, Composer::samples());
    ADD_FAILURE() << "unescaped output was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unescaped output is not allowed"));
  }
}

}  // namespace
}  // namespace disputed::messaging
