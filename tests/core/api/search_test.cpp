// What the web app's pages ask the API: disputes found by text, channel and opening date, paged
// newest first without skipping or repeating; invoices found as you type with what is already
// disputed; the category a description suggests; API keys made, listed and revoked.

#include <gmock/gmock.h>

#include <set>

#include "tests/core/api/api_fixture.hpp"

namespace disputed::api::testing_support {
namespace {

class SearchTest : public ApiTest {
 protected:
  std::string open_with(const std::string& invoice, const std::string& channel,
                        const std::string& description, const std::string& amount = "1.00") {
    auto a = call("POST", "/api/v1/disputes",
                  json{{"invoices", {{{"number", invoice}, {"amount", amount}}}},
                       {"channel", channel},
                       {"description", description}}
                      .dump());
    EXPECT_EQ(a.status, 201) << a.raw.body;
    return a.body.value("ref", "");
  }
  std::vector<std::string> refs(const json& page) {
    std::vector<std::string> out;
    for (const auto& d : page["items"]) out.push_back(d["ref"]);
    return out;
  }
};

TEST_F(SearchTest, DisputesAreFoundByTextInTheRefCustomerOrDescription) {
  auto a = open_with("INV-1", "phone", "Price 10% too high");
  auto b = open_with("INV-3", "email", "Pallet missing");
  EXPECT_THAT(refs(call("GET", "/api/v1/disputes?q=globex", "", "viewer").body),
              ::testing::ElementsAre(b));
  EXPECT_THAT(refs(call("GET", "/api/v1/disputes?q=pallet", "", "viewer").body),
              ::testing::ElementsAre(b));
  // LIKE's wildcards are taken literally: "%" finds only the text with a percent sign.
  EXPECT_THAT(refs(call("GET", "/api/v1/disputes?q=%", "", "viewer").body),
              ::testing::ElementsAre(a));
  EXPECT_THAT(refs(call("GET", "/api/v1/disputes?q=" + a, "", "viewer").body),
              ::testing::ElementsAre(a));
  EXPECT_THAT(refs(call("GET", "/api/v1/disputes?channel=email", "", "viewer").body),
              ::testing::ElementsAre(b));
  EXPECT_EQ(call("GET", "/api/v1/disputes?channel=fax", "", "viewer").status, 422);
}

TEST_F(SearchTest, OpeningDatesAreWholeDaysFromAndTo) {
  auto a = open_with("INV-1", "phone", "first");  // the fixture's clock: 2026-11-23
  auto in = call("GET", "/api/v1/disputes?from=2026-11-23&to=2026-11-23", "", "viewer");
  EXPECT_THAT(refs(in.body), ::testing::ElementsAre(a));
  EXPECT_TRUE(call("GET", "/api/v1/disputes?from=2026-11-24", "", "viewer").body["items"].empty());
  EXPECT_TRUE(call("GET", "/api/v1/disputes?to=2026-11-22", "", "viewer").body["items"].empty());
  auto bad = call("GET", "/api/v1/disputes?from=23-11-2026", "", "viewer");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.body["error"]["details"][0]["field"], "from");
}

TEST_F(SearchTest, NewestFirstPagesNeitherSkipNorRepeatAndCountTheWhole) {
  std::vector<std::string> opened;
  for (int i = 0; i < 7; ++i) opened.push_back(open_with(i % 2 ? "INV-1" : "INV-2", "phone", "d"));
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto a = call("GET",
                  "/api/v1/disputes?order=newest&limit=3&count=true" +
                      (cursor.empty() ? std::string() : "&cursor=" + cursor),
                  "", "viewer");
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.body["total"], 7);
    for (const auto& r : refs(a.body)) seen.push_back(r);
    if (a.body["next_cursor"].is_null()) break;
    cursor = a.body["next_cursor"];
  }
  std::vector<std::string> expected(opened.rbegin(), opened.rend());
  EXPECT_EQ(seen, expected);
}

