#include "core/workflow/definition.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/config/config_error.hpp"
#include "tests/core/config/config_error_support.hpp"

namespace disputed::workflow {
namespace {

using disputed::testing::config_error_from;
using nlohmann::json;

// check -> (right) approve -> (approved) credit -> credit-note-issued
//       -> (wrong) rejected;    approve -> (declined) rejected
json price_workflow() {
  return json::parse(R"({
    "$schema": "../schemas/workflow.schema.json",
    "id": "price",
    "name": "Price dispute",
    "start": "check",
    "steps": [
      {"id": "check", "title": "Check the price agreement", "instructions": "Compare.",
       "assignee": {"account_manager": true}, "target": "internal", "deadline_working_days": 3,
       "reminders": [{"working_days_before": 1}, {"working_days_before": 0}],
       "escalation": {"after_overdue_working_days": 2, "to": {"role": "sales-management"}},
       "outcomes": [{"outcome": "customer-right", "next": "approve"},
                    {"outcome": "customer-wrong", "next": "rejected"}]},
      {"id": "approve", "title": "Approve the credit", "assignee": {"role": "sales-management"},
       "outcomes": [{"outcome": "approved", "next": "credit"}, {"outcome": "declined", "next": "rejected"}]},
      {"id": "credit", "title": "Issue the credit note", "assignee": {"person": "finance@example.com"},
       "deadline_working_days": 1,
       "outcomes": [{"outcome": "issued", "next": "credit-note-issued"}]}
    ],
    "ends": [
      {"id": "credit-note-issued", "resolution": "credit_note", "note": "Credited."},
      {"id": "rejected", "resolution": "rejected"}
    ]
  })");
}

config::ConfigError error_after(void (*change)(json&)) {
  json doc = price_workflow();
  change(doc);
  return config_error_from([&] { WorkflowDef::from_json(doc, "workflows/price.json"); });
}

TEST(WorkflowDef, ParsesTheFileFormatWithDefaults) {
  auto wf = WorkflowDef::from_json(price_workflow(), "price.json");
  EXPECT_EQ(wf.id, "price");
  EXPECT_EQ(wf.start, "check");
  ASSERT_EQ(wf.steps.size(), 3u);
  const StepDef* check = wf.step("check");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->assignee.kind, domain::AssigneeKind::kAccountManager);
  EXPECT_EQ(check->deadline_working_days, 3);
  ASSERT_EQ(check->reminders.size(), 2u);
  EXPECT_EQ(check->reminders[1].working_days_before, 0);
  ASSERT_EQ(check->escalations.size(), 1u);  // the single "escalation" form is one level
  EXPECT_EQ(check->escalations[0].to,
            (AssigneeRule{domain::AssigneeKind::kRole, "sales-management"}));
  ASSERT_NE(check->outcome("customer-right"), nullptr);
  EXPECT_EQ(check->outcome("customer-right")->next, "approve");
  EXPECT_EQ(check->outcome("maybe"), nullptr);

  const StepDef* approve = wf.step("approve");  // everything optional left out
  EXPECT_EQ(approve->target, "internal");
  EXPECT_EQ(approve->deadline_working_days, 2);
  EXPECT_TRUE(approve->reminders.empty());
  EXPECT_TRUE(approve->escalations.empty());
  EXPECT_EQ(approve->instructions, "");

  EXPECT_EQ(wf.step("credit")->assignee.value, "finance@example.com");
  ASSERT_NE(wf.end("credit-note-issued"), nullptr);
  EXPECT_EQ(wf.end("credit-note-issued")->resolution, domain::Resolution::kCreditNote);
  EXPECT_EQ(wf.end("rejected")->note, "");
  EXPECT_EQ(wf.step("nope"), nullptr);
  EXPECT_EQ(wf.end("check"), nullptr);
}

TEST(WorkflowDef, ToJsonRoundTrips) {
  auto wf = WorkflowDef::from_json(price_workflow(), "price.json");
  json canonical = wf.to_json();
  EXPECT_FALSE(canonical.contains("$schema"));
  auto again = WorkflowDef::from_json(canonical, "snapshot");
  EXPECT_EQ(again, wf);
  EXPECT_EQ(again.to_json(), canonical);
  // Steps come in reading order (from start, following outcomes), not alphabetically.
  EXPECT_EQ(canonical["steps"][0]["id"], "check");
  EXPECT_EQ(canonical["steps"][1]["id"], "approve");
  EXPECT_EQ(canonical["steps"][2]["id"], "credit");
  EXPECT_EQ(canonical["steps"][1]["target"], "internal");  // defaults are written out
}

