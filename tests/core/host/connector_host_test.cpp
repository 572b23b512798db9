#include "core/host/connector_host.hpp"

#include <gmock/gmock.h>

#include "core/config/config_error.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kPlugins = fs::path(DISPUTED_BINARY_DIR) / "test-plugins";

class ConnectorHostTest : public ::testing::Test {
 protected:
  config::ConfigError open_error(const std::string& instance_json) {
    dir_.write("connectors/fake.json", instance_json);
    ConnectorHost host({kPlugins}, clock_, {});
    try {
      host.open(read_instance_configs(dir_ / "connectors"));
    } catch (const config::ConfigError& e) {
      return e;
    }
    ADD_FAILURE() << "expected a ConfigError for " << instance_json;
    return config::ConfigError("", "", "");
  }
  testing::TempDir dir_;
  domain::FakeClock clock_{*domain::parse_instant("2026-11-23T08:00:00Z")};
};

TEST_F(ConnectorHostTest, OpensAConfiguredInstanceWithTheManifestDefaults) {
  dir_.write("connectors/fake.json",
             R"({"name": "fake", "plugin": "fakesystem", "settings": {"database": ")" +
                 (dir_ / "f.db").string() + R"("}})");
  ConnectorHost host({kPlugins}, clock_, {});
  host.open(read_instance_configs(dir_ / "connectors"));
  ASSERT_EQ(host.instances().size(), 1u);
  auto* in = host.find("fake");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->manifest.id, "fakesystem");
  EXPECT_TRUE(in->connector->check().ok);
}

TEST_F(ConnectorHostTest, SettingsAreCheckedAgainstThePluginsSchema) {
  auto e = open_error(
      R"({"name": "fake", "plugin": "fakesystem", "settings": {"database": "x.db", "colour": 1}})");
  EXPECT_THAT(e.file(), HasSubstr("fake.json"));
  EXPECT_THAT(e.key_path(), HasSubstr("/settings"));
  EXPECT_THAT(e.what(), HasSubstr("colour"));
}

TEST_F(ConnectorHostTest, AnUnknownPluginIsNamed) {
  auto e = open_error(R"({"name": "fake", "plugin": "nosuch", "settings": {}})");
  EXPECT_EQ(e.key_path(), "/plugin");
  EXPECT_THAT(e.what(), HasSubstr("no plugin 'nosuch'"));
}

TEST_F(ConnectorHostTest, SecretsAreReferencesAndMustBeKnownToThePlugin) {
  auto literal =
      open_error(R"({"name": "fake", "plugin": "fakesystem", "settings": {"database": "x.db"},
                                "secrets": {"token": "hunter2"}})");
  EXPECT_EQ(literal.key_path(), "/secrets/token");
  EXPECT_THAT(literal.what(), ::testing::Not(HasSubstr("hunter2")));
  EXPECT_THAT(literal.what(), HasSubstr("env:NAME or file:PATH"));
  auto unknown =
      open_error(R"({"name": "fake", "plugin": "fakesystem", "settings": {"database": "x.db"},
                                "secrets": {"token": "env:FAKE_TOKEN"}})");
  EXPECT_EQ(unknown.key_path(), "/secrets/token");
  EXPECT_THAT(unknown.what(), HasSubstr("has no such secret"));
}

// The smtp plugin offers auth kind "none" with OAuth2 as an alternative, and a password secret for
// itself ("use": "plugin").
TEST_F(ConnectorHostTest, AnInstanceChoosesOnlyAnAuthKindThePluginOffers) {
  const fs::path plugins = fs::path(DISPUTED_BINARY_DIR) / "plugins";
  dir_.write("connectors/mail.json", R"({"name": "mail", "plugin": "smtp",
      "settings": {"server": "smtp://127.0.0.1:1", "tls": "none"}, "auth": {"kind": "bearer"}})");
  ConnectorHost host({plugins}, clock_, {});
  try {
    host.open(read_instance_configs(dir_ / "connectors"));
    ADD_FAILURE() << "auth kind bearer was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.key_path(), "/auth/kind");
    EXPECT_THAT(e.what(), HasSubstr("does not offer auth kind 'bearer'"));
    EXPECT_THAT(e.what(), HasSubstr("none, oauth2_client_credentials"));
  }
}

TEST_F(ConnectorHostTest, APluginsOwnSecretIsResolvedForItAndNeverForAuthentication) {
  const fs::path plugins = fs::path(DISPUTED_BINARY_DIR) / "plugins";
  dir_.write("smtp-password", "s3cret-value\n");
  dir_.write("connectors/mail.json", R"({"name": "mail", "plugin": "smtp",
      "settings": {"server": "smtps://mail.example.com:465", "tls": "implicit", "login": "plain",
                   "username": "app"},
      "secrets": {"password": "file:)" + (dir_ / "smtp-password").string() +
                                         R"("}})");
  ConnectorHost host({plugins}, clock_, {});
  host.open(read_instance_configs(dir_ / "connectors"));
  auto* in = host.find("mail");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->services->plugin_secret("password"), "s3cret-value");
  EXPECT_EQ(in->services->plugin_secret("client_secret"), std::nullopt);
  EXPECT_EQ(in->services->auth_kind(), net::AuthKind::kNone);

  dir_.write("connectors/mail.json", R"({"name": "mail", "plugin": "smtp",
      "settings": {"server": "smtps://mail.example.com:465", "tls": "implicit"},
      "secrets": {"password": "file:)" + (dir_ / "missing").string() +
                                         R"("}})");
  ConnectorHost again({plugins}, clock_, {});
  try {
    again.open(read_instance_configs(dir_ / "connectors"));
    ADD_FAILURE() << "a missing secret file was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("secrets.password"));
  }
}

}  // namespace
}  // namespace disputed::host

namespace disputed::host {
namespace {

TEST(PluginSearchPath, ADirectoryNamedTwiceIsSearchedOnce) {
  std::string env =
      std::string(DISPUTED_BINARY_DIR) + "/test-plugins:" + DISPUTED_BINARY_DIR + "/test-plugins/";
  auto dirs = plugin_search_path({std::filesystem::path(DISPUTED_BINARY_DIR) / "test-plugins"},
                                 env.c_str());
  int seen = 0;
  for (const auto& d : dirs)
    seen +=
        std::filesystem::equivalent(d, std::filesystem::path(DISPUTED_BINARY_DIR) / "test-plugins");
  EXPECT_EQ(seen, 1);
  // The catalog over that path lists the fake plugin once; the same directory twice would be
  // a conflict of the plugin with itself.
  EXPECT_NO_THROW(PluginCatalog catalog(dirs));
  auto twice = std::vector<std::filesystem::path>{
      std::filesystem::path(DISPUTED_BINARY_DIR) / "test-plugins",
      std::filesystem::path(DISPUTED_BINARY_DIR) / "test-plugins"};
  EXPECT_THROW(PluginCatalog catalog(twice), config::ConfigError);
}

}  // namespace
}  // namespace disputed::host
