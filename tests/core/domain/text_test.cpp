#include "core/domain/text.hpp"

#include <gtest/gtest.h>

namespace disputed::domain {
namespace {

TEST(HtmlEscape, EscapesTheFiveCharactersThatEndTextOrAnAttribute) {
  EXPECT_EQ(html_escape(R"(<a href="x" title='y'>Tom & Jerry</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
}

TEST(HtmlEscape, LeavesEverythingElseAsItIsIncludingUtf8AndEscapesOnlyOnce) {
  EXPECT_EQ(html_escape("Łódź — €12,50\n"), "Łódź — €12,50\n");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
  EXPECT_EQ(html_escape(""), "");
}

TEST(JoinText, ListsItemsOrSaysNone) {
  EXPECT_EQ(join({"price", "quality"}), "price, quality");
  EXPECT_EQ(join({}), "none");
  EXPECT_EQ(join({}, "-"), "-");
}

}  // namespace
}  // namespace disputed::domain
