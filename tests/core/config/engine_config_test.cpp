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

TEST(EngineConfig, TheDatabaseMemoryBoundsHaveDefaultsAndAreRead) {
  TempDir dir;
  auto config = load_engine_config(dir.write("d.json", minimal(R"({"path": "d.db"})")));
  EXPECT_EQ(config.cache_mib, 64);
  EXPECT_EQ(config.reader_cache_mib, 16);
  EXPECT_EQ(config.mmap_mib, 256);
  EXPECT_EQ(config.readers, 0);  // as many as server.threads
  EXPECT_EQ(config.wal_limit_mib, 64);

  config = load_engine_config(
      dir.write("d.json", minimal(R"({"path": "d.db", "cache_mib": 32, "reader_cache_mib": 4,
                            "mmap_mib": 0, "readers": 3, "wal_limit_mib": 8})")));
  EXPECT_EQ(config.cache_mib, 32);
  EXPECT_EQ(config.reader_cache_mib, 4);
  EXPECT_EQ(config.mmap_mib, 0);
  EXPECT_EQ(config.readers, 3);
  EXPECT_EQ(config.wal_limit_mib, 8);
}

TEST(EngineConfig, AMemoryBoundOutOfRangeNamesItsKey) {
  TempDir dir;
  for (const char* bad : {R"("cache_mib": 0)", R"("reader_cache_mib": 2048)", R"("mmap_mib": -1)",
                          R"("readers": 0)", R"("readers": 65)", R"("wal_limit_mib": 0)"}) {
    auto e = config_error_from([&] {
      load_engine_config(
          dir.write("d.json", minimal(std::string(R"({"path": "d.db", )") + bad + "}")));
    });
    std::string key = std::string(bad).substr(1, std::string(bad).find('"', 1) - 1);
    EXPECT_EQ(e.key_path(), "/database/" + key) << bad;
  }
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
