// Sandboxes register themselves: every system declared with add_connector_plugin(... SANDBOX
// ...) is in the registry without any shared file naming it. The fakesystem's sandbox (declared
// only in tests/plugins/fakesystem/CMakeLists.txt, as a fourth system would be) proves it.
#include "plugins/sandbox/registry.hpp"

#include <gmock/gmock.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>

#include "plugins/sandbox/test_client.hpp"

namespace disputed::sandbox {
namespace {

using ::testing::Contains;

TEST(SandboxRegistry, AFourthSystemRegistersItselfWithoutEditingSharedFiles) {
  auto names = registered_sandboxes();
  for (const char* system : {"zendesk", "salesforce", "msgraph", "fakesystem"})
    EXPECT_THAT(names, Contains(system));
  auto fake = make_sandbox("fakesystem", {});
  ASSERT_NE(fake, nullptr);
  EXPECT_EQ(fake->name(), "fakesystem");
  Server server(std::move(fake));
  server.start();
  auto tasks = http_call("GET", server.url() + "/tasks");
  EXPECT_EQ(tasks.status, 200) << tasks.body;
  EXPECT_TRUE(tasks.json()["tasks"].is_array());
  server.stop();
}

TEST(SandboxRegistry, TheRegisteredFakeSystemServesItsFileAndActsAsTheAgent) {
  // The fake system's "external system" is a SQLite file (the plugin's schema, reduced to what
  // the sandbox reads): the registered emulator shows its tasks and completes one.
  namespace fs = std::filesystem;
  fs::path file = fs::temp_directory_path() /
                  ("fakesystem-registry-" + std::to_string(std::random_device{}()) + ".db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE tasks (id INTEGER PRIMARY KEY, external_key TEXT NOT NULL, "
                         "status TEXT NOT NULL DEFAULT 'open', outcome TEXT, solved_by TEXT, "
                         "modified_seq INTEGER NOT NULL);"
                         "CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
                         "INSERT INTO counter VALUES ('seq', 1);"
                         "INSERT INTO tasks (id, external_key, modified_seq) VALUES (7, 'k-7', 1);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  Server server(make_sandbox("fakesystem", {{"database", file.string()}}));
  server.start();
  auto before = http_call("GET", server.url() + "/tasks").json();
  ASSERT_EQ(before["tasks"].size(), 1u) << before.dump();
  EXPECT_EQ(before["tasks"][0]["external_key"], "k-7");
  EXPECT_EQ(before["tasks"][0]["status"], "open");

  EXPECT_EQ(http_call("POST", server.url() + "/tasks/7/complete", R"({"outcome": 5})").status, 400);
  EXPECT_EQ(
      http_call("POST", server.url() + "/tasks/7/complete", R"({"outcome": "upheld"})").status,
      204);
  auto after = http_call("GET", server.url() + "/tasks").json();
  EXPECT_EQ(after["tasks"][0]["status"], "completed") << after.dump();
  EXPECT_EQ(after["tasks"][0]["outcome"], "upheld");
  server.stop();
  fs::remove(file);
}

TEST(SandboxRegistry, AnUnknownSystemOrOptionIsRefused) {
  EXPECT_EQ(make_sandbox("no-such-system", {}), nullptr);
  EXPECT_THROW(make_sandbox("fakesystem", {{"colour", "blue"}}), std::invalid_argument);
}

TEST(SandboxRegistry, ANameIsRegisteredOnce) {
  // The first registration stays: a second sandbox under a taken name is refused.
  EXPECT_FALSE(register_sandbox(
      "fakesystem", [](const Options&) -> std::unique_ptr<Emulator> { return nullptr; }));
  EXPECT_NE(make_sandbox("fakesystem", {}), nullptr);
}

TEST(SandboxRegistry, TheShippedProgramHasEveryShippedSandbox) {
  // What disputed-sandbox links (SHIPPED_SANDBOXES, from the CMake registry): the three systems,
  // not the test-only fakesystem.
  std::string shipped = SHIPPED_SANDBOXES;
  for (const char* target : {"zendesk_sandbox", "salesforce_sandbox", "msgraph_sandbox"})
    EXPECT_NE(shipped.find(target), std::string::npos) << shipped;
  EXPECT_EQ(shipped.find("fakesystem"), std::string::npos) << shipped;
}

}  // namespace
}  // namespace disputed::sandbox
