#include <gmock/gmock.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>

#include "core/config/config_error.hpp"
#include "core/host/plugin_catalog.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_host.hpp"

namespace disputed::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kPlugins = fs::path(DISPUTED_BINARY_DIR) / "test-plugins";

// A directory holding one library (copied) and one manifest (copied or given).
fs::path stage(const testing::TempDir& dir, const fs::path& library,
               const std::string& manifest_text) {
  fs::create_directories(dir.path());
  fs::copy_file(library, dir / "libstaged.so", fs::copy_options::overwrite_existing);
  dir.write("libstaged.manifest.json", manifest_text);
  return dir.path();
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(PluginHost, FindsManifestsWithoutLoadingAndLoadsAGoodPlugin) {
  PluginCatalog catalog({kPlugins, "/nonexistent"});
  ASSERT_NE(catalog.find("fakesystem"), nullptr);
  EXPECT_EQ(catalog.find("fakesystem")->manifest.version, "1.0.0");
  auto plugin = catalog.load("fakesystem");
  ASSERT_TRUE(plugin.ok()) << plugin.error().describe();
  auto connector = plugin.value()->create();
  ASSERT_TRUE(connector.ok());
  auto problems = connector.value()->validate("{}");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "/database");
  // Loaded once: the same library object comes back.
  EXPECT_EQ(catalog.load("fakesystem").value().get(), plugin.value().get());
}

TEST(PluginHost, RefusesAnotherAbiNamingExpectedAndFound) {
  PluginCatalog catalog({kPlugins});
  auto r = catalog.load("fakesystem-wrong-abi");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("fakesystem-wrong-abi"));
  EXPECT_THAT(r.error().message, HasSubstr("built for SDK ABI 99.0"));
  EXPECT_THAT(r.error().message,
              HasSubstr("needs ABI major " + std::to_string(DISPUTED_SDK_ABI_MAJOR)));
}

TEST(PluginHost, RefusesAnotherCompilerNamingBothFingerprints) {
  PluginCatalog catalog({kPlugins});
  auto r = catalog.load("fakesystem-wrong-fingerprint");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("clang-99.0"));
  EXPECT_THAT(r.error().message, HasSubstr(host_build_fingerprint()));
}

TEST(PluginHost, RefusesALibraryWithoutDescriptor) {
  testing::TempDir dir;
  std::string manifest = read(kPlugins / "libfakesystem.manifest.json");
  PluginCatalog catalog(
      {stage(dir, kPlugins / "broken" / "libfakesystem_no_descriptor.so", manifest)});
  auto r = catalog.load("fakesystem");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("symbol disputed_plugin_descriptor not found"));
}

TEST(PluginHost, RefusesACorruptFile) {
  testing::TempDir dir;
  dir.write("libstaged.so", "this is not an ELF file");
  dir.write("libstaged.manifest.json", read(kPlugins / "libfakesystem.manifest.json"));
  PluginCatalog catalog({dir.path()});
  auto r = catalog.load("fakesystem");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("cannot be loaded"));
  EXPECT_THAT(r.error().message, HasSubstr("libstaged.so"));
}

TEST(PluginHost, RefusesAManifestThatDisagreesWithTheEmbeddedOne) {
  testing::TempDir dir;
  std::string manifest = read(kPlugins / "libfakesystem.manifest.json");
  manifest.replace(manifest.find("\"1.0.0\""), 7, "\"1.0.1\"");
  PluginCatalog catalog({stage(dir, kPlugins / "libfakesystem.so", manifest)});
  auto r = catalog.load("fakesystem");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("disagrees with the manifest built into it"));
  EXPECT_THAT(r.error().message, HasSubstr("'version' differs"));
}

TEST(PluginHost, AnInvalidManifestIsAStartUpErrorNamingFileAndKey) {
  testing::TempDir dir;
  std::string manifest = read(kPlugins / "libfakesystem.manifest.json");
  manifest.replace(manifest.find("\"alpha\""), 7, "\"shiny\"");
  stage(dir, kPlugins / "libfakesystem.so", manifest);
  try {
    PluginCatalog catalog({dir.path()});
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("libstaged.manifest.json"));
    EXPECT_EQ(e.key_path(), "/status");
  }
}

// Issue 13, finding 9: a library anyone could replace was loaded into the engine.
TEST(PluginHost, RefusesALibraryOthersCouldReplace) {
  const fs::path good = kPlugins / "libfakesystem.so";
  const std::string manifest = read(kPlugins / "libfakesystem.manifest.json");
  auto refused = [&](const std::function<void(const fs::path&)>& weaken, const std::string& why) {
    testing::TempDir dir;
    fs::path staged = stage(dir, good, manifest);
    fs::permissions(staged, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
    weaken(staged);
    PluginCatalog catalog({staged});
    auto plugin = catalog.load("fakesystem");
    ASSERT_FALSE(plugin.ok()) << why;
    EXPECT_THAT(plugin.error().message, HasSubstr("plugin 'fakesystem' not loaded: "));
    EXPECT_THAT(plugin.error().message, HasSubstr(why));
    fs::permissions(staged, fs::perms::owner_all);  // so the TempDir can be removed
  };
  refused(
      [](const fs::path& d) { fs::permissions(d, fs::perms::others_write, fs::perm_options::add); },
      "is writable by every user");
  refused(
      [](const fs::path& d) {
        fs::permissions(d / "libstaged.so", fs::perms::group_write, fs::perm_options::add);
      },
      "is writable by its group");
  refused(
      [](const fs::path& d) {
        fs::permissions(d / "libstaged.manifest.json", fs::perms::others_write,
                        fs::perm_options::add);
      },
      "libstaged.manifest.json is writable by every user");
  if (::geteuid() == 0) {  // only root can give a file away
    refused(
        [](const fs::path& d) { ASSERT_EQ(::chown((d / "libstaged.so").c_str(), 4242, 4242), 0); },
        "belongs to uid 4242");
  }
  // The same library, kept safe, loads.
  testing::TempDir dir;
  fs::path staged = stage(dir, good, manifest);
  fs::permissions(staged, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  fs::permissions(staged / "libstaged.so", fs::perms::owner_all | fs::perms::group_read);
  fs::permissions(staged / "libstaged.manifest.json",
                  fs::perms::owner_read | fs::perms::owner_write);
  PluginCatalog catalog({staged});
  auto plugin = catalog.load("fakesystem");
  EXPECT_TRUE(plugin.ok()) << plugin.error().describe();
}

TEST(PluginHost, ConnectorsKeepTheirLibraryLoaded) {
  std::shared_ptr<sdk::Connector> connector;
  {
    PluginCatalog catalog({kPlugins});
    connector = catalog.load("fakesystem").value()->create().value();
  }  // the catalog is gone; the connector still works and is destroyed by its own plugin
  EXPECT_EQ(connector->validate(R"({"database":"x.db"})").size(), 0u);
  connector.reset();
}

}  // namespace
}  // namespace disputed::host
