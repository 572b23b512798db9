// Browser sessions through Api::handle: sign-in with a local account, the cookie, CSRF on
// writes, cross-site refusal, idle and absolute expiry on a fake clock, sign-out, and what the
// database keeps (a hash, never the cookie's value).

#include <gmock/gmock.h>

#include "core/engine/web_accounts.hpp"
#include "core/web/passwords.hpp"
#include "core/web/web_app.hpp"
#include "tests/core/api/api_fixture.hpp"

namespace disputed::web {
namespace {

using api::testing_support::json;

class SessionsTest : public api::testing_support::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    WebSettings settings;
    settings.sessions.idle = std::chrono::minutes(30);
    settings.sessions.absolute = std::chrono::hours(8);
    web_ = std::make_unique<WebApp>(*api_, *writer_, *readers_, clock_, clock_, settings,
                                    [](const std::string&) {});
    add_user("anna@example.com", "controller", "correct horse battery staple");
    add_user("vera@example.com", "viewer", "another long passphrase");
  }

  void add_user(const std::string& email, const std::string& role, const std::string& password) {
    auto hash = hash_password(password);
    ASSERT_TRUE(hash.ok());
    store::WebUserRecord u{email, "", role, hash.value(), clock_.now(), clock_.now(), {}};
    ASSERT_TRUE(engine::WebAccounts(*writer_db_).add_user(u));
  }

  api::HttpResponse request(const std::string& method, const std::string& path,
                            std::map<std::string, std::string> headers = {},
                            const std::string& body = "") {
    api::HttpRequest r;
    r.method = method;
    r.path = path;
    r.headers = std::move(headers);
    if (!body.empty()) r.headers["content-type"] = "application/json";
    r.body = body;
    return api_->handle(r);
  }

  static std::string header(const api::HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return {};
  }

