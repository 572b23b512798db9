#include "core/config/json_schema.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "core/config/config_error.hpp"
#include "tests/core/config/config_error_support.hpp"

namespace disputed::config {
namespace {

using disputed::testing::config_error_from;
using nlohmann::json;

// A cut-down workflow schema: enough to show each kind of violation.
const JsonSchema& test_schema() {
  static const JsonSchema schema(json::parse(R"({
    "type": "object",
    "additionalProperties": false,
    "required": ["id", "steps"],
    "properties": {
      "$schema": {"type": "string"},
      "id": {"$ref": "#/definitions/id"},
      "mode": {"enum": ["normal", "full"]},
      "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/step"}}
    },
    "definitions": {
      "id": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$",
             "patternErrorMessage": "must be an id: lower-case letters, digits and '-'"},
      "step": {
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "title"],
        "properties": {
          "id": {"$ref": "#/definitions/id"},
          "title": {"type": "string", "minLength": 1},
          "deadline_working_days": {"type": "integer", "minimum": 0, "maximum": 60},
          "assignee": {
            "errorMessage": "must be {\"person\": ...} or {\"role\": ...}",
            "oneOf": [
              {"type": "object", "additionalProperties": false, "required": ["person"],
               "properties": {"person": {"type": "string"}}},
              {"type": "object", "additionalProperties": false, "required": ["role"],
               "properties": {"role": {"type": "string"}}}
            ]
          }
        }
      }
    }
  })"),
                                 "test");
  return schema;
}

json valid_doc() {
  return json::parse(R"({"id": "price", "steps": [{"id": "check", "title": "Check",
                         "deadline_working_days": 3, "assignee": {"role": "finance"}}]})");
}

std::vector<domain::FieldProblem> problems_after(void (*change)(json&)) {
  json doc = valid_doc();
  change(doc);
  return test_schema().problems(doc);
}

TEST(JsonSchema, ValidDocumentHasNoProblems) {
  EXPECT_TRUE(test_schema().problems(valid_doc()).empty());
  EXPECT_NO_THROW(test_schema().validate_or_throw(valid_doc(), "x.json"));
}

