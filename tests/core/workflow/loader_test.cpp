#include "core/workflow/loader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "core/config/config_error.hpp"
#include "core/config/json_file.hpp"
#include "tests/core/config/config_error_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::workflow {
namespace {

namespace fs = std::filesystem;
using disputed::testing::config_error_from;
using disputed::testing::TempDir;
using nlohmann::json;

const fs::path kShippedConfigs = fs::path(DISPUTED_SOURCE_DIR) / "configs";

domain::Date date(int y, unsigned m, unsigned d) {
  return domain::Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// A private copy of configs/ to break one file at a time.
class ConfigCopy {
 public:
  ConfigCopy() { fs::copy(kShippedConfigs, dir(), fs::copy_options::recursive); }

  fs::path dir() const { return temp_.path() / "configs"; }
  json read(const std::string& relative) const { return config::read_json_file(dir() / relative); }
  void write(const std::string& relative, const json& doc) const {
    temp_.write("configs/" + relative, doc.dump(2));
  }
  void write_text(const std::string& relative, const std::string& text) const {
    temp_.write("configs/" + relative, text);
  }
  template <class F>
  void edit(const std::string& relative, F&& change) const {
    json doc = read(relative);
    change(doc);
    write(relative, doc);
  }
  Definitions load() const {
    return load_definitions(config::load_engine_config(dir() / "disputed.json"));
  }
  config::ConfigError error() const {
    return config_error_from([this] { load(); });
  }

 private:
  TempDir temp_;
};

std::string file_name(const config::ConfigError& e) {
  return fs::path(e.file()).filename().string();
}

// ---- the shipped configuration --------------------------------------------------------------

TEST(ShippedConfigs, LoadWithTheSixCategories) {
  auto defs = load_definitions(config::load_engine_config(kShippedConfigs / "disputed.json"));
  std::vector<std::string> ids;
  for (const auto& [id, category] : defs.categories) ids.push_back(id);
  EXPECT_EQ(ids, (std::vector<std::string>{"administrative", "delivery", "duplicate-invoice",
                                           "general", "price", "quality"}));
  EXPECT_EQ(defs.default_category, "general");
  for (const auto& [id, category] : defs.categories) {
    const WorkflowDef* wf = defs.workflow(category.workflow);
    ASSERT_NE(wf, nullptr) << id;
    EXPECT_GE(wf->steps.size(), 2u) << id;
    EXPECT_LE(wf->steps.size(), 4u) << id;
    for (const auto& [step_id, step] : wf->steps) EXPECT_EQ(step.target, "internal") << step_id;
  }
  EXPECT_EQ(defs.roles.size(), 7u);
  ASSERT_NE(defs.role("credit-control-lead"), nullptr);
  // Two escalation levels, the team lead and then management; a step the lead does themselves
  // goes to management at once.
  for (const auto& [wf_id, wf] : defs.workflows) {
    for (const auto& [step_id, step] : wf.steps) {
      ASSERT_FALSE(step.escalations.empty()) << wf_id << "/" << step_id;
      EXPECT_EQ(step.escalations.back().to,
                (AssigneeRule{domain::AssigneeKind::kRole, "management"}))
          << wf_id << "/" << step_id;
      if (step.assignee.value != "credit-control-lead") {
        EXPECT_EQ(step.escalations.size(), 2u) << wf_id << "/" << step_id;
      }
    }
  }
  EXPECT_EQ(defs.category("duplicate-invoice")->max_resolution_working_days, 5);
}

TEST(ShippedConfigs, PriceWorkflowMatchesTheCreditProcess) {
  auto defs = load_definitions(config::load_engine_config(kShippedConfigs / "disputed.json"));
  const WorkflowDef& price = *defs.workflow("price");
  const StepDef& first = price.steps.at(price.start);
  EXPECT_EQ(first.assignee.kind, domain::AssigneeKind::kAccountManager);
  ASSERT_NE(first.outcome("customer-right"), nullptr);
  ASSERT_NE(first.outcome("customer-wrong"), nullptr);
  std::set<domain::Resolution> resolutions;
  for (const auto& [id, end] : price.ends) resolutions.insert(end.resolution);
  EXPECT_TRUE(resolutions.count(domain::Resolution::kCreditNote));
  EXPECT_TRUE(resolutions.count(domain::Resolution::kRejected));
}

TEST(ShippedConfigs, DutchCalendarAndPolicies) {
  auto defs = load_definitions(config::load_engine_config(kShippedConfigs / "disputed.json"));
  EXPECT_EQ(defs.calendar.time_zone(), "Europe/Amsterdam");
  EXPECT_EQ(defs.calendar.end_of_day(), std::chrono::hours(17));
  EXPECT_EQ(defs.calendar.holidays().size(), 44u);                          // 11 a year, 2025-2028
  EXPECT_FALSE(defs.calendar.is_working_day(date(2026, 4, 6)));             // Tweede Paasdag
  EXPECT_FALSE(defs.calendar.is_working_day(date(2026, 5, 14)));            // Hemelvaartsdag
  EXPECT_FALSE(defs.calendar.is_working_day(date(2027, 5, 17)));            // Tweede Pinksterdag
  EXPECT_EQ(defs.calendar.holidays().at(date(2025, 4, 26)), "Koningsdag");  // 27th is a Sunday
  EXPECT_EQ(defs.calendar.holidays().at(date(2026, 4, 27)), "Koningsdag");
  EXPECT_TRUE(defs.calendar.is_working_day(date(2026, 4, 28)));
  EXPECT_FALSE(defs.calendar.is_working_day(date(2026, 4, 25)));  // Saturday

  EXPECT_EQ(defs.dunning.for_resolution(domain::Resolution::kCreditNote).days_after_release, 14);
  EXPECT_EQ(defs.dunning.for_resolution(domain::Resolution::kCorrectedInvoice).days_after_release,
            30);
  EXPECT_EQ(defs.dunning.for_resolution(domain::Resolution::kRejected).days_after_release, 7);
  EXPECT_EQ(defs.dunning.for_resolution(domain::Resolution::kWithdrawn).days_after_release, 7);
  EXPECT_TRUE(defs.notifications.confirm_customer);
  EXPECT_TRUE(defs.notifications.feedback_request);
  ASSERT_EQ(defs.notifications.inform.size(), 1u);
  EXPECT_EQ(defs.notifications.inform[0],
            (AssigneeRule{domain::AssigneeKind::kRole, "management"}));
}

TEST(ShippedConfigs, SuggestCategoryOnRealisticText) {
  auto defs = load_definitions(config::load_engine_config(kShippedConfigs / "disputed.json"));
  EXPECT_EQ(
      defs.suggest_category("We were charged the wrong price, the agreed discount is missing").id,
      "price");
  EXPECT_EQ(defs.suggest_category("Deze factuur hebben we dubbel ontvangen, dubbele factuur").id,
            "duplicate-invoice");
  EXPECT_EQ(defs.suggest_category("Two pallets arrived damaged, the goods are broken").id,
            "quality");
  EXPECT_EQ(defs.suggest_category("Please call me").id, "general");
}

// ---- broken configurations ------------------------------------------------------------------

TEST(LoadDefinitions, UnknownKeyNamesFileAndKeyPath) {
  ConfigCopy configs;
  configs.edit("workflows/price.json", [](json& d) { d["steps"][0]["colour"] = "red"; });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "price.json");
  EXPECT_EQ(e.key_path(), "/steps/0/colour");
  std::string what = e.what();
  EXPECT_NE(what.find("price.json: /steps/0/colour: unknown key"), std::string::npos) << what;
}

TEST(LoadDefinitions, WrongType) {
  ConfigCopy configs;
  configs.edit("categories.json",
               [](json& d) { d["categories"][1]["max_resolution_working_days"] = "15"; });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "categories.json");
  EXPECT_EQ(e.key_path(), "/categories/1/max_resolution_working_days");
  EXPECT_EQ(e.problem(), "must be a whole number, not the string \"15\"");
}

