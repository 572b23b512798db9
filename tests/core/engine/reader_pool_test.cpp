#include "core/engine/reader_pool.hpp"

#include "core/store/sqlite.hpp"
#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::engine::testing_support {
namespace {

std::int64_t mmap_size(store::Database& db) {
  store::Statement& s = db.prepare_cached("PRAGMA mmap_size");
  EXPECT_TRUE(s.step());
  auto n = s.int64(0);
  s.reset();
  return n;
}

using ReaderPoolTest = EngineTest;

// Readers read while the writer commits: SQLite would unmap a memory-mapped file at the start of
// each of their reads after a commit (store::DatabaseOptions::memory_map).
TEST_F(ReaderPoolTest, ReadersDoNotMapTheFileAndSeeTheWritersCommits) {
  ReaderPool pool(dir_ / "engine.db", store::DatabaseOptions{}, defs_, clock_, 2);
  auto lease = pool.lease();
  EXPECT_EQ(mmap_size(lease.db()), 0);
  EXPECT_EQ(mmap_size(*db_), 268435456);  // the writer's connection keeps its map
  auto opened = open(request());
  auto found = lease.service().list({});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].ref, opened.dispute.ref);
}

// Each reader's page cache is the configured reader cache (database.reader_cache_mib), not the
// writer's.
TEST_F(ReaderPoolTest, ReadersHaveTheReaderPageCache) {
  store::DatabaseOptions options;
  options.reader_cache_kib = 1024;
  ReaderPool pool(dir_ / "engine.db", options, defs_, clock_, 1);
  auto lease = pool.lease();
  store::Statement& s = lease.db().prepare_cached("PRAGMA cache_size");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.int64(0), -1024);
  s.reset();
}

}  // namespace
}  // namespace disputed::engine::testing_support
