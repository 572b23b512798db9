#include "core/app/args.hpp"

#include <gtest/gtest.h>

namespace disputed::app {
namespace {

TEST(Args, OptionsAnywhereWithValuesFlagsAndRepeats) {
  Args a({"DSP-1", "--invoice", "A=1", "--json", "--invoice=B", "step"}, {"json"}, {"invoice"});
  EXPECT_EQ(a.positionals(), (std::vector<std::string>{"DSP-1", "step"}));
  EXPECT_TRUE(a.flag("json"));
  EXPECT_EQ(a.values("invoice"), (std::vector<std::string>{"A=1", "B"}));
  EXPECT_THROW(a.value("invoice"), UsageError);  // given twice where once is expected
}

TEST(Args, UnknownOrIncompleteOptionsAreUsageErrorsNamingThem) {
  try {
    Args({"--colour", "red"}, {}, {"invoice"});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--colour"), std::string::npos);
  }
  EXPECT_THROW(Args({"--invoice"}, {}, {"invoice"}), UsageError);
  EXPECT_THROW(Args({"--json=yes"}, {"json"}, {}), UsageError);
  Args a({"x", "y"}, {}, {});
  EXPECT_THROW(a.expect_positionals(1), UsageError);
  EXPECT_THROW(a.positional(2, "the step"), UsageError);
  EXPECT_THROW(a.required("note"), UsageError);
}

}  // namespace
}  // namespace disputed::app
