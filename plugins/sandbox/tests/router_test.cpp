// The router every sandbox answers through.
#include "plugins/sandbox/router.hpp"

#include <gtest/gtest.h>

namespace disputed::sandbox {
namespace {

Request get(const std::string& method, const std::string& path) {
  return Request::make(method, path, {}, "");
}

TEST(SandboxRouter, MatchesLiteralAndNamedSegmentsInOrder) {
  Router router;
  router.on("GET", "/api/v2/tickets/show_many", [](const Request&, const Router::Params&) {
    return Response::json(200, {{"route", "show_many"}});
  });
  router.on("GET", "/api/v2/tickets/{id}", [](const Request&, const Router::Params& p) {
    return Response::json(200, {{"id", p.at("id")}});
  });
  router.on("GET", "/api/v2/tickets/{id}/comments", [](const Request&, const Router::Params& p) {
    return Response::json(200, {{"comments_of", p.at("id")}});
  });
  EXPECT_EQ(router.route(get("GET", "/api/v2/tickets/show_many"))->body,
            R"({"route":"show_many"})");
  EXPECT_EQ(router.route(get("GET", "/api/v2/tickets/42"))->body, R"({"id":"42"})");
  EXPECT_EQ(router.route(get("GET", "/api/v2/tickets/42/comments/"))->body,
            R"({"comments_of":"42"})");
  // Named segments are decoded path segments.
  EXPECT_EQ(router.route(get("GET", "/api/v2/tickets/a%40b"))->body, R"({"id":"a@b"})");
  EXPECT_FALSE(router.route(get("GET", "/api/v2/users/1")));
  EXPECT_FALSE(router.route(get("GET", "/api/v2/tickets")));
}

TEST(SandboxRouter, AKnownPathWithAnotherMethodIsNotAllowed) {
  Router router;
  router.on("GET", "/things/{id}",
            [](const Request&, const Router::Params&) { return Response::empty(200); });
  EXPECT_EQ(router.route(get("DELETE", "/things/1"))->status, 405);
  router.not_allowed = [](const Request& r) {
    return Response::json(405, {{"error", "MethodNotAllowed"}, {"method", r.method}});
  };
  EXPECT_EQ(router.route(get("PUT", "/things/1"))->body,
            R"({"error":"MethodNotAllowed","method":"PUT"})");
}

}  // namespace
}  // namespace disputed::sandbox