TEST(WorkflowDef, HashIsStableAndFollowsContent) {
  auto wf = WorkflowDef::from_json(price_workflow(), "price.json");
  std::string h = wf.hash();
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(wf.hash(), h);
  EXPECT_EQ(WorkflowDef::from_json(wf.to_json(), "x").hash(), h);

  // The order of steps in the file is presentation, not content.
  json reordered = price_workflow();
  std::swap(reordered["steps"][0], reordered["steps"][2]);
  EXPECT_EQ(WorkflowDef::from_json(reordered, "x").hash(), h);

  auto changed = wf;
  changed.steps["approve"].deadline_working_days = 5;
  EXPECT_NE(changed.hash(), h);
}

TEST(WorkflowDef, SchemaViolationNamesTheKeyPath) {
  auto e = error_after([](json& d) { d["steps"][0]["colour"] = "red"; });
  EXPECT_EQ(e.file(), "workflows/price.json");
  EXPECT_EQ(e.key_path(), "/steps/0/colour");
  EXPECT_EQ(e.problem(), "unknown key");
  EXPECT_STREQ(e.what(), "workflows/price.json: /steps/0/colour: unknown key");
}

TEST(WorkflowDef, DeadlineOutOfRange) {
  auto e = error_after([](json& d) { d["steps"][0]["deadline_working_days"] = 61; });
  EXPECT_EQ(e.key_path(), "/steps/0/deadline_working_days");
}

TEST(WorkflowDef, DanglingNext) {
  auto e = error_after([](json& d) { d["steps"][1]["outcomes"][0]["next"] = "creditt"; });
  EXPECT_EQ(e.key_path(), "/steps/1/outcomes/0/next");
  EXPECT_NE(e.problem().find("unknown step or end 'creditt'"), std::string::npos) << e.what();
}

TEST(WorkflowDef, StartMustNameAStep) {
  auto e = error_after([](json& d) { d["start"] = "nope"; });
  EXPECT_EQ(e.key_path(), "/start");
  e = error_after([](json& d) { d["start"] = "rejected"; });
  EXPECT_EQ(e.key_path(), "/start");
  EXPECT_NE(e.problem().find("is an end"), std::string::npos);
}

TEST(WorkflowDef, IdsAreUniqueAndStepsAndEndsDisjoint) {
  auto e = error_after([](json& d) { d["steps"][2]["id"] = "approve"; });
  EXPECT_EQ(e.key_path(), "/steps/2/id");
  EXPECT_NE(e.problem().find("duplicate step id"), std::string::npos);

  e = error_after([](json& d) {
    d["ends"].push_back({{"id", "rejected"}, {"resolution", "withdrawn"}});
  });
  EXPECT_EQ(e.key_path(), "/ends/2/id");

  e = error_after([](json& d) { d["ends"][1]["id"] = "approve"; });
  EXPECT_EQ(e.key_path(), "/ends/1/id");
  EXPECT_NE(e.problem().find("already a step id"), std::string::npos);
}

TEST(WorkflowDef, OutcomesAreRequiredAndUniquePerStep) {
  auto e = error_after([](json& d) { d["steps"][1]["outcomes"] = json::array(); });
  EXPECT_EQ(e.key_path(), "/steps/1/outcomes");
  e = error_after([](json& d) { d["steps"][1]["outcomes"][1]["outcome"] = "approved"; });
  EXPECT_EQ(e.key_path(), "/steps/1/outcomes/1/outcome");
  EXPECT_NE(e.problem().find("duplicate outcome 'approved'"), std::string::npos);
}

TEST(WorkflowDef, UnreachableStep) {
  auto e = error_after([](json& d) {
    d["steps"].push_back({{"id", "orphan"},
                          {"title", "Nobody comes here"},
                          {"assignee", {{"role", "finance"}}},
                          {"outcomes", {{{"outcome", "done"}, {"next", "rejected"}}}}});
  });
  EXPECT_EQ(e.key_path(), "/steps/3");
  EXPECT_NE(e.problem().find("cannot be reached"), std::string::npos) << e.what();
}

TEST(WorkflowDef, TrapLoopWithoutAnEnd) {
  // approve <-> credit, neither leads to an end any more.
  auto e = error_after([](json& d) {
    d["steps"][1]["outcomes"][1]["next"] = "credit";
    d["steps"][2]["outcomes"][0]["next"] = "approve";
  });
  EXPECT_EQ(e.key_path(), "/steps/1");
  EXPECT_NE(e.problem().find("no end can be reached from step 'approve'"), std::string::npos)
      << e.what();
}

TEST(WorkflowDef, ALoopWithAWayOutIsFine) {
  json doc = price_workflow();
  doc["steps"][1]["outcomes"].push_back({{"outcome", "ask-again"}, {"next", "check"}});
  EXPECT_NO_THROW(WorkflowDef::from_json(doc, "price.json"));
}

