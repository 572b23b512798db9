// What the server answers outside /api/v1: the page shell on the app's paths (so a task's link
// opens the dispute), the files, and the security headers on every answer.

#include <gmock/gmock.h>

#include "core/web/oidc.hpp"
#include "core/web/site.hpp"

namespace disputed::web {
namespace {

api::HttpRequest get(const std::string& path) {
  api::HttpRequest r;
  r.method = "GET";
  r.path = path;
  return r;
}

std::string header(const api::HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

TEST(Site, ATasksLinkToADisputeGetsTheAppShell) {
  Site site(nullptr);
  auto r = site.handle(get("/disputes/DSP-000042"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, ::testing::StartsWith("text/html"));
  EXPECT_THAT(r.body, ::testing::HasSubstr("/static/js/main.js"));
  EXPECT_EQ(site.handle(get("/no/such/page")).status, 404);
}

TEST(Site, EveryAnswerCarriesACspWithoutUnsafeInline) {
  Site site(nullptr);
  for (const char* path : {"/", "/static/js/main.js", "/static/vendor/preact.mjs", "/nothing"}) {
    auto r = site.handle(get(path));
    std::string csp = header(r, "Content-Security-Policy");
    EXPECT_THAT(csp, ::testing::HasSubstr("script-src 'self' 'sha256-")) << path;
    EXPECT_THAT(csp, ::testing::Not(::testing::HasSubstr("unsafe-inline"))) << path;
    EXPECT_THAT(csp, ::testing::HasSubstr("frame-ancestors 'none'")) << path;
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << path;
  }
}

TEST(Site, FilesAreServedWithTheirTypeAndRevalidatedByETag) {
  Site site(nullptr);
  auto js = site.handle(get("/static/js/main.js"));
  ASSERT_EQ(js.status, 200);
  EXPECT_THAT(js.content_type, ::testing::StartsWith("text/javascript"));
  auto again = get("/static/js/main.js");
  again.headers["if-none-match"] = header(js, "ETag");
  auto cached = site.handle(again);
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(site.handle(get("/static/../etc/passwd")).status, 404);
  auto post = get("/");
  post.method = "POST";
  EXPECT_EQ(site.handle(post).status, 405);
}

TEST(Site, ReturnPathsAfterSignInStayOnThisSite) {
  EXPECT_EQ(safe_return_path("/disputes/DSP-000001"), "/disputes/DSP-000001");
  EXPECT_EQ(safe_return_path("/disputes?status=open"), "/disputes?status=open");
  EXPECT_FALSE(safe_return_path("//evil.example/x"));
  EXPECT_FALSE(safe_return_path("https://evil.example/"));
  EXPECT_FALSE(safe_return_path("/\\evil.example"));
  EXPECT_FALSE(safe_return_path("/a b"));
  EXPECT_FALSE(safe_return_path(""));
}

}  // namespace
}  // namespace disputed::web
