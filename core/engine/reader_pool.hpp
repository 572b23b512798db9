#pragma once
// Read connections for a serving process. SQLite in WAL mode lets readers run while the one
// writer (CommandWriter) commits, so queries get connections of their own, each with its own
// engine Session used for queries only. A lease is exclusive: a connection serves one request
// at a time.

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "core/engine/session.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::engine {

class ReaderPool {
 public:
  struct Reader {
    std::unique_ptr<store::Database> db;
    std::unique_ptr<Session> session;
  };

  /// Opens `size` connections to `file` (which must exist and be migrated), each refusing
  /// writes (PRAGMA query_only). Throws store::SqliteError when one cannot be opened.
  ReaderPool(const std::filesystem::path& file, store::DatabaseOptions options,
             const workflow::Definitions& definitions, const domain::Clock& clock,
             std::size_t size);
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  /// A connection for the duration of one request; returned to the pool when destroyed.
  class Lease {
   public:
    Lease(ReaderPool& pool, Reader* reader) : pool_(&pool), reader_(reader) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), reader_(other.reader_) {
      other.reader_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (reader_) pool_->give_back(reader_);
    }
    Session& session() { return *reader_->session; }
    DisputeService& service() { return reader_->session->disputes(); }
    Operations& operations() { return reader_->session->operations(); }
    /// Begins one read transaction: the request's queries all see one snapshot.
    ReadSnapshot snapshot() { return ReadSnapshot(*reader_->session); }
    /// The connection, for reporting (whose queries run on a read connection).
    store::Database& db() { return *reader_->db; }

   private:
    ReaderPool* pool_;
    Reader* reader_;
  };

  /// Waits until a connection is free.
  Lease lease();
  std::size_t size() const { return readers_.size(); }

 private:
  void give_back(Reader* reader);

  std::vector<std::unique_ptr<Reader>> readers_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<Reader*> free_;
};

}  // namespace disputed::engine