TEST(LoadDefinitions, SyntaxErrorReportsLineAndColumn) {
  ConfigCopy configs;
  configs.write_text("roles.json", "{\n  \"roles\": [\n    {\"id\": \"finance\",}\n  ]\n}\n");
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "roles.json");
  EXPECT_NE(e.problem().find("line 3, column 22"), std::string::npos) << e.what();
}

TEST(LoadDefinitions, DanglingNext) {
  ConfigCopy configs;
  configs.edit("workflows/delivery.json",
               [](json& d) { d["steps"][0]["outcomes"][1]["next"] = "issue-invoice"; });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "delivery.json");
  EXPECT_EQ(e.key_path(), "/steps/0/outcomes/1/next");
  EXPECT_NE(e.problem().find("'issue-invoice'"), std::string::npos);
}

TEST(LoadDefinitions, UnknownRole) {
  ConfigCopy configs;
  configs.edit("workflows/quality.json", [](json& d) {
    d["steps"][0]["assignee"] = {{"role", "qa"}};
  });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "quality.json");
  EXPECT_EQ(e.key_path(), "/steps/0/assignee/role");
  EXPECT_NE(e.problem().find("unknown role 'qa'"), std::string::npos) << e.what();
}

TEST(LoadDefinitions, UnknownEscalationRole) {
  ConfigCopy configs;
  configs.edit("workflows/price.json", [](json& d) {
    d["steps"][1]["escalations"][1]["to"] = {{"role", "ceo"}};
  });
  auto e = configs.error();
  EXPECT_EQ(e.key_path(), "/steps/1/escalations/1/to/role");
  // The older single form is still read, and checked at its own path.
  configs.edit("workflows/price.json", [](json& d) {
    d["steps"][1].erase("escalations");
    d["steps"][1]["escalation"] = {{"to", {{"role", "ceo"}}}};
  });
  e = configs.error();
  EXPECT_EQ(e.key_path(), "/steps/1/escalation/to/role");
}

