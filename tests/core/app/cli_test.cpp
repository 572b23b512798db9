#include "core/app/cli.hpp"

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "core/app/commands/commands.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::app {
namespace {

using ::testing::HasSubstr;

class CliTest : public ::testing::Test {
 protected:
  struct Run {
    int code;
    std::string out;
    std::string err;
  };

  Run run(std::vector<std::string> args) {
    std::vector<std::string> full = {
        "--config",          config_, "--db", (dir_ / "cli.db").string(), "--as",
        "clerk@example.com", "--now", now_};
    full.insert(full.end(), args.begin(), args.end());
    std::ostringstream out, err;
    int code = run_cli(full, out, err, [](const char*) -> const char* { return nullptr; });
    return {code, out.str(), err.str()};
  }

  void SetUp() override {
    ASSERT_EQ(run({"migrate"}).code, kExitOk);
    dir_.write("invoices.csv",
               "number,customer_id,customer_name,customer_email,customer_language,amount,currency,"
               "issue_date,due_date,account_manager\n"
               "INV-1001,C-1,Bakkerij de "
               "Vries,admin@devries.example,nl,1210.00,EUR,2026-11-02,2026-12-02,am@example.com\n"
               "INV-1002,C-1,Bakkerij de "
               "Vries,admin@devries.example,nl,99.95,EUR,2026-11-03,2026-12-03,am@example.com\n");
    auto r = run({"import", "invoices", (dir_ / "invoices.csv").string()});
    ASSERT_EQ(r.code, kExitOk) << r.err;
  }

  std::int64_t dispute_count() {
    auto r = run({"dispute", "list", "--json"});
    return std::int64_t(nlohmann::json::parse(r.out)["items"].size());
  }

