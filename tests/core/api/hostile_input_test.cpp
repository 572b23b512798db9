// Requests an attacker would send (issue 13): each is refused with a clear answer naming the
// field and the limit, and the server lives on.
#include <gmock/gmock.h>

#include "core/api/api.hpp"
#include "tests/core/api/api_fixture.hpp"

namespace disputed::api {
namespace {

using ::testing::HasSubstr;
using testing_support::ApiTest;
using testing_support::json;

std::map<std::string, std::string> problems_of(const json& body) {
  std::map<std::string, std::string> problems;
  for (const auto& d : body["error"]["details"]) problems[d["field"]] = d["problem"];
  return problems;
}

// Finding 1: the amount's pattern ran in std::regex, which recursed once per digit; 60,000
// digits overflowed the stack and killed `disputed serve`.
TEST_F(ApiTest, AHugeAmountIsRefusedNamingItsLengthLimitAndTheServerLivesOn) {
  std::string amount(60'000, '9');
  auto a = call(
      "POST", "/api/v1/disputes",
      json{{"invoices", {{{"number", "INV-1"}, {"amount", amount + ".00"}}}}, {"description", "x"}}
          .dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(problems_of(a.body)["/invoices/0/amount"], "must be at most 24 characters long");
  // Nothing was written, and the next request is served.
  EXPECT_TRUE(call("GET", "/api/v1/disputes").body["items"].empty());
  auto ok = call("POST", "/api/v1/disputes",
                 R"({"invoices":[{"number":"INV-1","amount":"10.00"}],"description":"x"})");
  EXPECT_EQ(ok.status, 201);
}

// Finding 2: any non-viewer key could send 64 KiB of '[' and cost the server gigabytes.
TEST_F(ApiTest, DeeplyNestedBodiesAre400NamingTheDepthLimit) {
  auto a = call("POST", "/api/v1/disputes", std::string(60'000, '['));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["error"]["code"], "malformed_request");
  EXPECT_THAT(a.body["error"]["message"].get<std::string>(),
              HasSubstr("nested deeper than 64 levels at line 1, column 65"));
  EXPECT_TRUE(call("GET", "/api/v1/disputes").body["items"].empty());
}

}  // namespace
}  // namespace disputed::api