TEST(LoadDefinitions, DeadlinesLongerThanTheCategoryPromiseAreWarnedAbout) {
  ConfigCopy configs;
  EXPECT_TRUE(deadline_warnings(configs.load()).empty()) << "the shipped workflows fit";
  // administrative: 5 working days promised; check (2) -> issue (2) = 4 fits, 4 + 2 does not.
  configs.edit("workflows/administrative.json",
               [](json& d) { d["steps"][1]["deadline_working_days"] = 4; });
  auto warnings = deadline_warnings(configs.load());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "category 'administrative': workflow 'administrative' can take longer than the "
            "category's max_resolution_working_days (5): its longest path check-invoice-details "
            "(2) -> issue-corrected-invoice (4) adds up to 6 working days");
}

TEST(LoadDefinitions, ThePromiseWatchIsConfiguredAndItsRolesChecked) {
  ConfigCopy configs;
  auto defs = configs.load();
  EXPECT_TRUE(defs.notifications.promise.enabled);
  EXPECT_EQ(defs.notifications.promise.before_working_days, 1);
  ASSERT_EQ(defs.notifications.promise.controller.size(), 1u);
  EXPECT_EQ(defs.notifications.promise.controller[0].value, "credit-control");
  ASSERT_EQ(defs.notifications.promise.management.size(), 1u);
  configs.edit("disputed.json", [](json& d) {
    d["notifications"]["promise"]["management"][0] = {{"role", "board"}};
  });
  auto e = configs.error();
  EXPECT_EQ(e.key_path(), "/notifications/promise/management/0/role");
}

TEST(LoadDefinitions, UnreachableStep) {
  ConfigCopy configs;
  configs.edit("workflows/administrative.json",
               [](json& d) { d["steps"][0]["outcomes"][0]["next"] = "corrected-invoice-issued"; });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "administrative.json");
  EXPECT_EQ(e.key_path(), "/steps/1");
  EXPECT_NE(e.problem().find("'issue-corrected-invoice' cannot be reached"), std::string::npos)
      << e.what();
}

TEST(LoadDefinitions, TrapLoop) {
  ConfigCopy configs;
  configs.edit("workflows/administrative.json", [](json& d) {
    d["steps"][0]["outcomes"][1]["next"] = "issue-corrected-invoice";
    d["steps"][1]["outcomes"][0]["next"] = "check-invoice-details";
  });
  auto e = configs.error();
  EXPECT_EQ(e.key_path(), "/steps/0");
  EXPECT_NE(e.problem().find("no end can be reached"), std::string::npos) << e.what();
}

