#include <gtest/gtest.h>

#include "core/config/config_error.hpp"
#include "core/config/engine_config.hpp"
#include "tests/core/config/config_error_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::config {
namespace {

using disputed::testing::config_error_from;
using disputed::testing::TempDir;

std::string with_server(const std::string& server) {
  return R"({"database": {"path": "x.db"}, "calendar": "c.json", "categories": "cat.json",
             "workflows_dir": "wf", "roles": "roles.json", "default_category": "general",
             "server": )" +
         server + "}";
}

TEST(ServerConfig, DefaultsWhenOnlyTheAddressIsGiven) {
  TempDir dir;
  auto c = load_engine_config(dir.write("d.json", with_server(R"({"listen": "127.0.0.1:9000"})")));
  EXPECT_EQ(c.listen, "127.0.0.1:9000");
  EXPECT_EQ(c.max_body_bytes, 1u << 20);
  EXPECT_EQ(c.server_threads, 8);
  EXPECT_FALSE(c.oauth2.has_value());
}

TEST(ServerConfig, ReadsLimitsAndOAuth2WithTheJwksFileRelativeToTheConfig) {
  TempDir dir;
  auto c = load_engine_config(dir.write("etc/d.json", with_server(R"({
      "max_body_bytes": 65536, "threads": 4,
      "oauth2": {"issuer": "https://idp.example.com", "audience": "disputed", "jwks_file": "keys/jwks.json",
                 "role_claim": "groups", "roles": {"ar-clerks": "controller", "auditors": "viewer"}}})")));
  EXPECT_EQ(c.max_body_bytes, 65536u);
  EXPECT_EQ(c.server_threads, 4);
  ASSERT_TRUE(c.oauth2.has_value());
  EXPECT_EQ(c.oauth2->jwks_file, dir / "etc/keys/jwks.json");
  EXPECT_TRUE(c.oauth2->jwks_uri.empty());
  EXPECT_EQ(c.oauth2->roles.at("ar-clerks"), "controller");
}

TEST(ServerConfig, ReadsTlsFilesRelativeToTheConfigAndTheListenerLimits) {
  TempDir dir;
  auto c = load_engine_config(dir.write("etc/d.json", with_server(R"({
      "tls": {"certificate_file": "tls/cert.pem", "private_key_file": "/secure/key.pem"},
      "limits": {"max_header_bytes": 8192, "max_connections": 64, "header_timeout_seconds": 5,
                 "body_timeout_seconds": 20, "idle_timeout_seconds": 15}})")));
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_EQ(c.tls->certificate_file, dir / "etc/tls/cert.pem");
  EXPECT_EQ(c.tls->private_key_file, "/secure/key.pem");
  EXPECT_EQ(c.limits.max_header_bytes, 8192u);
  EXPECT_EQ(c.limits.max_connections, 64u);
  EXPECT_EQ(c.limits.header_timeout_seconds, 5);
  EXPECT_EQ(c.limits.body_timeout_seconds, 20);
  EXPECT_EQ(c.limits.idle_timeout_seconds, 15);
  auto defaults = load_engine_config(dir.write("e.json", with_server("{}")));
  EXPECT_FALSE(defaults.tls.has_value());
  EXPECT_EQ(defaults.limits.max_header_bytes, 16384u);
  EXPECT_EQ(defaults.limits.max_connections, 256u);
  auto half = config_error_from([&] {
    load_engine_config(dir.write("f.json", with_server(R"({"tls": {"certificate_file": "c"}})")));
  });
  EXPECT_EQ(half.key_path(), "/server/tls/private_key_file");
  auto typo = config_error_from([&] {
    load_engine_config(dir.write("g.json", with_server(R"({"limits": {"max_conections": 5}})")));
  });
  EXPECT_EQ(typo.key_path(), "/server/limits/max_conections");
}

TEST(ServerConfig, MistakesNameTheKey) {
  TempDir dir;
  auto unknown = config_error_from([&] {
    load_engine_config(
        dir.write("a.json", with_server(R"({"oauth2": {"issuer": "i", "audience": "a",
        "jwks_uri": "https://idp/certs", "role_claim": "r", "roles": {"x": "admin"}, "scope": "api"}})")));
  });
  EXPECT_EQ(unknown.key_path(), "/server/oauth2/scope");
  auto role = config_error_from([&] {
    load_engine_config(
        dir.write("b.json", with_server(R"({"oauth2": {"issuer": "i", "audience": "a",
        "jwks_uri": "https://idp/certs", "role_claim": "r", "roles": {"x": "root"}}})")));
  });
  EXPECT_EQ(role.key_path(), "/server/oauth2/roles/x");
  auto both = config_error_from([&] {
    load_engine_config(
        dir.write("c.json", with_server(R"({"oauth2": {"issuer": "i", "audience": "a",
        "jwks_uri": "https://idp/certs", "jwks_file": "k.json", "role_claim": "r", "roles": {"x": "admin"}}})")));
  });
  EXPECT_EQ(both.key_path(), "/server/oauth2");
  auto small = config_error_from(
      [&] { load_engine_config(dir.write("d.json", with_server(R"({"max_body_bytes": 10})"))); });
  EXPECT_EQ(small.key_path(), "/server/max_body_bytes");
}

}  // namespace
}  // namespace disputed::config
