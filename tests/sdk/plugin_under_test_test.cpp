// The kit's own checks of manifests, settings and descriptors name the field that is wrong, the
// way the host's start-up errors do.

#include "disputed/sdk/testkit/plugin_under_test.hpp"

#include <gmock/gmock.h>

#include <fstream>

namespace disputed::sdk::testkit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string kTemplateManifest =
    read(std::filesystem::path(DISPUTED_SOURCE_DIR) / "sdk/template/manifest.json");

TEST(ManifestProblems, TheTemplatesManifestIsValid) {
  ASSERT_FALSE(kTemplateManifest.empty());
  EXPECT_THAT(manifest_problems(kTemplateManifest), ::testing::IsEmpty());
}

TEST(ManifestProblems, NameTheFieldThatIsWrong) {
  auto with = [](const std::string& from, const std::string& to) {
    std::string text = kTemplateManifest;
    text.replace(text.find(from), from.size(), to);
    return manifest_problems(text);
  };
  EXPECT_THAT(with(R"("id": "template")", R"("id": "Template!")"), Contains(StartsWith("/id: ")));
  EXPECT_THAT(with(R"("status": "alpha")", R"("status": "gamma")"),
              Contains(StartsWith("/status: ")));
  EXPECT_THAT(with(R"("version": "0.1.0")", R"("version": "one")"),
              Contains(StartsWith("/version: ")));
  EXPECT_THAT(with(R"("id": "template",)", R"("id": "template", "colour": "blue",)"),
              Contains(StartsWith("/colour: ")));
  EXPECT_THAT(with(R"("license": "Apache-2.0",)", ""), Contains(StartsWith("/license: ")));
  EXPECT_THAT(with(R"("burst": 10)", R"("burst": 0)"), Contains(StartsWith("/defaults/burst: ")));
  EXPECT_THAT(with(R"("type": "object",)", R"("type": "objekt",)"),
              Contains(HasSubstr("/config_schema: is not a usable JSON Schema")));
  EXPECT_THAT(manifest_problems("{not json"), Contains(StartsWith(": the manifest is not JSON")));
}

TEST(SettingsProblems, PointAtTheFieldLikeTheHost) {
  std::string schema =
      R"({"type": "object", "additionalProperties": false, "required": ["base_url"],
                           "properties": {"base_url": {"type": "string"}, "limits": {"type": "object",
                           "properties": {"per_second": {"type": "integer"}}}}})";
  EXPECT_TRUE(settings_problems(schema, R"({"base_url": "https://x"})").empty());
  EXPECT_THAT(settings_problems(schema, "{}"), Contains(Pair("/base_url", HasSubstr("required"))));
  EXPECT_THAT(settings_problems(schema, R"({"base_url": 5})"),
              Contains(Pair("/base_url", ::testing::_)));
  EXPECT_THAT(settings_problems(schema, R"({"base_url": "x", "a/b": 1})"),
              Contains(Pair("/a~1b", ::testing::_)));
  EXPECT_THAT(settings_problems(schema, R"({"base_url": "x", "limits": {"per_second": "many"}})"),
              Contains(Pair("/limits/per_second", ::testing::_)));
  EXPECT_THAT(settings_problems(schema, "[1"), Contains(Pair("", "the settings are not JSON")));
  EXPECT_THAT(settings_problems("{oops", "{}"), Contains(Pair("#config_schema", ::testing::_)));
}

TEST(PluginUnderTest, SaysWhyALibraryCannotBeLoaded) {
  std::string error;
  EXPECT_EQ(PluginUnderTest::load("/nonexistent/libnothing.so", &error), nullptr);
  EXPECT_THAT(error, HasSubstr("does not exist"));
  EXPECT_EQ(PluginUnderTest::load(
                std::filesystem::path(DISPUTED_SOURCE_DIR) / "sdk/template/manifest.json", &error),
            nullptr);
  EXPECT_THAT(error, HasSubstr("cannot be loaded"));
}

TEST(PluginUnderTest, JudgesDescriptorsLikeTheAbiGate) {
  const std::filesystem::path plugins = std::filesystem::path(DISPUTED_BINARY_DIR) / "test-plugins";
  std::string error;
  auto good = PluginUnderTest::load(plugins / "libfakesystem.so", &error);
  ASSERT_NE(good, nullptr) << error;
  EXPECT_THAT(good->descriptor_problems(), ::testing::IsEmpty());
  EXPECT_TRUE(good->create());

  auto wrong_abi = PluginUnderTest::load(plugins / "libfakesystem_wrong_abi.so", &error);
  ASSERT_NE(wrong_abi, nullptr) << error;
  EXPECT_THAT(wrong_abi->descriptor_problems(), Contains(HasSubstr("built for SDK ABI 99.0")));

  auto wrong_fingerprint =
      PluginUnderTest::load(plugins / "libfakesystem_wrong_fingerprint.so", &error);
  ASSERT_NE(wrong_fingerprint, nullptr) << error;
  EXPECT_THAT(wrong_fingerprint->descriptor_problems(), Contains(HasSubstr("clang-99.0")));

  EXPECT_EQ(PluginUnderTest::load(plugins / "broken/libfakesystem_no_descriptor.so", &error),
            nullptr);
  EXPECT_THAT(error, HasSubstr("not a disputed plugin"));
}

TEST(ManifestBeside, IsWhereTheCatalogLooks) {
  EXPECT_EQ(manifest_beside("/p/libzendesk.so"), "/p/libzendesk.manifest.json");
}

}  // namespace
}  // namespace disputed::sdk::testkit