TEST(LoadDefinitions, UnknownTimeZone) {
  ConfigCopy configs;
  configs.edit("calendars/nl.json", [](json& d) { d["time_zone"] = "Europe/Amsterdan"; });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "nl.json");
  EXPECT_EQ(e.key_path(), "/time_zone");
  EXPECT_NE(e.problem().find("Europe/Amsterdan"), std::string::npos);
}

TEST(LoadDefinitions, WorkingDaysAndEndOfDayAreChecked) {
  ConfigCopy configs;
  configs.edit("calendars/nl.json", [](json& d) { d["working_days"] = {"mon", "tues"}; });
  EXPECT_EQ(configs.error().key_path(), "/working_days/1");
  configs.edit("calendars/nl.json", [](json& d) { d["working_days"] = {"mon", "tue", "mon"}; });
  auto e = configs.error();
  EXPECT_EQ(e.key_path(), "/working_days/2");
  EXPECT_EQ(e.problem(), "duplicate of item 0");
  configs.edit("calendars/nl.json", [](json& d) {
    d["working_days"] = {"mon"};
    d["end_of_day"] = "25:00";
  });
  EXPECT_EQ(configs.error().key_path(), "/end_of_day");
}

TEST(LoadDefinitions, BadAndDuplicateHolidays) {
  ConfigCopy configs;
  configs.edit("calendars/holidays-nl.json",
               [](json& d) { d["holidays"][3]["date"] = "2025-02-30"; });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "holidays-nl.json");
  EXPECT_EQ(e.key_path(), "/holidays/3/date");

  ConfigCopy again;
  again.write("calendars/extra.json",
              json::parse(R"({"holidays": [{"date": "2026-12-25", "name": "Kerst"}]})"));
  again.edit("calendars/nl.json", [](json& d) { d["holidays"].push_back("extra.json"); });
  e = again.error();
  EXPECT_EQ(file_name(e), "extra.json");
  EXPECT_EQ(e.key_path(), "/holidays/0/date");
  EXPECT_NE(e.problem().find("duplicate holiday 2026-12-25"), std::string::npos) << e.what();
}

TEST(LoadDefinitions, UnknownDefaultCategory) {
  ConfigCopy configs;
  configs.edit("disputed.json", [](json& d) { d["default_category"] = "misc"; });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "disputed.json");
  EXPECT_EQ(e.key_path(), "/default_category");
  EXPECT_NE(e.problem().find("unknown category 'misc'"), std::string::npos);
}

TEST(LoadDefinitions, CategoryNeedsAKnownWorkflowAndUniqueId) {
  ConfigCopy configs;
  configs.edit("categories.json", [](json& d) { d["categories"][2]["workflow"] = "deliveries"; });
  auto e = configs.error();
  EXPECT_EQ(e.key_path(), "/categories/2/workflow");

  configs.edit("categories.json", [](json& d) {
    d["categories"][2]["workflow"] = "delivery";
    d["categories"][3]["id"] = "price";
  });
  e = configs.error();
  EXPECT_EQ(e.key_path(), "/categories/3/id");
}

TEST(LoadDefinitions, KeywordsAreSingleWords) {
  ConfigCopy configs;
  std::size_t index = configs.read("categories.json")["categories"][0]["keywords"].size();
  configs.edit("categories.json",
               [](json& d) { d["categories"][0]["keywords"].push_back("e-mail"); });
  auto e = configs.error();
  EXPECT_EQ(e.key_path(), "/categories/0/keywords/" + std::to_string(index));
  EXPECT_NE(e.problem().find("not a single word"), std::string::npos) << e.what();
}

TEST(LoadDefinitions, UnknownConnectorTarget) {
  ConfigCopy configs;
  configs.edit("workflows/price.json", [](json& d) { d["steps"][0]["target"] = "no-such-system"; });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "price.json");
  EXPECT_EQ(e.key_path(), "/steps/0/target");
  EXPECT_NE(e.problem().find("unknown target 'no-such-system'"), std::string::npos) << e.what();
}

TEST(LoadDefinitions, TargetMayNameAConnectorInstance) {
  ConfigCopy configs;
  configs.write("connectors/zz-test.json",
                json::parse(R"({"name": "test-salesforce-instance", "plugin": "salesforce"})"));
  configs.edit("workflows/price.json",
               [](json& d) { d["steps"][0]["target"] = "test-salesforce-instance"; });
  auto defs = configs.load();
  EXPECT_TRUE(defs.connector_instances.count("test-salesforce-instance"));
  EXPECT_EQ(defs.workflow("price")->steps.at("check-price-agreement").target,
            "test-salesforce-instance");
}

