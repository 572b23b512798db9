#include "core/store/wal_checkpointer.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace disputed::store {
namespace {

namespace fs = std::filesystem;

// The writer of `disputed serve`: no automatic checkpoints (the WalCheckpointer does them).
class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writer_ = std::make_unique<Database>(file_);
    writer_->exec("PRAGMA wal_autocheckpoint=0");
    writer_->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
  }
  // About 2 MiB of log: 500 commits of a 4 KiB row.
  void write_a_lot() {
    for (int i = 0; i < 500; ++i)
      writer_->prepare_cached("INSERT INTO t (v) VALUES (?)").bind(1, std::string(4000, 'x')).run();
  }
  std::uintmax_t wal_size() const { return fs::file_size(fs::path(file_.string() + "-wal")); }

  testing::TempDir dir_;
  fs::path file_ = dir_ / "t.db";
  std::unique_ptr<Database> writer_;
};

// Under steady load a PASSIVE checkpoint copies the log but SQLite never starts it again from the
// beginning: a reader is always in it. Past the limit, the next checkpoint truncates it.
TEST_F(WalCheckpointerTest, ALogPastTheLimitIsTruncatedOnceTheReadersLeaveIt) {
  DatabaseOptions options;
  options.wal_limit_bytes = 1 << 20;
  WalCheckpointer checkpointer(file_, options, std::chrono::milliseconds(250));
  Database reader(file_, options.for_reader());
  reader.exec("BEGIN");
  reader.exec("SELECT COUNT(*) FROM t");  // a read transaction on the log as it was
  write_a_lot();
  checkpointer.checkpoint();  // PASSIVE: copies what the reader does not need; learns the size
  EXPECT_GT(wal_size(), std::uintmax_t(2) << 20);
  checkpointer.checkpoint();  // TRUNCATE: the reader is still in the log, so it waits and gives up
  EXPECT_EQ(checkpointer.truncations(), 0u);
  EXPECT_GT(wal_size(), std::uintmax_t(2) << 20);
  reader.exec("COMMIT");
  checkpointer.checkpoint();
  EXPECT_EQ(checkpointer.truncations(), 1u);
  EXPECT_EQ(wal_size(), 0u);
  // Nothing lost: every row is in the database file, and the writer goes on.
  write_a_lot();
  Statement& s = reader.prepare_cached("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.int64(0), 1000);
  s.reset();
}

TEST_F(WalCheckpointerTest, UnderTheLimitCheckpointsArePassiveAndTheLogStays) {
  DatabaseOptions options;
  options.wal_limit_bytes = std::int64_t(64) << 20;
  WalCheckpointer checkpointer(file_, options, std::chrono::milliseconds(250));
  write_a_lot();
  checkpointer.checkpoint();
  checkpointer.checkpoint();
  EXPECT_EQ(checkpointer.checkpoints(), 2u);
  EXPECT_EQ(checkpointer.truncations(), 0u);
  EXPECT_GT(wal_size(), std::uintmax_t(1) << 20);  // copied, and reused from its start later
}

}  // namespace
}  // namespace disputed::store
