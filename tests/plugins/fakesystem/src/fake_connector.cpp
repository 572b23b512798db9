// The fakesystem connector: a real plugin (loaded through the ABI gate like any other) whose
// external system is a SQLite file. It behaves like a well-written connector should: creates
// are idempotent per task key, other actions per action key; poll follows a sequence cursor and
// reconciliation asks about each open task. Faults are injected through the `faults` table.

#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <string>

#include "disputed/sdk/plugin.hpp"

namespace {

using disputed::sdk::Action;
using disputed::sdk::ApplyResult;
using disputed::sdk::PollResult;
using nlohmann::json;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY, external_key TEXT NOT NULL, subject TEXT, assignee TEXT, due TEXT,
  status TEXT NOT NULL DEFAULT 'open', outcome TEXT, solved_by TEXT, notes INTEGER NOT NULL DEFAULT 0,
  priority TEXT NOT NULL DEFAULT 'normal', outcomes TEXT NOT NULL DEFAULT '[]', modified_seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_key ON tasks(external_key);
CREATE INDEX IF NOT EXISTS tasks_seq ON tasks(modified_seq);
CREATE TABLE IF NOT EXISTS applied_actions (action_key TEXT PRIMARY KEY, task_id INTEGER);
CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, operation TEXT, action_key TEXT, result TEXT);
CREATE TABLE IF NOT EXISTS faults (id INTEGER PRIMARY KEY, operation TEXT NOT NULL, result TEXT NOT NULL,
  retry_after INTEGER NOT NULL DEFAULT 0, times INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counter VALUES ('seq', 0);
)sql";

class Db {
 public:
  ~Db() { sqlite3_close(db_); }
  bool open(const std::string& path, std::string& error) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
      error = sqlite3_errmsg(db_);
      return false;
    }
    sqlite3_busy_timeout(db_, 10000);
    return exec("PRAGMA journal_mode=WAL", error) && exec(kSchema, error);
  }
  bool exec(const std::string& sql, std::string& error) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      error = err ? err : "sqlite error";
      sqlite3_free(err);
      return false;
    }
    return true;
  }
  // Runs `sql` with text parameters; calls `row` per result row. False on error.
  template <class F>
  bool query(const std::string& sql, const std::vector<std::string>& params, F&& row,
             std::string& error) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db_);
      return false;
    }
    for (std::size_t i = 0; i < params.size(); ++i)
      sqlite3_bind_text(s, int(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
      error = sqlite3_errmsg(db_);
      return false;
    }
    return true;
  }
  bool run(const std::string& sql, const std::vector<std::string>& params, std::string& error) {
    return query(
        sql, params, [](sqlite3_stmt*) {}, error);
  }
  std::int64_t last_id() { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
};

std::string text(sqlite3_stmt* s, int col) {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p ? p : "";
}

class FakeConnector final : public disputed::sdk::Connector {
 public:
  std::vector<disputed::sdk::ConfigProblem> validate(
      const std::string& settings_json) noexcept override {
    json s = json::parse(settings_json, nullptr, false);
    if (s.is_discarded() || !s.is_object()) return {{"", "settings must be a JSON object"}};
    if (!s.contains("database") || !s["database"].is_string() ||
        s["database"].get<std::string>().empty())
      return {{"/database", "is required: the fake system's SQLite file"}};
    return {};
  }

  disputed::sdk::OpenResult open(const std::string& settings_json,
                                 disputed::sdk::Host& host) noexcept override {
    try {
      host_ = &host;
      if (!validate(settings_json).empty()) return {false, "invalid settings"};
      std::string error;
      if (!db_.open(json::parse(settings_json)["database"].get<std::string>(), error))
        return {false, error};
      return {true, ""};
    } catch (const std::exception& e) {
      return {false, e.what()};
    }
  }

  disputed::sdk::CheckResult check() noexcept override {
    std::string error;
    bool ok = db_.query(
        "SELECT COUNT(*) FROM tasks", {}, [](sqlite3_stmt*) {}, error);
    if (ok) return {true, disputed::sdk::CheckResult::Category::kNone, "", ""};
    return {false, disputed::sdk::CheckResult::Category::kNetwork, error,
            "check the database path"};
  }

