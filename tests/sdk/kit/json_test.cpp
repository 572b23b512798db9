// Vendor JSON is bounded before it is parsed, and a value that is missing or of the wrong type
// is named by its JSON pointer.

#include "disputed/sdk/kit/json.hpp"

#include <gmock/gmock.h>

namespace disputed::sdk::kit {
namespace {

using ::testing::HasSubstr;

TEST(JsonParse, RefusesTextOverTheSizeOrDepthLimitBeforeParsing) {
  auto big = parse_json(std::string(2000, ' ') + "{}", {1000, 64});
  ASSERT_FALSE(big);
  EXPECT_THAT(big.problem().what, HasSubstr("exceeds the limit of 1000"));

  std::string deep = std::string(65, '[') + std::string(65, ']');
  auto refused = parse_json(deep);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.problem().what, HasSubstr("nested deeper than 64"));
  EXPECT_TRUE(parse_json(std::string(64, '[') + std::string(64, ']')));
  // Brackets inside strings are text, not nesting.
  EXPECT_TRUE(parse_json(R"({"a": ")" + std::string(100, '[') + R"("})", {1000, 2}));
}

TEST(JsonParse, SaysWhereTheSyntaxBroke) {
  auto broken = parse_json(R"({"ticket": {"id": 1,}})");
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.problem().what, HasSubstr("not JSON at byte"));
  EXPECT_EQ(broken.problem().where, "");
}

TEST(JsonView, NamesThePathOfWhatIsMissingOrOfTheWrongType) {
  auto doc = parse_json(R"({"ticket": {"id": 7, "custom_fields": [{"id": 1, "value": "a"},
      {"id": 2, "value": null}, {"id": 3, "value": 42}], "tags": ["x", 5]}})");
  ASSERT_TRUE(doc);
  JsonView ticket = JsonView(*doc)["ticket"];
  EXPECT_EQ(*ticket["id"].integer(), 7);
  EXPECT_EQ(*ticket["custom_fields"][0]["value"].string(), "a");

  auto wrong = ticket["custom_fields"][2]["value"].string();
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.problem().text(),
            "/ticket/custom_fields/2/value: expected a string, got a number");
  auto null = ticket["custom_fields"][1]["value"].string();
  EXPECT_EQ(null.problem().text(), "/ticket/custom_fields/1/value: is null, expected a string");
  auto missing = ticket["subject"].string();
  EXPECT_EQ(missing.problem().text(), "/ticket/subject: missing (expected a string)");
  auto beyond = ticket["custom_fields"][9]["id"].integer();
  EXPECT_EQ(beyond.problem().where, "/ticket/custom_fields/9/id");
  auto tags = ticket["tags"].string_list();
  EXPECT_EQ(tags.problem().text(), "/ticket/tags/1: expected a string, got a number");
}

TEST(JsonView, OptionalAndLenientReads) {
  auto doc = parse_json(R"({"a": null, "n": "7", "b": true, "list": ["x", "y"]})");
  JsonView root(*doc);
  EXPECT_EQ(*root["a"].optional_string("dflt"), "dflt");
  EXPECT_EQ(*root["absent"].optional_string(), "");
  EXPECT_FALSE(root["n"].optional_integer());  // present but a string: still a problem
  EXPECT_EQ(root["n"].string_or("?"), "7");
  EXPECT_EQ(root["n"].integer_or_none(), std::nullopt);
  EXPECT_TRUE(root["b"].boolean_or(false));
  EXPECT_EQ(*root["list"].string_list(), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(root["absent"].string_list()->empty());
  EXPECT_EQ(root["list"].elements().size(), 2u);
  EXPECT_EQ(root["list"].elements()[1].pointer(), "/list/1");
  EXPECT_EQ(root.members().size(), 4u);
}

TEST(JsonView, EscapesKeysInPointers) {
  auto doc = parse_json(R"({"a/b": {"m~n": 1}})");
  JsonView v = JsonView(*doc)["a/b"]["m~n"];
  EXPECT_EQ(v.pointer(), "/a~1b/m~0n");
  EXPECT_EQ(*v.integer(), 1);
}

}  // namespace
}  // namespace disputed::sdk::kit