  testing::TempDir dir_;
  std::string config_ = std::string(DISPUTED_SOURCE_DIR) + "/configs/disputed.json";
  std::string now_ = "2026-11-23T08:00:00Z";
};

TEST_F(CliTest, RegisterShowAndCompleteAStep) {
  auto r = run({"dispute", "open", "--invoice", "INV-1001=210.00", "--category", "price",
                "--channel", "phone", "--description", "Charged list price", "--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ref"], "DSP-000001");
  EXPECT_EQ(j["disputed_amount"], "210.00");
  EXPECT_EQ(j["status"], "open");
  std::string first_step = j["steps"][0]["step"];

  auto inv = run({"invoice", "show", "INV-1001", "--json"});
  EXPECT_FALSE(nlohmann::json::parse(inv.out)["collectable"].get<bool>());

  auto human = run({"dispute", "show", "DSP-000001"});
  EXPECT_EQ(human.code, kExitOk);
  EXPECT_THAT(human.out, HasSubstr("Timeline:"));
  EXPECT_THAT(human.out, HasSubstr("Dunning of invoice INV-1001 paused"));

  auto bad = run({"dispute", "complete-step", "DSP-000001", first_step, "--outcome", "nonsense"});
  EXPECT_EQ(bad.code, kExitFailed);
  EXPECT_THAT(bad.err, HasSubstr("unknown outcome 'nonsense'"));
  EXPECT_THAT(bad.err, HasSubstr("outcome: one of:"));
}

TEST_F(CliTest, UnknownCategoryFailsAndChangesNothing) {
  auto r = run(
      {"dispute", "open", "--invoice", "INV-1001", "--category", "weather", "--description", "x"});
  EXPECT_EQ(r.code, kExitFailed);
  EXPECT_THAT(r.err, HasSubstr("category: unknown category 'weather'"));
  EXPECT_EQ(dispute_count(), 0);
  auto inv = run({"invoice", "show", "INV-1001", "--json"});
  EXPECT_TRUE(nlohmann::json::parse(inv.out)["collectable"].get<bool>());
}

TEST_F(CliTest, MalformedAmountAndUnknownInvoiceAreReported) {
  auto r = run({"dispute", "open", "--invoice", "INV-1001=12,50", "--description", "x"});
  EXPECT_EQ(r.code, kExitFailed);
  EXPECT_THAT(r.err, HasSubstr("'12,50'"));
  r = run({"dispute", "open", "--invoice", "INV-9999", "--description", "x", "--json"});
  EXPECT_EQ(r.code, kExitFailed);
  auto j = nlohmann::json::parse(r.err);
  EXPECT_EQ(j["error"]["code"], "not_found");
  EXPECT_EQ(j["error"]["details"][0]["field"], "invoices[0].number");
  EXPECT_EQ(dispute_count(), 0);
}

TEST_F(CliTest, ImportReportsRejectedRowsWithLineAndField) {
  dir_.write("bad.csv",
             "number,customer_id,customer_name,amount,currency,issue_date,due_date\n"
             "INV-2001,C-2,Globex,10.00,EUR,2026-11-01,2026-12-01\n"
             "INV-2002,C-2,Globex,ten,EUR,2026-11-01,2026-12-01\n");
  auto r = run({"import", "invoices", (dir_ / "bad.csv").string()});
  EXPECT_EQ(r.code, kExitFailed);
  EXPECT_THAT(r.out, HasSubstr("1 created"));
  EXPECT_THAT(r.out, HasSubstr("line 3"));
  EXPECT_THAT(r.out, HasSubstr("amount"));
}

TEST_F(CliTest, ResolveReleasesHoldAndFeedShowsNewDueDate) {
  ASSERT_EQ(run({"dispute", "open", "--invoice", "INV-1002", "--category", "administrative",
                 "--description", "Wrong PO number"})
                .code,
            kExitOk);
  auto r = run({"dispute", "resolve", "DSP-000001", "--resolution", "corrected_invoice", "--note",
                "new invoice sent"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  auto again = run({"dispute", "resolve", "DSP-000001", "--resolution", "corrected_invoice"});
  EXPECT_EQ(again.code, kExitFailed);
  EXPECT_THAT(again.err, HasSubstr("already resolved"));
  auto events = nlohmann::json::parse(run({"events", "--json"}).out);
  auto items = events["items"];
  ASSERT_GE(items.size(), 3u);
  EXPECT_EQ(items.back()["kind"], "hold_released");
  EXPECT_FALSE(items.back()["due_date"].is_null());
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run({"dispute", "frobnicate"}).code, kExitUsage);
  EXPECT_EQ(run({"dispute", "open", "--colour", "red"}).code, kExitUsage);
  EXPECT_EQ(run({"nonsense"}).code, kExitUsage);
  auto help = run({"dispute", "open", "--help"});
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_THAT(help.out, HasSubstr("--invoice NUMBER[=AMOUNT]"));
}

TEST_F(CliTest, AnUnknownSubcommandIsNamedAndAMissingOneListsTheChoices) {
  auto unknown = run({"dispute", "frobnicate"});
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_THAT(unknown.err, HasSubstr("unknown dispute subcommand 'frobnicate'"));
  auto missing = run({"dispute"});
  EXPECT_EQ(missing.code, kExitUsage);
  EXPECT_THAT(missing.err, HasSubstr("dispute needs a subcommand: open, list, show, complete-step, "
                                     "resolve, withdraw, reopen, close, note"));
}

TEST_F(CliTest, EveryCommandIsListedInTheOverviewAndAnswersItsOwnHelp) {
  auto overview = run({"--help"});
  ASSERT_EQ(overview.code, kExitOk);
  for (const auto& command : command_table()) {
    ASSERT_FALSE(command.synopsis.empty()) << command.words[0];
    for (const auto& line : command.synopsis) {
      EXPECT_THAT(overview.out, HasSubstr("  " + line.call + " ")) << line.call;
      EXPECT_THAT(overview.out, HasSubstr(line.summary + "\n")) << line.call;
    }
    std::vector<std::string> args = command.words;
    args.push_back("--help");
    auto help = run(args);
    EXPECT_EQ(help.code, kExitOk);
    std::string words = command.words[0] + (command.words.size() > 1 ? " " + command.words[1] : "");
    EXPECT_THAT(help.out, ::testing::StartsWith("Usage: disputed " + words)) << words;
  }
}

TEST_F(CliTest, BrokenConfigExitsThreeNamingFileAndKey) {
  std::ostringstream out, err;
  auto bad = dir_.write("disputed.json", R"({"database": {"path": "x.db"}, "colour": "red"})");
  int code = run_cli({"--config", bad.string(), "config", "check"}, out, err,
                     [](const char*) -> const char* { return nullptr; });
  EXPECT_EQ(code, kExitStartup);
  EXPECT_THAT(err.str(), HasSubstr("disputed.json"));
  EXPECT_THAT(err.str(), HasSubstr("colour"));
}

TEST_F(CliTest, UnmigratedDatabaseIsRefusedWithAHint) {
  std::ostringstream out, err;
  int code = run_cli({"--config", config_, "--db", (dir_ / "fresh.db").string(), "dispute", "list"},
                     out, err, [](const char*) -> const char* { return nullptr; });
  EXPECT_EQ(code, kExitStartup);
  EXPECT_THAT(err.str(), HasSubstr("disputed migrate"));
}

}  // namespace
}  // namespace disputed::app
