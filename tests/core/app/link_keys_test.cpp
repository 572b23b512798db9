// The one-click links' keys (messaging.link_keys): resolved from the secret store at start-up,
// and a missing, short or repeated one stops the start naming its key path, never its value.

#include <gmock/gmock.h>

#include <cstdlib>

#include "core/app/connectors.hpp"
#include "core/config/config_error.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

workflow::Definitions with_keys(std::vector<workflow::LinkKeyRef> keys) {
  workflow::Definitions defs;
  defs.public_url = "https://disputes.example.com";
  defs.messaging.link_keys = std::move(keys);
  return defs;
}

std::string problem_of(const workflow::Definitions& defs, std::string& key_path) {
  try {
    (void)link_signer(defs, "disputed.json");
  } catch (const config::ConfigError& e) {
    key_path = e.key_path();
    return e.what();
  }
  return {};
}

TEST(LinkKeys, KeysFromTheEnvironmentAndFilesSignAndTheFirstOneSigns) {
  disputed::testing::TempDir dir;
  dir.write("link-key", std::string(40, 'f'));
  setenv("DISPUTED_TEST_LINK_KEY_A", std::string(32, 'a').c_str(), 1);
  auto signer = link_signer(with_keys({{"new", "file:" + (dir / "link-key").string()},
                                       {"old", "env:DISPUTED_TEST_LINK_KEY_A"}}),
                            "disputed.json");
  ASSERT_NE(signer, nullptr);
  EXPECT_EQ(signer->signing_key_id(), "new");
  EXPECT_EQ(link_signer(with_keys({}), "disputed.json"), nullptr) << "no keys, no links";
}

TEST(LinkKeys, AMissingShortOrRepeatedKeyStopsTheStartNamingItsPath) {
  std::string path;
  unsetenv("DISPUTED_TEST_LINK_KEY_MISSING");
  auto missing = problem_of(with_keys({{"k1", "env:DISPUTED_TEST_LINK_KEY_MISSING"}}), path);
  EXPECT_EQ(path, "/messaging/link_keys/0/secret");
  EXPECT_THAT(missing, HasSubstr("DISPUTED_TEST_LINK_KEY_MISSING is not set"));

  setenv("DISPUTED_TEST_LINK_KEY_SHORT", "short-secret-value", 1);
  setenv("DISPUTED_TEST_LINK_KEY_A", std::string(32, 'a').c_str(), 1);
  auto short_one = problem_of(with_keys({{"k1", "env:DISPUTED_TEST_LINK_KEY_A"},
                                         {"k2", "env:DISPUTED_TEST_LINK_KEY_SHORT"}}),
                              path);
  EXPECT_EQ(path, "/messaging/link_keys/1/secret");
  EXPECT_THAT(short_one, HasSubstr("shorter than 32 bytes"));
  EXPECT_THAT(short_one, Not(HasSubstr("short-secret-value"))) << "never the secret";

  auto twice = problem_of(
      with_keys({{"k1", "env:DISPUTED_TEST_LINK_KEY_A"}, {"k1", "env:DISPUTED_TEST_LINK_KEY_A"}}),
      path);
  EXPECT_EQ(path, "/messaging/link_keys/1/id");
  EXPECT_THAT(twice, HasSubstr("given twice"));

  auto defs = with_keys({{"k1", "env:DISPUTED_TEST_LINK_KEY_A"}});
  defs.public_url.clear();
  (void)problem_of(defs, path);
  EXPECT_EQ(path, "/server/public_url");
}

}  // namespace
}  // namespace disputed::app