TEST(LoadDefinitions, ConnectorInstancesNeedAUniqueName) {
  ConfigCopy configs;
  configs.write("connectors/zz-a.json",
                json::parse(R"({"name": "test-duplicate-instance", "plugin": "zendesk"})"));
  configs.write("connectors/zz-b.json",
                json::parse(R"({"name": "test-duplicate-instance", "plugin": "zendesk"})"));
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "zz-b.json");
  EXPECT_EQ(e.key_path(), "/name");

  ConfigCopy other;
  other.write("connectors/zz-a.json", json::parse(R"({"plugin": "zendesk"})"));
  EXPECT_EQ(other.error().key_path(), "/name");
}

TEST(LoadDefinitions, MissingConnectorsDirIsFine) {
  ConfigCopy configs;
  configs.edit("disputed.json", [](json& d) { d["connectors_dir"] = "no-such-dir"; });
  EXPECT_TRUE(configs.load().connector_instances.empty());
}

TEST(LoadDefinitions, DuplicateWorkflowIdAcrossFiles) {
  ConfigCopy configs;
  configs.write("workflows/price-copy.json", configs.read("workflows/price.json"));
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "price.json");  // files load in name order: price-copy.json first
  EXPECT_EQ(e.key_path(), "/id");
  EXPECT_NE(e.problem().find("price-copy.json"), std::string::npos) << e.what();
}

TEST(LoadDefinitions, DunningKeysAreResolutionNames) {
  ConfigCopy configs;
  configs.edit("disputed.json", [](json& d) {
    d["dunning"]["resume"]["credit_notes"] = {{"days_after_release", 14}};
  });
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "disputed.json");
  EXPECT_EQ(e.key_path(), "/dunning/resume/credit_notes");
  EXPECT_EQ(e.problem(), "unknown key (did you mean \"credit_note\"?)");
}

TEST(LoadDefinitions, InformedPeopleAndRolesAreChecked) {
  ConfigCopy configs;
  configs.edit("disputed.json", [](json& d) {
    d["notifications"]["inform"] = {{{"role", "board"}}};
  });
  EXPECT_EQ(configs.error().key_path(), "/notifications/inform/0/role");
  configs.edit("disputed.json", [](json& d) {
    d["notifications"]["inform"] = {{{"person", "cfo"}}};
  });
  EXPECT_EQ(configs.error().key_path(), "/notifications/inform/0/person");
}

TEST(LoadDefinitions, RoleMembersAreEmailAddresses) {
  ConfigCopy configs;
  configs.edit("roles.json", [](json& d) { d["roles"][2]["members"][1] = "Lisa Smit"; });
  auto e = configs.error();
  EXPECT_EQ(e.key_path(), "/roles/2/members/1");
}

TEST(LoadDefinitions, MissingReferencedFileIsReportedWhereItIsReferenced) {
  ConfigCopy configs;
  fs::remove(configs.dir() / "roles.json");
  auto e = configs.error();
  EXPECT_EQ(file_name(e), "disputed.json");
  EXPECT_EQ(e.key_path(), "/roles");
  EXPECT_NE(e.problem().find("file not found"), std::string::npos);

  ConfigCopy other;
  other.edit("disputed.json", [](json& d) { d["workflows_dir"] = "flows"; });
  e = other.error();
  EXPECT_EQ(e.key_path(), "/workflows_dir");
}

TEST(LoadDefinitions, EmptyWorkflowsDirIsAnError) {
  ConfigCopy configs;
  fs::remove_all(configs.dir() / "workflows");
  fs::create_directory(configs.dir() / "workflows");
  EXPECT_EQ(configs.error().key_path(), "/workflows_dir");
}

TEST(LoadWorkflowFile, LoadsOneFile) {
  auto wf = load_workflow_file(kShippedConfigs / "workflows" / "delivery.json");
  EXPECT_EQ(wf.id, "delivery");
  EXPECT_EQ(wf.ends.size(), 3u);
}

}  // namespace
}  // namespace disputed::workflow
