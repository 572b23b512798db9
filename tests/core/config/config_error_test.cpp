#include "core/config/config_error.hpp"

#include <gtest/gtest.h>

namespace disputed::config {
namespace {

TEST(ConfigError, MessageNamesFileKeyPathAndProblem) {
  ConfigError e("configs/workflows/price.json", "/steps/2/outcomes/0/next", "unknown step 'x'");
  EXPECT_STREQ(e.what(),
               "configs/workflows/price.json: /steps/2/outcomes/0/next: unknown step 'x'");
  EXPECT_EQ(e.file(), "configs/workflows/price.json");
  EXPECT_EQ(e.key_path(), "/steps/2/outcomes/0/next");
  EXPECT_EQ(e.problem(), "unknown step 'x'");
}

TEST(ConfigError, LeavesOutEmptyParts) {
  EXPECT_STREQ(ConfigError("roles.json", "", "file not found").what(),
               "roles.json: file not found");
  EXPECT_STREQ(ConfigError("", "/a", "bad").what(), "/a: bad");
}

TEST(ConfigError, PointerAppendEscapesLikeRfc6901) {
  EXPECT_EQ(pointer_append("/steps", 2), "/steps/2");
  EXPECT_EQ(pointer_append("", "a/b~c"), "/a~1b~0c");
}

}  // namespace
}  // namespace disputed::config
