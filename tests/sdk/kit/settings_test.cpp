// Settings are read, not re-checked: defaults come from the manifest's schema, and a value of
// the wrong type (settings that did not pass the schema) is named by its key.

#include "disputed/sdk/kit/settings.hpp"

#include <gmock/gmock.h>

namespace disputed::sdk::kit {
namespace {

constexpr const char* kManifest = R"({
  "id": "example", "config_schema": {"type": "object", "properties": {
    "base_url": {"type": "string"},
    "poll_mode": {"type": "string", "enum": ["a", "b"], "default": "a"},
    "tags": {"type": "array", "default": ["invoice_dispute"]},
    "timeout_ms": {"type": "integer", "default": 30000},
    "strict": {"type": "boolean", "default": true},
    "fields": {"type": "object"}}}})";

TEST(Settings, GivenValuesWinOverTheSchemasDefaults) {
  auto s = Settings::read(R"({"base_url": "https://x.example", "timeout_ms": 500})", kManifest);
  ASSERT_TRUE(s) << s.problem().text();
  EXPECT_EQ(s->text("/base_url"), "https://x.example");
  EXPECT_EQ(s->integer("/timeout_ms"), 500);
  EXPECT_EQ(s->text("/poll_mode"), "a");
  EXPECT_EQ(s->text_list("/tags"), std::vector<std::string>{"invoice_dispute"});
  EXPECT_TRUE(s->boolean("/strict"));
  EXPECT_TRUE(s->has("/poll_mode"));
  EXPECT_FALSE(s->has("/fields"));
  EXPECT_TRUE(s->text_map("/fields").empty());
  EXPECT_TRUE(s->problems().empty());
}

TEST(Settings, AUrlSettingLosesItsTrailingSlashes) {
  auto s = Settings::read(R"({"base_url": "https://x.example/api//"})", kManifest);
  ASSERT_TRUE(s) << s.problem().text();
  EXPECT_EQ(s->url("/base_url"), "https://x.example/api");
  EXPECT_EQ(s->text("/base_url"), "https://x.example/api//");
  EXPECT_EQ(s->url("/missing"), "");
  EXPECT_TRUE(s->problems().empty());
}

TEST(Settings, NestedKeysAndMaps) {
  auto s = Settings::read(
      R"({"fields": {"outcome": 12, "dispute": 34}, "names": {"sales": "erik@example.com"}})",
      kManifest);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->integer("/fields/outcome"), 12);
  EXPECT_EQ((s->integer_map("/fields")),
            (std::map<std::string, std::int64_t>{{"dispute", 34}, {"outcome", 12}}));
  EXPECT_EQ(s->text_map("/names").at("sales"), "erik@example.com");
}

TEST(Settings, AValueOfTheWrongTypeIsNamedByItsKey) {
  auto s = Settings::read(R"({"timeout_ms": "fast", "tags": ["a", 3], "fields": {"x": "y"}})",
                          kManifest);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->integer("/timeout_ms"), 0);
  EXPECT_EQ(s->text_list("/tags"), std::vector<std::string>{"a"});
  EXPECT_TRUE(s->integer_map("/fields").empty());
  ASSERT_EQ(s->problems().size(), 3u);
  EXPECT_EQ(s->problems()[0].field, "/timeout_ms");
  EXPECT_EQ(s->problems()[0].problem, "must be an integer, not a string");
  EXPECT_EQ(s->problems()[1].field, "/tags/1");
  EXPECT_EQ(s->problems()[2].field, "/fields/x");
}

TEST(Settings, RulesASchemaCannotSayAreAddedByThePlugin) {
  auto s = Settings::read("{}", kManifest);
  s->problem("/cancel_status", "must differ from close_status");
  ASSERT_EQ(s->problems().size(), 1u);
  EXPECT_EQ(s->problems()[0].field, "/cancel_status");
}

TEST(Settings, TextThatIsNotAnObjectIsOneProblem) {
  EXPECT_EQ(Settings::read("[1]", kManifest).problem().what, "settings must be a JSON object");
  EXPECT_THAT(Settings::read("{", kManifest).problem().what, ::testing::HasSubstr("not JSON"));
}

}  // namespace
}  // namespace disputed::sdk::kit
