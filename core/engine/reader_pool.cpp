#include "core/engine/reader_pool.hpp"

namespace disputed::engine {

ReaderPool::ReaderPool(const std::filesystem::path& file, store::DatabaseOptions options,
                       const workflow::Definitions& definitions, const domain::Clock& clock,
                       std::size_t size) {
  // Readers read while the writer commits: no memory map (see DatabaseOptions::memory_map).
  // A reader's page cache is emptied whenever the writer has committed since its last read
  // (WAL); a small cache (DatabaseOptions::reader_cache_kib, 16 MiB by default instead of the
  // writer's 64 MiB) bounds memory without slowing reads.
  options = options.for_reader();
  for (std::size_t i = 0; i < (size == 0 ? 1 : size); ++i) {
    auto reader = std::make_unique<Reader>();
    reader->db = std::make_unique<store::Database>(file, options);
    reader->db->exec("PRAGMA query_only=1");
    reader->session = std::make_unique<Session>(*reader->db, definitions, clock);
    free_.push_back(reader.get());
    readers_.push_back(std::move(reader));
  }
}

ReaderPool::Lease ReaderPool::lease() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [this] { return !free_.empty(); });
  Reader* reader = free_.back();
  free_.pop_back();
  return Lease(*this, reader);
}

void ReaderPool::give_back(Reader* reader) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(reader);
  }
  returned_.notify_one();
}

}  // namespace disputed::engine
