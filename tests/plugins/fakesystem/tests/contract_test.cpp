// The SDK's contract suite run against the fakesystem plugin. Its "external system" is a SQLite
// file: this environment acts as the agent and the fault injector with plain SQL on that file,
// exactly as the sync engine's tests do.

#include <sqlite3.h>

#include <filesystem>
#include <random>

#include "disputed/sdk/testkit/contract.hpp"
#include "disputed/sdk/testkit/sandbox_host.hpp"

namespace {

namespace fs = std::filesystem;
namespace kit = disputed::sdk::testkit;

class FakeSystemEnvironment final : public kit::ContractEnvironment {
 public:
  FakeSystemEnvironment()
      : dir_(fs::temp_directory_path() /
             ("fakesystem-contract-" + std::to_string(std::random_device{}()))),
        // The fake makes no HTTP calls; a host that refuses them all would show any attempt.
        host_(host_options(), [](const disputed::sdk::HttpRequest& r) {
          return disputed::sdk::HttpResponse{
              0, {}, "", "the fake system has no HTTP API (" + r.url + ")"};
        }) {
    fs::create_directories(dir_);
  }
  ~FakeSystemEnvironment() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path plugin_library() const override { return FAKESYSTEM_PLUGIN; }
  fs::path manifest_file() const override { return FAKESYSTEM_MANIFEST; }

  std::string good_settings() const override {
    return R"({"database": ")" + database().string() + R"("})";
  }
  std::vector<kit::BadSettings> bad_settings() const override {
    return {{R"({})", "/database", "the database is required"},
            {R"({"database": ""})", "/database", "an empty path"},
            {R"({"database": 5})", "/database", "not a string"}};
  }

  disputed::sdk::Host& host() override { return host_; }

  void complete_externally(const std::string& external_ref, const std::string& outcome) override {
    // What the agent's click does in the fake: a new change sequence, status completed.
    sql("UPDATE counter SET value = value + 1 WHERE name = 'seq';"
        "UPDATE tasks SET status = 'completed', outcome = ?1, solved_by = 'agent@example.com', "
        "modified_seq = (SELECT value FROM counter WHERE name = 'seq') WHERE id = ?2",
        {outcome, external_ref});
  }

  int count_tasks(const std::string& task_key) override {
    return int(integer("SELECT COUNT(*) FROM tasks WHERE external_key = ?1", {task_key}));
  }

  kit::TaskState task_state(const std::string& task_key) override {
    kit::TaskState state;
    query("SELECT status, notes, priority FROM tasks WHERE external_key = ?1 ORDER BY id LIMIT 1",
          {task_key}, [&](sqlite3_stmt* s) {
            std::string status = text(s, 0);
            using L = kit::TaskState::Lifecycle;
            state.lifecycle = status == "open"               ? L::kOpen
                              : status == "completed"        ? L::kCompleted
                              : status == "closed_by_engine" ? L::kClosed
                              : status == "cancelled"        ? L::kCancelled
                                                             : L::kMissing;
            state.notes = sqlite3_column_int(s, 1);
            state.urgent = text(s, 2) == "urgent";
            state.detail = "status " + status + ", priority " + text(s, 2);
          });
    return state;
  }

  // The fake's `faults` table: the plugin maps result 'rate_limited' to rate-limited with the
  // row's retry_after, 'rejected' to rejected and anything else to retryable. It has no
  // credentials, so no token to expire.
  bool supports(kit::Fault fault) const override { return fault != kit::Fault::kExpiredToken; }
  void inject(const kit::FaultPlan& plan) override {
    std::string result = plan.fault == kit::Fault::kRateLimitedWithRetryAfter ? "rate_limited"
                         : plan.fault == kit::Fault::kValidationError         ? "rejected"
                                                                              : "server_error";
    sql("INSERT INTO faults (operation, result, retry_after, times) VALUES (?1, ?2, ?3, ?4)",
        {plan.during == kit::Call::kApply ? "apply" : "poll", result,
         std::to_string(plan.retry_after.count()), std::to_string(plan.times)});
  }

  // The plugin creates its tables when a connector opens the file, which the kit does right
  // after reset(); the SQL above runs only later.
  void reset() override {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(database().string() + suffix, ec);
  }

 private:
  static kit::SandboxHostOptions host_options() {
    kit::SandboxHostOptions options;
    options.instance_name = "fakesystem-contract";
    return options;
  }

  fs::path database() const { return dir_ / "fake-system.db"; }

  static std::string text(sqlite3_stmt* s, int column) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
    return p ? p : "";
  }

  // Runs every statement of `script`, binding `params` (?1, ?2, ...) in each; calls `row` for
  // result rows. A failure fails the test: the environment itself is broken then.
  template <class Row>
  void query(const std::string& script, const std::vector<std::string>& params, Row&& row) {
    sqlite3* db = nullptr;
    if (sqlite3_open(database().c_str(), &db) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << database() << ": " << sqlite3_errmsg(db);
      sqlite3_close(db);
      return;
    }
    sqlite3_busy_timeout(db, 5000);
    const char* rest = script.c_str();
    while (rest && *rest) {
      sqlite3_stmt* s = nullptr;
      if (sqlite3_prepare_v2(db, rest, -1, &s, &rest) != SQLITE_OK) {
        ADD_FAILURE() << "fake system SQL failed: " << sqlite3_errmsg(db);
        break;
      }
      if (!s) continue;  // trailing whitespace
      for (int i = 1; i <= sqlite3_bind_parameter_count(s) && i <= int(params.size()); ++i)
        sqlite3_bind_text(s, i, params[i - 1].c_str(), -1, SQLITE_TRANSIENT);
      int rc;
      while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
      if (rc != SQLITE_DONE) ADD_FAILURE() << "fake system SQL failed: " << sqlite3_errmsg(db);
      sqlite3_finalize(s);
    }
    sqlite3_close(db);
  }
  void sql(const std::string& script, const std::vector<std::string>& params) {
    query(script, params, [](sqlite3_stmt*) {});
  }
  std::int64_t integer(const std::string& statement, const std::vector<std::string>& params) {
    std::int64_t value = -1;
    query(statement, params, [&](sqlite3_stmt* s) { value = sqlite3_column_int64(s, 0); });
    return value;
  }

  fs::path dir_;
  kit::SandboxHost host_;
};

}  // namespace

DISPUTED_CONTRACT_TESTS(Fakesystem, [] { return std::make_unique<FakeSystemEnvironment>(); });