  ApplyResult apply(const Action& action) noexcept override {
    try {
      return apply_checked(action);
    } catch (const std::exception& e) {
      return {ApplyResult::Status::kRetryable, "", "", std::chrono::seconds(0), e.what()};
    }
  }

  PollResult poll(const disputed::sdk::PollRequest& request) noexcept override {
    PollResult result;
    try {
      std::string error;
      if (auto fault = take_fault("poll"); fault) {
        result.status = fault->first == "rate_limited" ? PollResult::Status::kRateLimited
                                                       : PollResult::Status::kRetryable;
        result.retry_after = std::chrono::seconds(fault->second);
        result.message = "injected " + fault->first;
        return result;
      }
      std::int64_t cursor = request.cursor.empty() ? 0 : std::stoll(request.cursor);
      std::int64_t next = cursor;
      auto add = [&](sqlite3_stmt* s) {
        disputed::sdk::TaskEvent e;
        e.kind = disputed::sdk::TaskEvent::Kind::kCompleted;
        e.external_ref = std::to_string(sqlite3_column_int64(s, 0));
        e.task_key = text(s, 1);
        e.outcome = text(s, 2);
        e.actor = text(s, 3);
        e.event_id = e.external_ref + ":" + std::to_string(sqlite3_column_int64(s, 4));
        e.at = host_->clock().now();
        result.events.push_back(std::move(e));
      };
      if (!db_.query("SELECT id, external_key, outcome, solved_by, modified_seq FROM tasks WHERE "
                     "modified_seq > ? "
                     "AND status = 'completed' ORDER BY modified_seq, id LIMIT 500",
                     {std::to_string(cursor)}, add, error))
        return {PollResult::Status::kRetryable, {}, request.cursor, {}, error};
      // The cursor moves past every change seen, completed or not.
      db_.query(
          "SELECT COALESCE(MAX(modified_seq), ?) FROM (SELECT modified_seq FROM tasks WHERE "
          "modified_seq > ? "
          "ORDER BY modified_seq LIMIT 500)",
          {std::to_string(cursor), std::to_string(cursor)},
          [&](sqlite3_stmt* s) { next = sqlite3_column_int64(s, 0); }, error);
      if (request.reconcile) {
        for (const auto& ref : request.open_refs)
          db_.query(
              "SELECT id, external_key, outcome, solved_by, modified_seq FROM tasks WHERE id = ? "
              "AND status = 'completed'",
              {ref.external_ref}, add, error);
      }
      result.next_cursor = std::to_string(next);
      return result;
    } catch (const std::exception& e) {
      return {PollResult::Status::kRetryable, {}, request.cursor, {}, e.what()};
    }
  }

 private:
  // An injected fault for `operation`, consumed once: (result, retry_after).
  std::optional<std::pair<std::string, int>> take_fault(const std::string& operation) {
    std::optional<std::pair<std::string, int>> fault;
    std::int64_t id = 0;
    std::string error;
    db_.query(
        "SELECT id, result, retry_after FROM faults WHERE operation = ? AND times > 0 ORDER BY id "
        "LIMIT 1",
        {operation},
        [&](sqlite3_stmt* s) {
          id = sqlite3_column_int64(s, 0);
          fault = std::make_pair(text(s, 1), sqlite3_column_int(s, 2));
        },
        error);
    if (fault)
      db_.run("UPDATE faults SET times = times - 1 WHERE id = ?", {std::to_string(id)}, error);
    return fault;
  }

  ApplyResult apply_checked(const Action& action) {
    std::string error;
    auto fault = take_fault("apply");
    if (fault && fault->first != "lost_response") {
      ApplyResult r;
      r.retry_after = std::chrono::seconds(fault->second);
      r.message = "injected " + fault->first;
      if (fault->first == "rate_limited")
        r.status = ApplyResult::Status::kRateLimited;
      else if (fault->first == "rejected")
        r.status = ApplyResult::Status::kRejected;
      else if (fault->first == "auth_failed")
        r.status = ApplyResult::Status::kAuthFailed;
      else
        r.status = ApplyResult::Status::kRetryable;
      return r;
    }
    json payload = json::parse(action.payload_json, nullptr, false);
    if (payload.is_discarded())
      return {ApplyResult::Status::kRejected, "", "", {}, "payload is not JSON"};
    if (!payload.is_object())
      return {ApplyResult::Status::kRejected, "", "", {}, "payload is not a JSON object"};

    if (!db_.exec("BEGIN IMMEDIATE", error))
      return {ApplyResult::Status::kRetryable, "", "", {}, error};
    ApplyResult r;
    try {
      r = apply_in_transaction(action, payload, error);
    } catch (...) {
      // Never leave the transaction open: every later BEGIN on this connection would fail.
      db_.exec("ROLLBACK", error);
      throw;
    }
    if (!db_.exec(r.status == ApplyResult::Status::kRetryable ? "ROLLBACK" : "COMMIT", error))
      return {ApplyResult::Status::kRetryable, "", "", {}, error};
    // The request reached the system, but the answer never came back: the host must retry and
    // the retry must find the effect already there.
    if (fault && fault->first == "lost_response")
      return {
          ApplyResult::Status::kRetryable, "", "", {}, "injected lost response (effect applied)"};
    return r;
  }