  struct SignedIn {
    std::string cookie;  // "disputed_session=..."
    std::string csrf;
  };
  SignedIn sign_in(const std::string& email, const std::string& password) {
    auto r = request("POST", "/api/v1/session", {{"x-csrf-token", "sign-in"}},
                     json{{"email", email}, {"password", password}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    std::string set_cookie = header(r, "Set-Cookie");
    return {set_cookie.substr(0, set_cookie.find(';')),
            json::parse(r.body).value("csrf_token", "")};
  }

  // The writer runs commands in order: when this one is done, an earlier touch has committed.
  void flush_writer() {
    auto done = writer_->run<domain::Ok>(
        [](engine::Session&) { return domain::Result<domain::Ok>(domain::Ok{}); });
    ASSERT_TRUE(done.ok());
  }

  std::string open_body() const {
    return R"({"invoices":[{"number":"INV-1","amount":"10.00"}],"description":"price wrong"})";
  }

  std::unique_ptr<WebApp> web_;
};

TEST_F(SessionsTest, ASignedInBrowserReadsAndWritesWithItsCookieAndCsrfToken) {
  auto s = sign_in("anna@example.com", "correct horse battery staple");
  auto me = request("GET", "/api/v1/session", {{"cookie", s.cookie}});
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(json::parse(me.body)["user"], "anna@example.com");
  EXPECT_EQ(json::parse(me.body)["role"], "controller");
  auto opened = request("POST", "/api/v1/disputes",
                        {{"cookie", s.cookie}, {"x-csrf-token", s.csrf}}, open_body());
  ASSERT_EQ(opened.status, 201) << opened.body;
  EXPECT_EQ(json::parse(opened.body)["reported_by"], "anna@example.com");
}

TEST_F(SessionsTest, TheCookieIsHttpOnlyAndSameSiteStrictAndTheDatabaseKeepsOnlyItsHash) {
  auto r = request("POST", "/api/v1/session", {{"x-csrf-token", "x"}},
                   R"({"email":"anna@example.com","password":"correct horse battery staple"})");
  std::string set_cookie = header(r, "Set-Cookie");
  EXPECT_THAT(set_cookie, ::testing::HasSubstr("HttpOnly"));
  EXPECT_THAT(set_cookie, ::testing::HasSubstr("SameSite=Strict"));
  EXPECT_THAT(set_cookie, ::testing::HasSubstr("Path=/"));
  EXPECT_THAT(set_cookie, ::testing::Not(::testing::HasSubstr("Secure")));  // plain http here
  std::string value = set_cookie.substr(set_cookie.find('=') + 1);
  value = value.substr(0, value.find(';'));
  EXPECT_GE(value.size(), 43u);  // 256 bits
  auto& stmt = writer_db_->prepare_cached("SELECT id_hash FROM web_sessions");
  ASSERT_TRUE(stmt.step());
  std::string stored = stmt.text(0);
  stmt.reset();
  EXPECT_NE(stored, value);
  EXPECT_EQ(stored.size(), 64u);  // hex SHA-256
}

TEST_F(SessionsTest, OverHttpsTheCookieIsSecureWithTheHostPrefix) {
  Sessions secure(*writer_, clock_,
                  SessionSettings{std::chrono::minutes(30), std::chrono::hours(8), true});
  auto made = secure.create("anna@example.com", "Anna", api::Role::kController, "local");
  ASSERT_TRUE(made.ok());
  EXPECT_THAT(made->set_cookie, ::testing::StartsWith("__Host-disputed_session="));
  EXPECT_THAT(made->set_cookie, ::testing::HasSubstr("; Secure"));
}

TEST_F(SessionsTest, AWriteWithoutTheCsrfTokenOrFromAnotherSiteIsRefusedAndChangesNothing) {
  auto s = sign_in("anna@example.com", "correct horse battery staple");
  auto no_token = request("POST", "/api/v1/disputes", {{"cookie", s.cookie}}, open_body());
  EXPECT_EQ(no_token.status, 403);
  EXPECT_THAT(no_token.body, ::testing::HasSubstr("X-CSRF-Token"));
  auto wrong = request("POST", "/api/v1/disputes",
                       {{"cookie", s.cookie}, {"x-csrf-token", "not-the-token"}}, open_body());
  EXPECT_EQ(wrong.status, 403);
  auto cross =
      request("POST", "/api/v1/disputes",
              {{"cookie", s.cookie}, {"x-csrf-token", s.csrf}, {"sec-fetch-site", "cross-site"}},
              open_body());
  EXPECT_EQ(cross.status, 403);
  EXPECT_THAT(cross.body, ::testing::HasSubstr("Sec-Fetch-Site"));
  auto list = call("GET", "/api/v1/disputes", "", "viewer");
  EXPECT_TRUE(list.body["items"].empty());
}

TEST_F(SessionsTest, SignInWithoutTheCustomHeaderOrFromAnotherSiteIsRefused) {
  auto body = R"({"email":"anna@example.com","password":"correct horse battery staple"})";
  EXPECT_EQ(request("POST", "/api/v1/session", {}, body).status, 403);
  EXPECT_EQ(request("POST", "/api/v1/session",
                    {{"x-csrf-token", "x"}, {"sec-fetch-site", "cross-site"}}, body)
                .status,
            403);
}

TEST_F(SessionsTest, AWrongPasswordAndAnUnknownAddressGetTheSameAnswer) {
  auto wrong = request("POST", "/api/v1/session", {{"x-csrf-token", "x"}},
                       R"({"email":"anna@example.com","password":"not her password"})");
  auto unknown = request("POST", "/api/v1/session", {{"x-csrf-token", "x"}},
                         R"({"email":"nobody@example.com","password":"not her password"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(json::parse(wrong.body)["error"]["message"],
            json::parse(unknown.body)["error"]["message"]);
  EXPECT_TRUE(header(wrong, "Set-Cookie").empty());
}

TEST_F(SessionsTest, RolesApplyToSessionsAsToKeys) {
  auto s = sign_in("vera@example.com", "another long passphrase");
  auto r = request("POST", "/api/v1/disputes", {{"cookie", s.cookie}, {"x-csrf-token", s.csrf}},
                   open_body());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(request("GET", "/api/v1/disputes", {{"cookie", s.cookie}}).status, 200);
}

TEST_F(SessionsTest, ASessionEndsAfterBeingIdleAndAtItsAbsoluteExpiry) {
  auto s = sign_in("anna@example.com", "correct horse battery staple");
  clock_.advance(std::chrono::minutes(29));
  EXPECT_EQ(request("GET", "/api/v1/session", {{"cookie", s.cookie}}).status, 200);
  clock_.advance(std::chrono::minutes(2));  // last seen 31 minutes ago (touched once a minute)
  // The use at minute 29 was written through the writer; give it its commit.
  flush_writer();
  EXPECT_EQ(request("GET", "/api/v1/session", {{"cookie", s.cookie}}).status, 200);
  clock_.advance(std::chrono::minutes(31));
  EXPECT_EQ(request("GET", "/api/v1/session", {{"cookie", s.cookie}}).status, 401);

  auto busy = sign_in("anna@example.com", "correct horse battery staple");
  for (int i = 0; i < 17; ++i) {  // active every 29 minutes: 8 h 13 min
    clock_.advance(std::chrono::minutes(29));
    auto r = request("GET", "/api/v1/session", {{"cookie", busy.cookie}});
    flush_writer();
    if (i < 16)
      EXPECT_EQ(r.status, 200) << "after " << (i + 1) * 29 << " minutes";
    else
      EXPECT_EQ(r.status, 401) << "past the absolute expiry";
  }
}

TEST_F(SessionsTest, SignOutEndsTheSessionOnTheServer) {
  auto s = sign_in("anna@example.com", "correct horse battery staple");
  auto out = request("DELETE", "/api/v1/session", {{"cookie", s.cookie}, {"x-csrf-token", s.csrf}});
  ASSERT_EQ(out.status, 200);
  EXPECT_THAT(header(out, "Set-Cookie"), ::testing::HasSubstr("Max-Age=0"));
  EXPECT_EQ(request("GET", "/api/v1/disputes", {{"cookie", s.cookie}}).status, 401);
}

TEST_F(SessionsTest, ADisabledAccountCannotSignInAndItsSessionsEnd) {
  auto s = sign_in("anna@example.com", "correct horse battery staple");
  ASSERT_TRUE(engine::WebAccounts(*writer_db_).disable_user("anna@example.com", clock_.now()));
  EXPECT_EQ(request("GET", "/api/v1/session", {{"cookie", s.cookie}}).status, 401);
  EXPECT_EQ(request("POST", "/api/v1/session", {{"x-csrf-token", "x"}},
                    R"({"email":"anna@example.com","password":"correct horse battery staple"})")
                .status,
            401);
}

TEST_F(SessionsTest, APasswordIsHashedWithArgon2idAndShortOnesAreRefused) {
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_THAT(hash.value(), ::testing::StartsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
  EXPECT_TRUE(verify_password(hash.value(), "correct horse battery staple"));
  EXPECT_FALSE(verify_password(hash.value(), "correct horse battery stapl"));
  auto short_one = hash_password("short");
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().details.at(0).field, "password");
}

}  // namespace
}  // namespace disputed::web
