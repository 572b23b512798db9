#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions.
// Every SQL statement in disputed goes through Statement (prepared, with bound parameters).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace disputed::store {

/// A failure reported by SQLite (I/O error, constraint, busy). Carries the extended result code.
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message);
  int code() const { return code_; }
  /// True for UNIQUE / PRIMARY KEY constraint violations.
  bool is_unique_violation() const;

 private:
  int code_;
};

class Database;

/// A prepared statement. Parameters are 1-based, as in SQLite. Move-only.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, std::int64_t(value)); }
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullptr_t);
  Statement& bind(int index, const std::optional<std::string>& value);

  /// Advances to the next row: true when a row is available, false when done.
  bool step();
  /// Runs a statement that returns no rows; resets it for the next use.
  void run();
  /// Clears bindings and rewinds, ready for reuse.
  void reset();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  /// The column's text without a copy; valid until the next step() or reset().
  std::string_view text_view(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  bool is_null(int column) const;

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// Durability of commits: NORMAL (WAL: durable at checkpoint, survives process crashes) or FULL
/// (every commit fsynced; survives power loss).
enum class Synchronous { kNormal, kFull };

struct DatabaseOptions {
  Synchronous synchronous = Synchronous::kNormal;
  int busy_timeout_ms = 5000;
  /// The SQLite VFS to open the file with; empty: the default. Tests inject I/O faults this way.
  std::string vfs;
  /// Read database pages through a memory map (256 MiB) instead of read() into the page cache.
  /// Right for the writer, whose cache stays valid across its own commits. Wrong for a
  /// connection that reads while another one writes: in WAL mode SQLite drops such a
  /// connection's cache and unmaps the whole file at the start of every read transaction after
  /// a commit elsewhere, and each munmap of a populated map costs the whole process (page tables
  /// torn down, TLB shootdowns on every core) — see docs/benchmarks.md.
  bool memory_map = true;
  /// The memory map's size when memory_map is on (database.mmap_mib). Pages of the file the
  /// connection has read stay mapped and count in the process's RSS (RssFile) up to this size.
  std::int64_t mmap_bytes = std::int64_t(256) << 20;
  /// The page cache of this connection, in KiB (database.cache_mib): SQLite's heap per
  /// connection grows to it as pages are read.
  std::int64_t cache_kib = 64 * 1024;
  /// The page cache of a connection that reads beside the writer (database.reader_cache_mib):
  /// what for_reader() sets. Such a cache is emptied whenever another connection commits, so a
  /// small one reads as fast.
  std::int64_t reader_cache_kib = 16 * 1024;
  /// The write-ahead log's bound (database.wal_limit_mib), for the WalCheckpointer: past it, a
  /// checkpoint waits for the readers and truncates the log.
  std::int64_t wal_limit_bytes = std::int64_t(64) << 20;

  /// These options for a connection that reads while another one writes: no memory map, the
  /// reader's page cache.
  DatabaseOptions for_reader() const {
    DatabaseOptions reader = *this;
    reader.memory_map = false;
    reader.cache_kib = reader_cache_kib;
    return reader;
  }
};

/// One SQLite connection in WAL mode with foreign keys on. Not thread-safe: one per thread.
class Database {
 public:
  /// Opens (creating if needed) the file. Throws SqliteError when it cannot.
  explicit Database(const std::filesystem::path& file, DatabaseOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs one or more statements without parameters (DDL, PRAGMA).
  void exec(std::string_view sql);
  /// A cached prepared statement for `sql` (reset and ready). Valid while the Database lives.
  Statement& prepare_cached(const std::string& sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  bool in_transaction() const;
  const std::filesystem::path& file() const { return file_; }
  sqlite3* handle() { return db_; }

  /// Throws SqliteError with the connection's message when `rc` is not OK/ROW/DONE.
  void check(int rc, std::string_view context);

  /// True while a TransactionRequired guard is alive and SQLite has rolled its transaction back.
  bool transaction_lost() const { return transaction_required_ && !in_transaction(); }

 private:
  friend class TransactionRequired;
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  bool transaction_required_ = false;
};

/// While it lives, every statement on `db` must run inside the transaction open when it was
/// made. When SQLite rolls that transaction back in the middle (an I/O error, a full disk, out of
/// memory), a statement that follows throws SqliteError (SQLITE_ABORT_ROLLBACK) instead of
/// running on its own and committing alone — the CommandWriter's batches rely on this.
class TransactionRequired {
 public:
  explicit TransactionRequired(Database& db) : db_(db) { db_.transaction_required_ = true; }
  ~TransactionRequired() { db_.transaction_required_ = false; }
  TransactionRequired(const TransactionRequired&) = delete;
  TransactionRequired& operator=(const TransactionRequired&) = delete;

 private:
  Database& db_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed. Nested use becomes
/// a SAVEPOINT, so a batch of commands can share one commit while each can still fail alone.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool nested_;
  bool done_ = false;
};

/// Bytes of heap SQLite holds right now, over all connections (page caches, statements); for
/// metrics, to tell its caches from the rest of the process's memory.
std::int64_t sqlite_memory_used();

/// BEGIN (deferred) ... COMMIT around a group of reads, so they all see one snapshot of the
/// database (in WAL mode a writer on another connection may commit between two statements).
/// Ends the read in its destructor. Not for writes: use Transaction.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Database& db_;
};

}  // namespace disputed::store
