#include "core/net/secrets.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ostream>
#include <type_traits>

#include "tests/support/temp_dir.hpp"

namespace disputed::net {
namespace {

template <class T, class = void>
struct Streamable : std::false_type {};
template <class T>
struct Streamable<T,
                  std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

TEST(SecretsTest, EnvReferenceResolvesToTheVariable) {
  ::setenv("DISPUTED_NET_TEST_SECRET", "s3cr3t-value", 1);
  auto value = resolve_secret("env:DISPUTED_NET_TEST_SECRET");
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(value.value(), "s3cr3t-value");
  ::unsetenv("DISPUTED_NET_TEST_SECRET");
}

TEST(SecretsTest, MissingOrEmptyEnvVariableIsAnErrorNamingIt) {
  ::unsetenv("DISPUTED_NET_TEST_MISSING");
  auto missing = resolve_secret("env:DISPUTED_NET_TEST_MISSING");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("DISPUTED_NET_TEST_MISSING"), std::string::npos);
  EXPECT_NE(missing.error().message.find("not set"), std::string::npos);

  ::setenv("DISPUTED_NET_TEST_EMPTY", "", 1);
  auto empty = resolve_secret("env:DISPUTED_NET_TEST_EMPTY");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
  ::unsetenv("DISPUTED_NET_TEST_EMPTY");

  EXPECT_FALSE(resolve_secret("env:").ok());
  EXPECT_FALSE(resolve_secret("env:1BAD").ok());
}

TEST(SecretsTest, FileReferenceStripsOneTrailingNewline) {
  disputed::testing::TempDir dir;
  EXPECT_EQ(resolve_secret("file:" + dir.write("a", "tok\n").string()).value(), "tok");
  EXPECT_EQ(resolve_secret("file:" + dir.write("b", "tok\r\n").string()).value(), "tok");
  EXPECT_EQ(resolve_secret("file:" + dir.write("c", "tok\n\n").string()).value(), "tok\n");
  EXPECT_EQ(resolve_secret("file:" + dir.write("d", "tok").string()).value(), "tok");
  // A PEM key keeps its inner newlines.
  EXPECT_EQ(
      resolve_secret("file:" + dir.write("e", "-----A-----\nxyz\n-----B-----\n").string()).value(),
      "-----A-----\nxyz\n-----B-----");
}

TEST(SecretsTest, MissingEmptyUnreadableOrDirectoryFileIsAnError) {
  disputed::testing::TempDir dir;
  auto missing = resolve_secret("file:" + (dir / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
  EXPECT_NE(missing.error().message.find((dir / "nope").string()), std::string::npos);

  EXPECT_FALSE(resolve_secret("file:" + dir.write("empty", "").string()).ok());
  EXPECT_FALSE(resolve_secret("file:" + dir.write("newline", "\n").string()).ok());
  EXPECT_FALSE(resolve_secret("file:" + dir.path().string()).ok());
  EXPECT_FALSE(resolve_secret("file:").ok());
}

TEST(SecretsTest, FileLargerThan64KiBIsRefused) {
  disputed::testing::TempDir dir;
  auto at_limit =
      resolve_secret("file:" + dir.write("ok", std::string(kMaxSecretFileBytes, 'x')).string());
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
  EXPECT_EQ(at_limit.value().size(), kMaxSecretFileBytes);

  auto over = resolve_secret("file:" +
                             dir.write("big", std::string(kMaxSecretFileBytes + 1, 'x')).string());
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("64 KiB"), std::string::npos);
}

TEST(SecretsTest, LiteralSecretIsRefusedWithoutEchoingIt) {
  for (const std::string literal : {"hunter2-literal", "ENV:FOO", "${FOO}", "Bearer abc.def"}) {
    auto refused = resolve_secret(literal);
    ASSERT_FALSE(refused.ok()) << literal;
    EXPECT_EQ(refused.error().message, "a literal secret; use env:NAME or file:PATH");
    EXPECT_EQ(refused.error().describe().find(literal), std::string::npos);
  }
  EXPECT_FALSE(resolve_secret("").ok());
  EXPECT_FALSE(is_secret_ref("hunter2"));
  EXPECT_TRUE(is_secret_ref("env:X"));
  EXPECT_TRUE(is_secret_ref("file:/x"));
}

TEST(SecretsTest, SecretNeverPrintsItsValue) {
  static_assert(!Streamable<Secret>::value, "a Secret must not be streamable");
  ::setenv("DISPUTED_NET_TEST_SECRET2", "pr1nt-me-not", 1);
  auto secret = load_secret("env:DISPUTED_NET_TEST_SECRET2");
  ::unsetenv("DISPUTED_NET_TEST_SECRET2");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->reveal(), "pr1nt-me-not");
  EXPECT_STREQ(Secret::redacted(), "***");
  EXPECT_EQ(::testing::PrintToString(secret.value()), "***");

  Secret moved(std::move(secret.value()));
  EXPECT_EQ(moved.reveal(), "pr1nt-me-not");
  EXPECT_TRUE(secret->empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped
  Secret copy;
  copy = moved;
  EXPECT_EQ(copy.reveal(), moved.reveal());
}

}  // namespace
}  // namespace disputed::net
