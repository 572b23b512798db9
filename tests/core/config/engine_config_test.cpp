#include "core/config/engine_config.hpp"

#include <gtest/gtest.h>

#include "core/config/config_error.hpp"
#include "tests/core/config/config_error_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::config {
namespace {

namespace fs = std::filesystem;
using disputed::testing::config_error_from;
using disputed::testing::TempDir;

const fs::path kShipped = fs::path(DISPUTED_SOURCE_DIR) / "configs" / "disputed.json";

std::string minimal(const std::string& database) {
  return R"({"database": )" + database + R"(, "calendar": "c.json", "categories": "cat.json",
             "workflows_dir": "wf", "roles": "roles.json", "default_category": "general"})";
}

TEST(EngineConfig, LoadsTheShippedConfig) {
  auto config = load_engine_config(kShipped);
  EXPECT_EQ(config.file, fs::absolute(kShipped).lexically_normal());
  EXPECT_EQ(config.dir, config.file.parent_path());
  EXPECT_EQ(config.database_path, (fs::current_path() / "disputed.db").lexically_normal());
  EXPECT_EQ(config.synchronous, "normal");
  EXPECT_EQ(config.busy_timeout_ms, 5000);
  ASSERT_TRUE(config.listen.has_value());
  EXPECT_EQ(*config.listen, "127.0.0.1:8080");
  EXPECT_EQ(config.raw.at("default_category"), "general");
}

TEST(EngineConfig, FileReferencesResolveAgainstTheConfigDirectory) {
  auto config = load_engine_config(kShipped);
  EXPECT_EQ(config.resolve("roles.json"), config.dir / "roles.json");
  EXPECT_EQ(config.resolve("calendars/../roles.json"), config.dir / "roles.json");
  EXPECT_EQ(config.resolve("/etc/disputed/roles.json"), fs::path("/etc/disputed/roles.json"));
}

TEST(EngineConfig, DefaultsAndSpecialDatabasePaths) {
  TempDir dir;
  auto config = load_engine_config(dir.write("d.json", minimal(R"({"path": ":memory:"})")));
  EXPECT_EQ(config.database_path, fs::path(":memory:"));
  EXPECT_EQ(config.synchronous, "normal");
  EXPECT_EQ(config.busy_timeout_ms, 5000);
  EXPECT_FALSE(config.listen.has_value());

  config = load_engine_config(
      dir.write("d.json", minimal(R"({"path": "/var/lib/disputed/d.db", "synchronous": "full"})")));
  EXPECT_EQ(config.database_path, fs::path("/var/lib/disputed/d.db"));
  EXPECT_EQ(config.synchronous, "full");
}

TEST(EngineConfig, UnknownKeyNamesFileAndKeyPath) {
  TempDir dir;
  auto file = dir.write("disputed.json", minimal(R"({"path": "d.db", "colour": "red"})"));
  auto e = config_error_from([&] { load_engine_config(file); });
  EXPECT_EQ(e.key_path(), "/database/colour");
  EXPECT_EQ(e.problem(), "unknown key");
  EXPECT_NE(std::string(e.what()).find("disputed.json: /database/colour: unknown key"),
            std::string::npos)
      << e.what();
}

TEST(EngineConfig, WrongTypeAndBadValue) {
  TempDir dir;
  auto e = config_error_from([&] {
    load_engine_config(
        dir.write("d.json", minimal(R"({"path": "d.db", "busy_timeout_ms": "soon"})")));
  });
  EXPECT_EQ(e.key_path(), "/database/busy_timeout_ms");
  EXPECT_EQ(e.problem(), "must be a whole number, not the string \"soon\"");

  e = config_error_from([&] {
    load_engine_config(dir.write("d.json", minimal(R"({"path": "d.db", "synchronous": "off"})")));
  });
  EXPECT_EQ(e.key_path(), "/database/synchronous");
}

TEST(EngineConfig, MissingRequiredKey) {
  TempDir dir;
  auto e = config_error_from(
      [&] { load_engine_config(dir.write("d.json", R"({"database": {"path": "x"}})")); });
  EXPECT_FALSE(e.key_path().empty());
  EXPECT_EQ(e.problem().rfind("is required but missing", 0), 0u) << e.what();
}

TEST(EngineConfig, ServerListenMustBeHostAndPort) {
  TempDir dir;
  std::string text = minimal(R"({"path": "d.db"})");
  text.insert(text.rfind('}'), R"(, "server": {"listen": "8080"})");
  auto e = config_error_from([&] { load_engine_config(dir.write("d.json", text)); });
  EXPECT_EQ(e.key_path(), "/server/listen");
}

}  // namespace
}  // namespace disputed::config
