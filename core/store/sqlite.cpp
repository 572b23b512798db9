#include "core/store/sqlite.hpp"

#include <sqlite3.h>

#include <string>

namespace disputed::store {

SqliteError::SqliteError(int code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

bool SqliteError::is_unique_violation() const {
  return code_ == SQLITE_CONSTRAINT_UNIQUE || code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

// ---- Statement

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  db.check(sqlite3_prepare_v3(db.handle(), sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &stmt_, nullptr),
           sql);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, std::int64_t value) {
  db_->check(sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  db_->check(sqlite3_bind_text(stmt_, index, value.data(), int(value.size()), SQLITE_TRANSIENT),
             "bind");
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  db_->check(sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind(index, nullptr);
}

bool Statement::step() {
  if (db_->transaction_lost())
    throw SqliteError(SQLITE_ABORT_ROLLBACK,
                      std::string("the transaction was rolled back; not running on its own: ") +
                          sqlite3_sql(stmt_));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  int extended = sqlite3_extended_errcode(db_->handle());
  std::string message = sqlite3_errmsg(db_->handle());
  sqlite3_reset(stmt_);
  throw SqliteError(extended, message + " (in: " + sqlite3_sql(stmt_) + ")");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, std::size_t(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::string_view Statement::text_view(int column) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string_view(p, std::size_t(sqlite3_column_bytes(stmt_, column)))
           : std::string_view();
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Database

Database::Database(const std::filesystem::path& file, DatabaseOptions options) : file_(file) {
  int rc = sqlite3_open_v2(file.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           options.vfs.empty() ? nullptr : options.vfs.c_str());
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, "cannot open database " + file.string() + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  exec("PRAGMA journal_mode=WAL");
  exec(options.synchronous == Synchronous::kFull ? "PRAGMA synchronous=FULL"
                                                 : "PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
  // A larger page cache keeps the hot indexes in memory; mmap lets reads skip a copy (see
  // DatabaseOptions::memory_map for the connections that must not).
  exec("PRAGMA cache_size=-" + std::to_string(options.cache_kib > 0 ? options.cache_kib : 1));
  exec("PRAGMA mmap_size=" + std::to_string(options.memory_map ? options.mmap_bytes : 0));
  // Statement journals (what a savepoint rolls back to) in memory: about 15 % less CPU per
  // command than a temporary file. SQLite keeps them as a list of 1 KiB chunks and walks it from
  // the start on every RELEASE, so deep work must not run in a savepoint inside a long one
  // (see CommandWriter::Commit::kAlone).
  exec("PRAGMA temp_store=MEMORY");
}

Database::~Database() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

void Database::check(int rc, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  throw SqliteError(sqlite3_extended_errcode(db_), std::string(sqlite3_errmsg(db_)) + " (in: " +
                                                       std::string(context.substr(0, 200)) + ")");
}

void Database::exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(sqlite3_extended_errcode(db_),
                      message + " (in: " + text.substr(0, 200) + ")");
  }
}

Statement& Database::prepare_cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end())
    it = cache_.emplace(sql, std::make_unique<Statement>(*this, sql)).first;
  else
    it->second->reset();
  return *it->second;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }
bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---- Transaction

Transaction::Transaction(Database& db) : db_(db), nested_(db.in_transaction()) {
  if (db_.transaction_lost())
    throw SqliteError(SQLITE_ABORT_ROLLBACK,
                      "the transaction was rolled back; not beginning another inside it");
  if (nested_) {
    // SQLite resolves a savepoint name to the innermost one, so one name serves every depth.
    db_.prepare_cached("SAVEPOINT nested").run();
  } else {
    // IMMEDIATE takes the write lock now, so a busy database fails here, not mid-command.
    db_.exec("BEGIN IMMEDIATE");
  }
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    if (nested_) {
      db_.prepare_cached("ROLLBACK TO nested").run();
      db_.prepare_cached("RELEASE nested").run();
    } else if (db_.in_transaction()) {
      db_.exec("ROLLBACK");
    }
  } catch (...) {
    // A failed rollback leaves SQLite to roll back on close; never throw from a destructor.
  }
}

void Transaction::commit() {
  if (nested_)
    db_.prepare_cached("RELEASE nested").run();
  else
    db_.exec("COMMIT");
  done_ = true;
}

std::int64_t sqlite_memory_used() { return sqlite3_memory_used(); }

// ---- ReadTransaction

ReadTransaction::ReadTransaction(Database& db) : db_(db) { db_.prepare_cached("BEGIN").run(); }

ReadTransaction::~ReadTransaction() {
  try {
    db_.prepare_cached("COMMIT").run();
  } catch (...) {
    // Nothing was written; SQLite ends the read with the next statement or on close.
  }
}

}  // namespace disputed::store