TEST(JsonSchema, UnknownKeyIsNamedInTheField) {
  auto p = problems_after([](json& d) { d["steps"][0]["colour"] = "red"; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/steps/0/colour");
  EXPECT_EQ(p[0].problem, "unknown key");
}

TEST(JsonSchema, UnknownKeyCloseToAKnownOneGetsASuggestion) {
  auto p = problems_after([](json& d) { d["steps"][0]["titel"] = "x"; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/steps/0/titel");
  EXPECT_EQ(p[0].problem, "unknown key (did you mean \"title\"?)");
}

TEST(JsonSchema, WrongTypeSaysWhatWasExpectedAndWhatCame) {
  auto p = problems_after([](json& d) { d["steps"][0]["deadline_working_days"] = "three"; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/steps/0/deadline_working_days");
  EXPECT_EQ(p[0].problem, "must be a whole number, not the string \"three\"");
}

TEST(JsonSchema, MissingRequiredKeyPointsAtTheKey) {
  auto p = problems_after([](json& d) { d["steps"][0].erase("title"); });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/steps/0/title");
  EXPECT_EQ(p[0].problem, "is required but missing");
}

TEST(JsonSchema, LimitsAreStatedAsNumbers) {
  auto p = problems_after([](json& d) { d["steps"][0]["deadline_working_days"] = 61; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].problem, "must be at most 60 (got the number 61)");
  p = problems_after([](json& d) { d["steps"][0]["deadline_working_days"] = -1; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].problem, "must be at least 0 (got the number -1)");
}

TEST(JsonSchema, EnumListsTheAllowedValues) {
  auto p = problems_after([](json& d) { d["mode"] = "fast"; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/mode");
  EXPECT_EQ(p[0].problem, "must be one of \"normal\" or \"full\" (got the string \"fast\")");
}

TEST(JsonSchema, PatternUsesTheSchemasOwnExplanation) {
  auto p = problems_after([](json& d) { d["id"] = "Price"; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/id");
  EXPECT_EQ(p[0].problem,
            "must be an id: lower-case letters, digits and '-' (got the string \"Price\")");
}

TEST(JsonSchema, FailedOneOfIsOneProblemNotOnePerBranch) {
  auto p = problems_after([](json& d) { d["steps"][0]["assignee"] = {{"rol", "finance"}}; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/steps/0/assignee");
  EXPECT_EQ(p[0].problem, "must be {\"person\": ...} or {\"role\": ...}");
}

TEST(JsonSchema, EmptyListAndEmptyString) {
  auto p = problems_after([](json& d) { d["steps"] = json::array(); });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/steps");
  EXPECT_EQ(p[0].problem, "must not be empty");
  p = problems_after([](json& d) { d["steps"][0]["title"] = ""; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].problem, "must not be empty");
}

TEST(JsonSchema, ReportsEveryViolation) {
  auto p = problems_after([](json& d) {
    d["colour"] = 1;
    d["steps"][0]["deadline_working_days"] = "x";
    d["steps"][0].erase("title");
  });
  EXPECT_EQ(p.size(), 3u);
}

TEST(JsonSchema, WholeDocumentOfTheWrongTypeHasAnEmptyField) {
  auto p = test_schema().problems(json::array());
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "");
  EXPECT_EQ(p[0].problem, "must be an object, not a list");
  EXPECT_FALSE(test_schema().problems(json()).empty());
}

TEST(JsonSchema, ValidateOrThrowNamesSourceKeyPathAndCountsTheRest) {
  json doc = valid_doc();
  doc["steps"][0]["colour"] = "red";
  doc["mode"] = "fast";
  auto e = config_error_from(
      [&] { test_schema().validate_or_throw(doc, "configs/workflows/price.json"); });
  EXPECT_EQ(e.file(), "configs/workflows/price.json");
  EXPECT_FALSE(e.key_path().empty());
  EXPECT_NE(e.problem().find("(and 1 more problem)"), std::string::npos) << e.what();
}

TEST(JsonSchema, InvalidSchemaIsAConfigError) {
  auto e = config_error_from([] {
    JsonSchema(json::parse(R"({"properties": {"a": {"$ref": "#/definitions/missing"}}})"), "bad");
  });
  EXPECT_EQ(e.file(), "bad");
}

TEST(JsonSchema, FromTextReportsSyntaxErrors) {
  auto e = config_error_from([] { JsonSchema::from_text("{\"type\": }", "broken.schema.json"); });
  EXPECT_NE(e.problem().find("line 1"), std::string::npos);
}

TEST(EmbeddedSchema, EverySchemaFileIsCompiledIn) {
  std::vector<std::string> expected{"calendar",        "categories", "connector-instance",
                                    "disputed",        "holidays",   "message-language",
                                    "plugin-manifest", "roles",      "workflow"};
  EXPECT_EQ(embedded_schema_names(), expected);
  for (const auto& name : expected) {
    EXPECT_EQ(embedded_schema(name).name(), "<embedded " + name + ".schema.json>");
    // The compiled-in text is the file in configs/schemas/ (the build re-embeds on change).
    std::ifstream in(std::string(DISPUTED_SOURCE_DIR) + "/configs/schemas/" + name +
                     ".schema.json");
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(embedded_schema_text(name), text.str()) << name;
  }
}

TEST(EmbeddedSchema, UnknownNameIsOutOfRange) {
  EXPECT_THROW(embedded_schema("nope"), std::out_of_range);
  EXPECT_THROW(embedded_schema_text("nope"), std::out_of_range);
}

TEST(EmbeddedSchema, AssigneeRuleIsExactlyOneForm) {
  const auto& schema = embedded_schema("workflow");
  auto step = [](json assignee) {
    return json{{"id", "w"},
                {"name", "W"},
                {"start", "a"},
                {"steps",
                 {{{"id", "a"},
                   {"title", "A"},
                   {"assignee", assignee},
                   {"outcomes", {{{"outcome", "done"}, {"next", "e"}}}}}}},
                {"ends", {{{"id", "e"}, {"resolution", "rejected"}}}}};
  };
  EXPECT_TRUE(schema.problems(step({{"person", "a@example.com"}})).empty());
  EXPECT_TRUE(schema.problems(step({{"role", "finance"}})).empty());
  EXPECT_TRUE(schema.problems(step({{"account_manager", true}})).empty());
  for (const json& bad :
       {json{{"role", "finance"}, {"person", "a@example.com"}}, json::object(), json("finance")}) {
    auto p = schema.problems(step(bad));
    ASSERT_EQ(p.size(), 1u) << bad.dump();
    EXPECT_EQ(p[0].field, "/steps/0/assignee");
    EXPECT_NE(p[0].problem.find("exactly one of"), std::string::npos) << p[0].problem;
  }
  // When the form is recognisable, the problem inside it is the one to report.
  auto p = schema.problems(step({{"role", "Finance"}}));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/steps/0/assignee/role");
  p = schema.problems(step({{"account_manager", false}}));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/steps/0/assignee/account_manager");
  EXPECT_EQ(p[0].problem, "must be true (got false)");
}

// Issue 13, finding 1: valijson ran "pattern" and "format" through std::regex, which recurses
// once per character and overflowed the stack on a long string. Now a pattern runs only on
// strings up to kMaxPatternSubject characters and formats are checked by hand.
TEST(JsonSchema, AStringTooLongForItsPatternIsAProblemNotACrash) {
  auto p = problems_after([](json& d) { d["id"] = std::string(100'000, 'a'); });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].field, "/id");
  EXPECT_EQ(p[0].problem, "must be at most 1024 characters long (got the string \"" +
                              std::string(37, 'a') + "...\")");
  // Up to the limit the pattern is checked as before.
  EXPECT_TRUE(problems_after([](json& d) { d["id"] = std::string(1024, 'a'); }).empty());
  p = problems_after([](json& d) { d["id"] = std::string(1000, 'a') + "A"; });
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].problem.find("must be an id"), std::string::npos) << p[0].problem;
}

TEST(JsonSchema, DateFormatsAreCheckedWithoutARegexAtAnyLength) {
  JsonSchema schema(json::parse(R"({"type": "object", "properties": {
      "day": {"type": "string", "format": "date"},
      "at": {"type": "string", "format": "date-time"},
      "pattern": {"type": "string"},
      "format": {"type": "string", "enum": ["csv", "json"]}}})"),
                    "formats");
  EXPECT_TRUE(schema.problems(json{{"day", "2028-02-29"}, {"at", "2026-11-23T08:00:00Z"}}).empty());
  EXPECT_TRUE(schema.problems(json{{"at", "2026-11-23T08:00:00.123+01:00"}}).empty());
  // Properties named like the keywords are still properties.
  EXPECT_TRUE(schema.problems(json{{"pattern", "x"}, {"format", "csv"}}).empty());
  EXPECT_EQ(schema.problems(json{{"format", "xml"}}).size(), 1u);
  for (const std::string& bad : {std::string("2027-02-29"), std::string("2026-13-01"),
                                 std::string(60'000, '2') + "-01-01", std::string("2026-1-01")}) {
    auto p = schema.problems(json{{"day", bad}});
    ASSERT_EQ(p.size(), 1u) << bad.substr(0, 20);
    EXPECT_EQ(p[0].field, "/day");
    EXPECT_NE(p[0].problem.find("must be a date written YYYY-MM-DD"), std::string::npos);
  }
  for (const std::string& bad :
       {std::string("2026-11-23 08:00:00Z"), std::string("2026-11-23T24:00:00Z"),
        std::string("2026-11-23T08:00:00"),
        "2026-11-23T08:00:00." + std::string(60'000, '1') + "Z"}) {
    auto p = schema.problems(json{{"at", bad}});
    ASSERT_EQ(p.size(), 1u) << bad.substr(0, 30);
    EXPECT_EQ(p[0].field, "/at");
    EXPECT_NE(p[0].problem.find("must be a date and time written YYYY-MM-DDTHH:MM:SSZ"),
              std::string::npos)
        << p[0].problem;
  }
}

TEST(JsonSchema, PatternPropertiesAreRefusedWhenTheSchemaIsCompiled) {
  try {
    JsonSchema(json::parse(R"({"type": "object", "patternProperties": {"^x-": {}}})"), "pp");
    FAIL() << "patternProperties was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("patternProperties"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace disputed::config