TEST(WorkflowDef, RemindersFallBeforeTheDeadline) {
  auto e = error_after([](json& d) { d["steps"][0]["reminders"][0]["working_days_before"] = 3; });
  EXPECT_EQ(e.key_path(), "/steps/0/reminders/0/working_days_before");
  EXPECT_NE(e.problem().find("less than the step's deadline_working_days (3)"), std::string::npos);
  e = error_after([](json& d) { d["steps"][0]["reminders"][0]["working_days_before"] = -1; });
  EXPECT_EQ(e.key_path(), "/steps/0/reminders/0/working_days_before");
}

TEST(WorkflowDef, PersonAssigneesAreEmailAddresses) {
  auto e = error_after([](json& d) { d["steps"][2]["assignee"]["person"] = "finance team"; });
  EXPECT_EQ(e.key_path(), "/steps/2/assignee/person");
  EXPECT_NE(e.problem().find("not an e-mail address"), std::string::npos);
  e = error_after([](json& d) { d["steps"][0]["escalation"]["to"] = {{"person", "boss"}}; });
  EXPECT_EQ(e.key_path(), "/steps/0/escalation/to/person");
}

TEST(WorkflowDef, EscalationLevelsAreReadInOrderWithTheirChannels) {
  json doc = price_workflow();
  doc["steps"][0].erase("escalation");
  doc["steps"][0]["escalations"] = json::parse(R"([
    {"after_overdue_working_days": 1, "to": {"role": "sales-management"}},
    {"after_overdue_working_days": 3, "to": {"person": "boss@example.com"}, "channel": "reassign"}
  ])");
  auto wf = WorkflowDef::from_json(doc, "price.json");
  const StepDef* check = wf.step("check");
  ASSERT_EQ(check->escalations.size(), 2u);
  EXPECT_EQ(check->escalations[0].after_overdue_working_days, 1);
  EXPECT_EQ(check->escalations[0].channel, EscalationChannel::kDefault);
  EXPECT_EQ(check->escalations[0].effective_channel("internal"), EscalationChannel::kEmail);
  EXPECT_EQ(check->escalations[0].effective_channel("zendesk"), EscalationChannel::kTask);
  EXPECT_EQ(check->escalations[1].to,
            (AssigneeRule{domain::AssigneeKind::kPerson, "boss@example.com"}));
  EXPECT_EQ(check->escalations[1].effective_channel("zendesk"), EscalationChannel::kReassign);
  // The snapshot form lists the levels; a channel left to its default stays out.
  json canonical = wf.to_json();
  EXPECT_EQ(canonical["steps"][0]["escalations"].size(), 2u);
  EXPECT_FALSE(canonical["steps"][0]["escalations"][0].contains("channel"));
  EXPECT_EQ(canonical["steps"][0]["escalations"][1]["channel"], "reassign");
  EXPECT_EQ(WorkflowDef::from_json(canonical, "snapshot"), wf);
}

TEST(WorkflowDef, TheSingleEscalationFormIsOneLevelAndHashesLikeIt) {
  auto single = WorkflowDef::from_json(price_workflow(), "price.json");
  json doc = price_workflow();
  doc["steps"][0]["escalations"] = json::array({doc["steps"][0]["escalation"]});
  doc["steps"][0].erase("escalation");
  EXPECT_EQ(WorkflowDef::from_json(doc, "price.json").hash(), single.hash());
}

TEST(WorkflowDef, BadEscalationLevelsNameTheWorkflowStepAndLevel) {
  auto e = error_after([](json& d) {
    d["steps"][0]["escalations"] = json::parse(R"([
      {"after_overdue_working_days": 2, "to": {"role": "a"}},
      {"after_overdue_working_days": 2, "to": {"role": "b"}}])");
    d["steps"][0].erase("escalation");
  });
  EXPECT_EQ(e.key_path(), "/steps/0/escalations/1/after_overdue_working_days");
  EXPECT_NE(e.problem().find("workflow 'price', step 'check', escalation level 2"),
            std::string::npos)
      << e.what();
  EXPECT_NE(e.problem().find("more than level 1's (2 working days overdue)"), std::string::npos);

  e = error_after(
      [](json& d) { d["steps"][0]["escalations"] = json::array({d["steps"][0]["escalation"]}); });
  EXPECT_EQ(e.key_path(), "/steps/0/escalation");
  EXPECT_NE(e.problem().find("not both"), std::string::npos);

  e = error_after([](json& d) {
    d["steps"][0]["escalations"] =
        json::parse(R"([{"to": {"role": "a"}}, {"after_overdue_working_days": 3,
                         "to": {"person": "boss"}}])");
    d["steps"][0].erase("escalation");
  });
  EXPECT_EQ(e.key_path(), "/steps/0/escalations/1/to/person");
  EXPECT_NE(e.problem().find("escalation level 2: 'boss' is not an e-mail address"),
            std::string::npos)
      << e.what();

  e = error_after([](json& d) { d["steps"][0]["escalation"]["channel"] = "fax"; });
  EXPECT_EQ(e.key_path(), "/steps/0/escalation/channel");
}