  std::string next_seq(std::string& error) {
    std::string seq;
    db_.run("UPDATE counter SET value = value + 1 WHERE name = 'seq'", {}, error);
    db_.query(
        "SELECT value FROM counter WHERE name = 'seq'", {},
        [&](sqlite3_stmt* s) { seq = text(s, 0); }, error);
    return seq;
  }

  ApplyResult apply_in_transaction(const Action& action, const json& payload, std::string& error) {
    std::string existing;
    db_.query(
        "SELECT id FROM tasks WHERE external_key = ?", {action.task_key},
        [&](sqlite3_stmt* s) { existing = text(s, 0); }, error);
    if (action.kind == Action::Kind::kCreate) {
      if (!existing.empty())
        return {ApplyResult::Status::kAlreadyApplied, existing, "fake://tasks/" + existing, {}, ""};
      std::string seq = next_seq(error);
      if (!db_.run("INSERT INTO tasks (external_key, subject, assignee, due, outcomes, "
                   "modified_seq) VALUES (?,?,?,?,?,?)",
                   {action.task_key, payload.value("subject", ""), payload.value("assignee", ""),
                    payload.value("deadline_local_date", ""),
                    payload.value("outcomes", json::array()).dump(), seq},
                   error))
        return {ApplyResult::Status::kRetryable, "", "", {}, error};
      std::string id = std::to_string(db_.last_id());
      db_.run("INSERT INTO calls (operation, action_key, result) VALUES ('create', ?, ?)",
              {action.action_key, id}, error);
      return {ApplyResult::Status::kApplied, id, "fake://tasks/" + id, {}, ""};
    }
    if (existing.empty())
      return {ApplyResult::Status::kRejected, "", "", {}, "no task " + action.task_key};
    bool seen = false;
    db_.query(
        "SELECT 1 FROM applied_actions WHERE action_key = ?", {action.action_key},
        [&](sqlite3_stmt*) { seen = true; }, error);
    if (seen) return {ApplyResult::Status::kAlreadyApplied, existing, "", {}, ""};
    std::string seq = next_seq(error);
    std::string sql;
    switch (action.kind) {
      case Action::Kind::kCancel:
        sql = "UPDATE tasks SET status = 'cancelled', modified_seq = ? WHERE id = ?";
        break;
      case Action::Kind::kEscalate:
        sql =
            "UPDATE tasks SET priority = 'urgent', notes = notes + 1, modified_seq = ? WHERE id = "
            "?";
        break;
      case Action::Kind::kUpdate:
        sql = payload.value("status", "") == "completed"
                  ? "UPDATE tasks SET status = 'closed_by_engine', modified_seq = ? WHERE id = ?"
                  : "UPDATE tasks SET notes = notes + 1, modified_seq = ? WHERE id = ?";
        break;
      default:
        sql = "UPDATE tasks SET notes = notes + 1, modified_seq = ? WHERE id = ?";
        break;
    }
    if (!db_.run(sql, {seq, existing}, error) ||
        !db_.run("INSERT INTO applied_actions (action_key, task_id) VALUES (?, ?)",
                 {action.action_key, existing}, error))
      return {ApplyResult::Status::kRetryable, "", "", {}, error};
    return {ApplyResult::Status::kApplied, existing, "", {}, ""};
  }

  Db db_;
  disputed::sdk::Host* host_ = nullptr;
};

}  // namespace

DISPUTED_CONNECTOR_PLUGIN(FakeConnector)
