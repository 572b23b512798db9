#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "core/api/auth.hpp"
#include "core/app/cli.hpp"
#include "core/store/api_keys.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::app {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ApiKeyCommandTest : public ::testing::Test {
 protected:
  struct Run {
    int code;
    std::string out;
    std::string err;
  };
  Run run(std::vector<std::string> args) {
    std::vector<std::string> full = {
        "--config", std::string(DISPUTED_SOURCE_DIR) + "/configs/disputed.json",
        "--db",     db_.string(),
        "--now",    "2026-11-23T08:00:00Z"};
    full.insert(full.end(), args.begin(), args.end());
    std::ostringstream out, err;
    int code = run_cli(full, out, err, [](const char*) -> const char* { return nullptr; });
    return {code, out.str(), err.str()};
  }
  void SetUp() override { ASSERT_EQ(run({"migrate"}).code, kExitOk); }

  testing::TempDir dir_;
  std::filesystem::path db_ = dir_ / "keys.db";
};

TEST_F(ApiKeyCommandTest, CreateShowsTheKeyOnceAndStoresOnlyItsHash) {
  auto made = run({"--json", "api-key", "create", "crm-portal", "--role", "integration"});
  ASSERT_EQ(made.code, kExitOk) << made.err;
  auto j = json::parse(made.out);
  std::string key = j["key"];
  EXPECT_EQ(key.rfind("dsp_", 0), 0u);
  EXPECT_EQ(key.size(), 4u + 43u);
  EXPECT_EQ(j["role"], "integration");
  store::Database db(db_);
  auto keys = store::ApiKeyStore(db).list();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key_hash, api::hash_api_key(key));
  EXPECT_EQ(keys[0].key_hash.size(), 64u);
  EXPECT_EQ(key.find(keys[0].key_prefix), 0u);
  // Nothing in the database holds the key itself.
  auto& s = db.prepare_cached(
      "SELECT COUNT(*) FROM api_keys WHERE name LIKE ? OR role LIKE ? OR key_hash LIKE ? OR "
      "key_prefix = ?");
  s.bind(1, "%" + key + "%").bind(2, "%" + key + "%").bind(3, "%" + key + "%").bind(4, key);
  s.step();
  EXPECT_EQ(s.int64(0), 0);
  s.reset();

  auto human = run({"api-key", "create", "reports-bot", "--role", "viewer"});
  EXPECT_EQ(human.code, kExitOk);
  EXPECT_THAT(human.out, HasSubstr("shown only now"));
  EXPECT_THAT(human.out, HasSubstr("dsp_"));
}

TEST_F(ApiKeyCommandTest, ListAndRevoke) {
  ASSERT_EQ(run({"api-key", "create", "clerk", "--role", "controller"}).code, kExitOk);
  auto list = run({"--json", "api-key", "list"});
  ASSERT_EQ(list.code, kExitOk);
  auto items = json::parse(list.out)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["name"], "clerk");
  EXPECT_FALSE(items[0].contains("key"));
  EXPECT_FALSE(items[0].contains("key_hash"));
  EXPECT_TRUE(items[0]["revoked_at"].is_null());
  EXPECT_THAT(run({"api-key", "list"}).out, HasSubstr("clerk"));

  auto revoked = run({"api-key", "revoke", "clerk"});
  EXPECT_EQ(revoked.code, kExitOk);
  EXPECT_THAT(revoked.out, HasSubstr("revoked"));
  EXPECT_EQ(json::parse(run({"--json", "api-key", "list"}).out)["items"][0]["revoked_at"],
            "2026-11-23T08:00:00Z");
  EXPECT_EQ(run({"api-key", "revoke", "clerk"}).code, kExitFailed);  // nothing active left
  // The name is free again once revoked.
  EXPECT_EQ(run({"api-key", "create", "clerk", "--role", "controller"}).code, kExitOk);
}

TEST_F(ApiKeyCommandTest, MistakesAreClear) {
  auto role = run({"api-key", "create", "x", "--role", "root"});
  EXPECT_EQ(role.code, kExitFailed);
  EXPECT_THAT(role.err, HasSubstr("'root' is not one of admin, controller, viewer, integration"));
  EXPECT_EQ(run({"api-key", "create", "x"}).code, kExitUsage);  // --role is required
  EXPECT_EQ(run({"api-key", "create", "bad name!", "--role", "viewer"}).code, kExitFailed);
  ASSERT_EQ(run({"api-key", "create", "twice", "--role", "viewer"}).code, kExitOk);
  auto twice = run({"api-key", "create", "twice", "--role", "viewer"});
  EXPECT_EQ(twice.code, kExitFailed);
  EXPECT_THAT(twice.err, HasSubstr("already called 'twice'"));
  EXPECT_EQ(run({"api-key", "rotate"}).code, kExitUsage);
  EXPECT_THAT(run({"api-key", "--help"}).out,
              HasSubstr("--role admin|controller|viewer|integration"));
}

}  // namespace
}  // namespace disputed::app
