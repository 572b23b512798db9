#include "core/config/json_file.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/config/config_error.hpp"
#include "tests/core/config/config_error_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::config {
namespace {

using disputed::testing::config_error_from;
using disputed::testing::TempDir;

TEST(ReadJsonFile, ReadsAValidFile) {
  TempDir dir;
  auto file = dir.write("a.json", R"({"name": "price", "steps": [1, 2]})");
  auto doc = read_json_file(file);
  EXPECT_EQ(doc["name"], "price");
  EXPECT_EQ(doc["steps"].size(), 2u);
}

TEST(ReadJsonFile, MissingFileNamesTheFile) {
  TempDir dir;
  auto e = config_error_from([&] { read_json_file(dir.path() / "nope.json"); });
  EXPECT_EQ(e.file(), (dir.path() / "nope.json").string());
  EXPECT_EQ(e.key_path(), "");
  EXPECT_EQ(e.problem(), "file not found");
}

TEST(ReadJsonFile, DirectoryIsNotAFile) {
  TempDir dir;
  auto e = config_error_from([&] { read_json_file(dir.path()); });
  EXPECT_EQ(e.problem(), "not a regular file");
}

TEST(ReadJsonFile, SyntaxErrorStatesLineAndColumn) {
  TempDir dir;
  // The stray '}' after a trailing comma is on line 3, column 3.
  auto file = dir.write("broken.json", "{\n  \"a\": 1,\n  }\n");
  auto e = config_error_from([&] { read_json_file(file); });
  EXPECT_EQ(e.file(), file.string());
  EXPECT_NE(e.problem().find("syntax error at line 3, column 3"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("unexpected '}'"), std::string::npos) << e.what();
  EXPECT_EQ(e.problem().find("json.exception"), std::string::npos) << e.what();
}

TEST(ParseJsonText, BadLiteralPointsAtItsEnd) {
  auto e = config_error_from([] { parse_json_text("{\n  \"a\": tru\n}", "x.json"); });
  EXPECT_NE(e.problem().find("line 2, column 11"), std::string::npos) << e.what();
}

TEST(ParseJsonText, EmptyInputIsASyntaxError) {
  auto e = config_error_from([] { parse_json_text("", "empty.json"); });
  EXPECT_NE(e.problem().find("line 1, column 1"), std::string::npos) << e.what();
}

TEST(ParseJsonText, NumberOutOfRangeIsAConfigError) {
  auto e = config_error_from([] { parse_json_text(R"({"days": 1e999})", "big.json"); });
  EXPECT_EQ(e.file(), "big.json");
  EXPECT_NE(e.problem().find("1e999"), std::string::npos) << e.what();
}

TEST(ParseJsonText, DuplicateKeyIsReportedWithItsPath) {
  auto e = config_error_from([] {
    parse_json_text(R"({"steps": [{"id": "a"}, {"id": "b", "title": "t", "id": "c"}]})", "wf.json");
  });
  EXPECT_EQ(e.key_path(), "/steps/1/id");
  EXPECT_NE(e.problem().find("duplicate key"), std::string::npos);
}

TEST(ParseJsonText, SameKeyInDifferentObjectsIsFine) {
  auto doc =
      parse_json_text(R"({"a": {"id": 1}, "b": {"id": 2}, "c": [{"id": 3}, {"id": 4}]})", "x");
  EXPECT_EQ(doc["c"][1]["id"], 4);
}

// Issue 13, finding 2: nesting is bounded before parsing (the duplicate-key finder copied the
// whole pointer per level, so 64 KiB of '[' cost gigabytes).
TEST(ParseJsonText, NestingDeeperThanTheLimitIsRefusedNamingTheLimitAndWhere) {
  std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(try_parse_json_text(ok).ok());
  auto deep =
      try_parse_json_text("{\"a\":\n" + std::string(100, '[') + std::string(100, ']') + "}");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().message, "nested deeper than 64 levels at line 2, column 64");
  auto e = config_error_from([] { parse_json_text(std::string(64 * 1024, '['), "deep.json"); });
  EXPECT_EQ(e.file(), "deep.json");
  EXPECT_NE(e.problem().find("nested deeper than 64 levels"), std::string::npos) << e.what();
  // Brackets inside strings are text, not nesting.
  std::string text = "{\"t\": \"" + std::string(500, '[') + "\\\"" + std::string(500, '{') + "\"}";
  auto in_string = try_parse_json_text(text);
  ASSERT_TRUE(in_string.ok()) << in_string.error().message;
}

TEST(ParseJsonText, ADuplicateKeyDeepInsideIsStillFoundWithItsPath) {
  auto parsed = try_parse_json_text(R"({"a": [[{"b": {"c": 1, "c": 2}}]]})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().details.at(0).field, "/a/0/0/b/c");
}

TEST(PositionInText, CountsLinesAndColumnsFromOne) {
  EXPECT_EQ(position_in_text("abc", 0).line, 1u);
  EXPECT_EQ(position_in_text("abc", 0).column, 1u);
  EXPECT_EQ(position_in_text("ab\ncd", 4).line, 2u);
  EXPECT_EQ(position_in_text("ab\ncd", 4).column, 2u);
  EXPECT_EQ(position_in_text("ab\n", 3).line, 2u);
  EXPECT_EQ(position_in_text("ab\n", 3).column, 1u);
}

}  // namespace
}  // namespace disputed::config