TEST(WorkflowDef, TheLongestDeadlinePathFollowsTheSlowestOutcomes) {
  auto wf = WorkflowDef::from_json(price_workflow(), "price.json");
  // check (3) -> approve (2) -> credit (1); check -> rejected is shorter.
  DeadlinePath path = longest_deadline_path(wf);
  EXPECT_EQ(path.working_days, 6);
  EXPECT_EQ(path.steps, (std::vector<std::string>{"check", "approve", "credit"}));

  json loop = price_workflow();  // approve may send it back to check: followed once
  loop["steps"][1]["outcomes"].push_back({{"outcome", "recheck"}, {"next", "check"}});
  EXPECT_EQ(longest_deadline_path(WorkflowDef::from_json(loop, "x")).working_days, 6);
}

TEST(WorkflowDef, IdsFollowThePattern) {
  auto e = error_after([](json& d) { d["steps"][0]["id"] = "Check Price"; });
  EXPECT_EQ(e.key_path(), "/steps/0/id");
}

TEST(AssigneeRule, JsonFormAndDescription) {
  AssigneeRule role{domain::AssigneeKind::kRole, "finance"};
  EXPECT_EQ(to_json(role), json::parse(R"({"role": "finance"})"));
  EXPECT_EQ(assignee_from_json(to_json(role)), role);
  AssigneeRule manager{};
  EXPECT_EQ(to_json(manager), json::parse(R"({"account_manager": true})"));
  EXPECT_EQ(describe(manager), "account manager");
  EXPECT_EQ(describe(AssigneeRule{domain::AssigneeKind::kPerson, "a@example.com"}),
            "person a@example.com");
}

TEST(Words, SplitOnPunctuationAndLowerCase) {
  EXPECT_EQ(words_of("The PRICE (€12,50) was wrong!"),
            (std::vector<std::string>{"the", "price", "€12", "50", "was", "wrong"}));
  EXPECT_TRUE(words_of(" ,.-").empty());
}

Definitions definitions_with_categories() {
  Definitions defs;
  auto add = [&](std::string id, std::vector<std::string> keywords) {
    CategoryDef c;
    c.id = id;
    c.name = id;
    c.workflow = id;
    c.keywords = std::move(keywords);
    defs.categories.emplace(id, std::move(c));
  };
  add("price", {"price", "discount", "prijs"});
  add("delivery", {"delivered", "missing", "late"});
  add("quality", {"damaged", "broken"});
  add("general", {});
  defs.default_category = "general";
  return defs;
}

TEST(SuggestCategory, MostKeywordHitsWin) {
  auto defs = definitions_with_categories();
  EXPECT_EQ(defs.suggest_category("The price is wrong, the discount was not applied").id, "price");
  EXPECT_EQ(defs.suggest_category("Goods were delivered late and one box is missing; price ok").id,
            "delivery");
}

TEST(SuggestCategory, CaseInsensitiveWholeWords) {
  auto defs = definitions_with_categories();
  EXPECT_EQ(defs.suggest_category("PRIJS klopt niet").id, "price");
  EXPECT_EQ(defs.suggest_category("A priceless experience, undelivered").id, "general");
}

TEST(SuggestCategory, TiesGoToTheFirstCategoryId) {
  auto defs = definitions_with_categories();
  // One hit each for delivery, price and quality: "delivery" sorts first.
  EXPECT_EQ(defs.suggest_category("broken, late, price").id, "delivery");
}

TEST(SuggestCategory, NoHitsGiveTheDefault) {
  auto defs = definitions_with_categories();
  EXPECT_EQ(defs.suggest_category("").id, "general");
  EXPECT_EQ(defs.suggest_category("please call me back").id, "general");
}

TEST(Definitions, LookupsReturnNullForUnknownIds) {
  auto defs = definitions_with_categories();
  ASSERT_NE(defs.category("price"), nullptr);
  EXPECT_EQ(defs.category("nope"), nullptr);
  EXPECT_EQ(defs.workflow("price"), nullptr);
  EXPECT_EQ(defs.role("finance"), nullptr);
}

TEST(DunningPolicy, FallsBackToTheDefault) {
  DunningPolicy policy;
  policy.per_resolution[domain::Resolution::kCorrectedInvoice] = {30, true};
  policy.fallback = {14, false};
  EXPECT_EQ(policy.for_resolution(domain::Resolution::kCorrectedInvoice).days_after_release, 30);
  EXPECT_EQ(policy.for_resolution(domain::Resolution::kRejected), (ResumePolicy{14, false}));
}

}  // namespace
}  // namespace disputed::workflow
