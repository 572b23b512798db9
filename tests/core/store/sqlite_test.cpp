#include "core/store/sqlite.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace disputed::store {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<Database>(dir_ / "t.db");
    db_->exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
  }
  std::int64_t count() {
    Statement& s = db_->prepare_cached("SELECT COUNT(*) FROM t");
    s.step();
    auto n = s.int64(0);
    s.reset();
    return n;
  }
  void insert(const std::string& k, int v) {
    db_->prepare_cached("INSERT INTO t (k, v) VALUES (?, ?)").bind(1, k).bind(2, v).run();
  }
  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(SqliteTest, OpensInWalModeWithForeignKeys) {
  Statement& mode = db_->prepare_cached("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  mode.reset();
  Statement& fk = db_->prepare_cached("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.step());
  EXPECT_EQ(fk.int64(0), 1);
  fk.reset();
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  {
    Transaction tx(*db_);
    insert("a", 1);
  }
  EXPECT_EQ(count(), 0);
  {
    Transaction tx(*db_);
    insert("a", 1);
    tx.commit();
  }
  EXPECT_EQ(count(), 1);
}

TEST_F(SqliteTest, NestedTransactionIsASavepointThatFailsAlone) {
  Transaction outer(*db_);
  insert("a", 1);
  {
    Transaction inner(*db_);
    insert("b", 2);
  }  // rolled back: only "b" goes
  {
    Transaction inner(*db_);
    insert("c", 3);
    inner.commit();
  }
  outer.commit();
  EXPECT_EQ(count(), 2);
}

TEST_F(SqliteTest, ConstraintViolationThrowsWithCode) {
  insert("a", 1);
  try {
    insert("a", 2);
    FAIL() << "expected a unique violation";
  } catch (const SqliteError& e) {
    EXPECT_TRUE(e.is_unique_violation());
  }
  // The cached statement is usable again after the failure.
  insert("b", 2);
  EXPECT_EQ(count(), 2);
}

TEST_F(SqliteTest, BindsNullAndReadsOptional) {
  db_->exec("CREATE TABLE o (x TEXT)");
  db_->prepare_cached("INSERT INTO o (x) VALUES (?)").bind(1, std::optional<std::string>{}).run();
  Statement& s = db_->prepare_cached("SELECT x FROM o");
  ASSERT_TRUE(s.step());
  EXPECT_FALSE(s.optional_text(0).has_value());
  s.reset();
}

std::int64_t mmap_size(Database& db) {
  Statement& s = db.prepare_cached("PRAGMA mmap_size");
  EXPECT_TRUE(s.step());
  auto n = s.int64(0);
  s.reset();
  return n;
}

TEST_F(SqliteTest, MapsTheFileUnlessToldNotTo) {
  EXPECT_EQ(mmap_size(*db_), 268435456);
  DatabaseOptions options;
  options.memory_map = false;
  Database reader(dir_ / "t.db", options);
  EXPECT_EQ(mmap_size(reader), 0);
}

std::int64_t cache_size(Database& db) {
  Statement& s = db.prepare_cached("PRAGMA cache_size");
  EXPECT_TRUE(s.step());
  auto n = s.int64(0);
  s.reset();
  return n;
}

TEST_F(SqliteTest, CacheAndMapSizesComeFromTheOptions) {
  EXPECT_EQ(cache_size(*db_), -65536);  // the defaults: 64 MiB of cache, 256 MiB of map
  DatabaseOptions options;
  options.cache_kib = 2048;
  options.mmap_bytes = 8 << 20;
  options.reader_cache_kib = 512;
  Database writer(dir_ / "t.db", options);
  EXPECT_EQ(cache_size(writer), -2048);
  EXPECT_EQ(mmap_size(writer), 8 << 20);
  Database reader(dir_ / "t.db", options.for_reader());
  EXPECT_EQ(cache_size(reader), -512);
  EXPECT_EQ(mmap_size(reader), 0);
}

TEST_F(SqliteTest, UnopenableFileThrows) {
  EXPECT_THROW(Database(dir_ / "no" / "such" / "dir" / "x.db"), SqliteError);
}

}  // namespace
}  // namespace disputed::store