TEST_F(SearchTest, InvoicesAreFoundAsYouTypeWithWhatIsAlreadyDisputed) {
  open_with("INV-1", "phone", "x", "250.00");
  auto by_number = call("GET", "/api/v1/invoices?q=INV-1", "", "viewer");
  ASSERT_EQ(by_number.status, 200);
  ASSERT_EQ(by_number.body["items"].size(), 1u);
  EXPECT_EQ(by_number.body["items"][0]["disputed_amount"], "250.00");
  EXPECT_EQ(by_number.body["items"][0]["undisputed_amount"], "750.00");
  EXPECT_EQ(by_number.body["items"][0]["active_disputes"], 1);
  auto by_customer = call("GET", "/api/v1/invoices?q=acme", "", "viewer");
  std::set<std::string> numbers;
  for (const auto& i : by_customer.body["items"]) numbers.insert(i["number"]);
  EXPECT_EQ(numbers, (std::set<std::string>{"INV-1", "INV-2"}));
  EXPECT_EQ(call("GET", "/api/v1/invoices?q=" + std::string(101, 'x'), "", "viewer").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/invoices?q=INV&limit=51", "", "viewer").status, 422);
}

TEST_F(SearchTest, TheSuggestedCategoryIsTheOneRegistrationWouldPick) {
  auto s = call("GET", "/api/v1/categories/suggestion?text=price", "", "viewer");
  ASSERT_EQ(s.status, 200);
  auto registered = open_with("INV-1", "phone", "price");
  auto d = call("GET", "/api/v1/disputes/" + registered, "", "viewer");
  EXPECT_EQ(s.body["category"]["id"], d.body["category"]);
  auto none = call("GET", "/api/v1/categories/suggestion?text=zzz", "", "viewer");
  EXPECT_FALSE(none.body["matched"].get<bool>());
  EXPECT_EQ(none.body["category"]["id"], defs_.default_category);
}

TEST_F(SearchTest, OpenStepsListTheirOutcomesAndTasksCarryTheAmount) {
  auto ref = open_with("INV-1", "phone", "the price is wrong", "12.50");
  auto d = call("GET", "/api/v1/disputes/" + ref, "", "viewer");
  const json& step = d.body["steps"][0];
  ASSERT_TRUE(step.contains("outcomes"));
  EXPECT_FALSE(step["outcomes"].empty());
  auto tasks = call("GET", "/api/v1/tasks", "", "viewer");
  for (const auto& t : tasks.body["items"])
    if (t["dispute"] == ref) {
      EXPECT_EQ(t["disputed_amount"], "12.50");
      EXPECT_EQ(t["currency"], "EUR");
      EXPECT_EQ(t["outcomes"], step["outcomes"]);
    }
}

TEST_F(SearchTest, AnAdministratorMakesListsAndRevokesApiKeysOverRest) {
  auto made = call("POST", "/api/v1/api-keys", R"({"name":"erp","role":"integration"})", "admin");
  ASSERT_EQ(made.status, 201) << made.raw.body;
  std::string key = made.body["key"];
  auto listed = call("GET", "/api/v1/api-keys", "", "admin");
  bool found = false;
  for (const auto& k : listed.body["items"]) {
    EXPECT_FALSE(k.contains("key")) << "never the key itself";
    found = found || k["name"] == "erp";
  }
  EXPECT_TRUE(found);
  keys_["erp"] = key;
  EXPECT_EQ(call("GET", "/api/v1/disputes", "", "erp").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/api-keys", R"({"name":"x","role":"admin"})", "controller").status,
            403);
  EXPECT_EQ(call("DELETE", "/api/v1/api-keys/erp", "", "admin").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/disputes", "", "erp").status, 401);
  auto bad = call("POST", "/api/v1/api-keys", R"({"name":"a b","role":"viewer"})", "admin");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.body["error"]["details"][0]["field"], "name");
}

}  // namespace
}  // namespace disputed::api::testing_support
