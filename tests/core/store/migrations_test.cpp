#include "core/store/migrations.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace disputed::store {
namespace {

TEST(Migrations, FreshDatabaseIsMigratedToLatestOnce) {
  testing::TempDir dir;
  Database db(dir / "m.db");
  EXPECT_EQ(schema_version(db), 0);
  EXPECT_THROW(require_current_schema(db), SchemaError);
  auto applied = migrate(db);
  EXPECT_EQ(applied.size(), migrations().size());
  EXPECT_EQ(schema_version(db), latest_schema_version());
  EXPECT_NO_THROW(require_current_schema(db));
  EXPECT_TRUE(migrate(db).empty());  // idempotent
}

TEST(Migrations, OlderSchemaTellsTheOperatorToMigrate) {
  testing::TempDir dir;
  Database db(dir / "m.db");
  try {
    require_current_schema(db);
    FAIL();
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("disputed migrate"), std::string::npos) << e.what();
  }
}

TEST(Migrations, NewerSchemaIsRefusedAndLeftUntouched) {
  testing::TempDir dir;
  Database db(dir / "m.db");
  migrate(db);
  int newer = latest_schema_version() + 1;
  db.exec("PRAGMA user_version = " + std::to_string(newer));
  try {
    require_current_schema(db);
    FAIL();
  } catch (const SchemaError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(std::to_string(newer)), std::string::npos) << what;
    EXPECT_NE(what.find("newer"), std::string::npos) << what;
  }
  EXPECT_THROW(migrate(db), SchemaError);
  EXPECT_EQ(schema_version(db), newer);
}

TEST(Migrations, VersionsAreStrictlyIncreasing) {
  int last = 0;
  for (const auto& m : migrations()) {
    EXPECT_GT(m.version, last);
    EXPECT_FALSE(m.description.empty());
    last = m.version;
  }
}

}  // namespace
}  // namespace disputed::store
