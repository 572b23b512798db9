// The fakesystem's sandbox: its "external system" is the SQLite file the plugin writes, and this
// emulator shows it over HTTP and acts as the agent, the way the contract test does with SQL:
//   GET  /tasks                          {"tasks": [{"id", "external_key", "status", "outcome"}]}
//   POST /tasks/{id}/complete {"outcome"} the agent completes a task
// Option: database=<path> (without one, an empty system). Declared, with its registration, only in
// tests/plugins/fakesystem/CMakeLists.txt: the proof that a system registers its sandbox without
// touching a shared file.

#include <sqlite3.h>

#include "plugins/sandbox/registry.hpp"
#include "plugins/sandbox/router.hpp"

namespace disputed::sandbox {
namespace {

class FakeSystemEmulator final : public Emulator {
 public:
  explicit FakeSystemEmulator(const Options& options) {
    for (const auto& [key, value] : options) {
      if (key != "database")
        throw std::invalid_argument("unknown option '" + key + "' (known: database)");
      database_ = value;
    }
    api_.on("GET", "/tasks", [this](const Request&, const Router::Params&) { return tasks(); });
    api_.on("POST", "/tasks/{id}/complete",
            [this](const Request& r, const Router::Params& p) { return complete(p.at("id"), r); });
  }
  std::string name() const override { return "fakesystem"; }
  Response handle(const Request& request, const std::string&) override {
    if (auto answer = api_.route(request)) return *answer;
    return Response::json(404, {{"error", "no such resource: " + request.path}});
  }
  void reset() override {}

 private:
  // Runs `sql` with text parameters on the system's file; each row as column -> text.
  std::vector<std::map<std::string, std::string>> run(const std::string& sql,
                                                      const std::vector<std::string>& params) {
    std::vector<std::map<std::string, std::string>> rows;
    if (database_.empty()) return rows;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(database_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 5000);
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
        for (std::size_t i = 0; i < params.size(); ++i)
          sqlite3_bind_text(stmt, int(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
          auto& row = rows.emplace_back();
          for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
            auto* text = sqlite3_column_text(stmt, c);
            row[sqlite3_column_name(stmt, c)] = text ? reinterpret_cast<const char*>(text) : "";
          }
        }
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return rows;
  }

  Response tasks() {
    nlohmann::json list = nlohmann::json::array();
    for (auto& row : run("SELECT id, external_key, status, outcome FROM tasks ORDER BY id", {}))
      list.push_back(row);
    return Response::json(200, {{"tasks", list}});
  }

  Response complete(const std::string& id, const Request& request) {
    auto body = request.json();
    if (!body || !body->is_object() || !(*body)["outcome"].is_string())
      return Response::json(400, {{"error", "outcome: expected a string"}});
    run("UPDATE counter SET value = value + 1 WHERE name = 'seq'", {});
    run("UPDATE tasks SET status = 'completed', outcome = ?1, solved_by = 'agent@example.com', "
        "modified_seq = (SELECT value FROM counter WHERE name = 'seq') WHERE id = ?2",
        {(*body)["outcome"].get<std::string>(), id});
    return Response::empty(204);
  }

  std::string database_;
  Router api_;
};

std::unique_ptr<Emulator> make_fakesystem_sandbox(const Options& options) {
  return std::make_unique<FakeSystemEmulator>(options);
}

}  // namespace

DISPUTED_REGISTER_SANDBOX("fakesystem", make_fakesystem_sandbox);

}  // namespace disputed::sandbox
