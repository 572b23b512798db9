#include "core/domain/utf8.hpp"

#include <gtest/gtest.h>

namespace disputed::domain {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8, WellFormedTextPassesUnchanged) {
  for (const std::string& ok : {std::string(""), std::string("plain"), std::string("caf\xC3\xA9"),
                                std::string("\xE2\x82\xAC 5"), std::string("\xF0\x9F\x98\x80"),
                                std::string("\xF4\x8F\xBF\xBF")}) {
    EXPECT_TRUE(is_valid_utf8(ok)) << ok;
    EXPECT_EQ(valid_utf8(ok), ok);
  }
}

TEST(Utf8, EveryBadByteBecomesOneReplacementCharacter) {
  EXPECT_EQ(valid_utf8("cut \xE2\x82"), "cut " + kFffd + kFffd);             // a sequence cut short
  EXPECT_EQ(valid_utf8("\xC0\xAF"), kFffd + kFffd);                          // overlong '/'
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);              // a UTF-16 surrogate
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // past U+10FFFF
  EXPECT_EQ(valid_utf8("\xFF"), kFffd);
  for (const std::string& bad : {std::string("\xC0\xAF"), std::string("a\x80"),
                                 std::string("\xE2\x82"), std::string("\xF5\x80\x80\x80")})
    EXPECT_FALSE(is_valid_utf8(bad));
}

TEST(Utf8, CuttingKeepsWholeCharactersAndMarksTheCut) {
  EXPECT_EQ(valid_utf8("abcdef", 6), "abcdef");
  EXPECT_EQ(valid_utf8("abcdefg", 6), "abc\xE2\x80\xA6");
  // "é" is two bytes; the cut never splits it.
  EXPECT_EQ(valid_utf8("ab\xC3\xA9\xC3\xA9xx", 6), "ab\xE2\x80\xA6");
  EXPECT_EQ(valid_utf8(std::string(1'000'000, 'x'), 100).size(), 100u);
}

TEST(Utf8, OneLineHasNoControlCharacters) {
  EXPECT_EQ(one_line("first\r\nFORGED LINE\ttab\x1b[31m\x7f"), "first  FORGED LINE tab [31m ");
}

}  // namespace
}  // namespace disputed::domain
