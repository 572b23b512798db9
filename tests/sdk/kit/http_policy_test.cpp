// One HTTP outcome policy for every connector: each row of the table in http_policy.hpp (and
// docs/plugin-guide.md) is one expectation here.

#include "disputed/sdk/kit/http_policy.hpp"

#include <gmock/gmock.h>

#include "disputed/sdk/kit/time.hpp"

namespace disputed::sdk::kit {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Kind = Action::Kind;
using Failure = HttpResponse::Failure;

const Instant kNow = *parse_timestamp("2025-01-06T09:00:00Z");

HttpResponse answer(int status, std::string body = "{}",
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body), "", Failure::kNone};
}
HttpResponse none(Failure failure, std::string error) {
  return HttpResponse{0, {}, "", std::move(error), failure};
}

class HttpPolicyTest : public ::testing::Test {
 protected:
  HttpPolicy policy{ErrorDialect{"Example", {}, {}, 0s}};
  ApplyResult apply(const HttpResponse& r, Kind kind = Kind::kUpdate) {
    return policy.apply_result(policy.judge(r, kNow), kind, "ref-1");
  }
  PollResult poll(const HttpResponse& r) { return policy.poll_result(policy.judge(r, kNow), "c1"); }
};

TEST_F(HttpPolicyTest, TwoHundredsAreOk) {
  EXPECT_TRUE(policy.judge(answer(200), kNow).ok());
  EXPECT_TRUE(policy.judge(answer(204, ""), kNow).ok());
}

TEST_F(HttpPolicyTest, ARequestTheHostRefusedHoldsTheInstance) {
  auto r =
      apply(none(Failure::kRefused, "refused: host evil.example:443 is not in the allowed hosts"));
  EXPECT_EQ(r.status, ApplyResult::Status::kAuthFailed);  // held, never dead-lettered
  EXPECT_THAT(r.message, HasSubstr("configuration problem"));
  EXPECT_THAT(r.message, HasSubstr("allowed_hosts"));
  EXPECT_EQ(r.external_ref, "ref-1");
  EXPECT_EQ(poll(none(Failure::kRefused, "refused: x")).status, PollResult::Status::kAuthFailed);
}

TEST_F(HttpPolicyTest, NoCredentialAnd401And403AreAuthFailures) {
  EXPECT_EQ(apply(none(Failure::kNoCredential, "auth: token endpoint answered 401")).status,
            ApplyResult::Status::kAuthFailed);
  EXPECT_EQ(apply(answer(401)).status, ApplyResult::Status::kAuthFailed);
  EXPECT_EQ(apply(answer(403)).status, ApplyResult::Status::kAuthFailed);
  EXPECT_EQ(poll(answer(401)).status, PollResult::Status::kAuthFailed);
  EXPECT_EQ(poll(answer(403)).status, PollResult::Status::kAuthFailed);
}

TEST_F(HttpPolicyTest, NotFoundOnCancelIsDoneAndOnOtherKindsRejected) {
  for (int status : {404, 410}) {
    EXPECT_EQ(apply(answer(status), Kind::kCancel).status, ApplyResult::Status::kAlreadyApplied);
    auto update = apply(answer(status), Kind::kUpdate);
    EXPECT_EQ(update.status, ApplyResult::Status::kRejected);
    EXPECT_THAT(update.message, HasSubstr("no longer exists in Example"));
    EXPECT_EQ(apply(answer(status), Kind::kRemind).status, ApplyResult::Status::kRejected);
    EXPECT_EQ(apply(answer(status), Kind::kEscalate).status, ApplyResult::Status::kRejected);
    EXPECT_EQ(poll(answer(status)).status, PollResult::Status::kRetryable);
  }
}

TEST_F(HttpPolicyTest, RateLimitsHonourRetryAfterInSecondsOrAsADate) {
  auto seconds = apply(answer(429, "{}", {{"Retry-After", "17"}}));
  EXPECT_EQ(seconds.status, ApplyResult::Status::kRateLimited);
  EXPECT_EQ(seconds.retry_after, 17s);
  auto date = apply(answer(429, "{}", {{"retry-after", format_http_date(kNow + 90s)}}));
  EXPECT_EQ(date.retry_after, 90s);
  auto unavailable = apply(answer(503, "{}", {{"Retry-After", "5"}}));
  EXPECT_EQ(unavailable.status, ApplyResult::Status::kRateLimited);
  EXPECT_EQ(unavailable.retry_after, 5s);
  auto capped = apply(answer(429, "{}", {{"Retry-After", "99999999999"}}));
  EXPECT_EQ(capped.retry_after, 86400s);
  auto poll_limited = poll(answer(429, "{}", {{"Retry-After", "3"}}));
  EXPECT_EQ(poll_limited.status, PollResult::Status::kRateLimited);
  EXPECT_EQ(poll_limited.retry_after, 3s);
  EXPECT_EQ(poll_limited.next_cursor, "c1");
}

TEST_F(HttpPolicyTest, TransientAnswersAreRetryable) {
  for (int status : {408, 409, 412, 423, 425, 500, 502, 503, 504})
    EXPECT_EQ(apply(answer(status)).status, ApplyResult::Status::kRetryable) << status;
  auto with_wait = apply(answer(502, "{}", {{"Retry-After", "4"}}));
  EXPECT_EQ(with_wait.retry_after, 4s);
  EXPECT_EQ(apply(none(Failure::kTimeout, "timeout after 300 ms")).status,
            ApplyResult::Status::kRetryable);
  auto lost = apply(none(Failure::kConnection, "connection failed: reset"));
  EXPECT_EQ(lost.status, ApplyResult::Status::kRetryable);
  EXPECT_EQ(lost.message, "connection failed: reset");
  EXPECT_EQ(poll(none(Failure::kTimeout, "timeout")).status, PollResult::Status::kRetryable);
}

TEST_F(HttpPolicyTest, AMalformedBodyIsRetryable) {
  auto outcome = policy.malformed(answer(200, "{\"tick"), Problem{"/ticket/id", "missing"});
  auto r = policy.apply_result(outcome, Kind::kCreate);
  EXPECT_EQ(r.status, ApplyResult::Status::kRetryable);
  EXPECT_EQ(r.message, "unexpected answer from Example (HTTP 200): /ticket/id: missing");
}

TEST_F(HttpPolicyTest, OtherClientErrorsAreRejectedWithTheVendorsWords) {
  auto r = apply(answer(422, R"({"error": "validation_failed", "message": "title is too long"})"));
  EXPECT_EQ(r.status, ApplyResult::Status::kRejected);
  EXPECT_EQ(r.message, "HTTP 422: validation_failed: title is too long");
  EXPECT_EQ(apply(answer(400, "not json at all")).message, "HTTP 400: not json at all");
  EXPECT_EQ(poll(answer(400)).status, PollResult::Status::kRetryable);
}

TEST_F(HttpPolicyTest, VendorTextIsCleanedAndBounded) {
  std::string body = std::string(300, 'x') + "\r\nforged";
  auto r = apply(answer(400, body));
  EXPECT_EQ(r.message, "HTTP 400: " + std::string(200, 'x'));
  auto crlf = apply(answer(400, "{\"message\": \"bad\\r\\n[other] forged\"}"));
  EXPECT_EQ(crlf.message, "HTTP 400: bad??[other] forged");
}

TEST(HttpPolicyDialect, AVendorCanRefineAVerdictAndSayHowLongToWait) {
  ErrorDialect salesforce;
  salesforce.system = "Salesforce";
  salesforce.read_error = [](const HttpResponse& r) {
    return r.body.find("REQUEST_LIMIT_EXCEEDED") != std::string::npos
               ? VendorError{"REQUEST_LIMIT_EXCEEDED",
                             "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."}
               : VendorError{};
  };
  salesforce.refine = [](int status, const std::string& code) -> std::optional<Verdict> {
    if (status == 403 && code == "REQUEST_LIMIT_EXCEEDED") return Verdict::kRateLimited;
    return std::nullopt;
  };
  salesforce.rate_limit_wait = 900s;
  HttpPolicy policy(salesforce);
  auto limited = policy.judge(answer(403, R"([{"errorCode":"REQUEST_LIMIT_EXCEEDED"}])"), kNow);
  EXPECT_EQ(limited.verdict, Verdict::kRateLimited);
  EXPECT_EQ(limited.retry_after, 900s);
  EXPECT_EQ(limited.code, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(policy.judge(answer(403), kNow).verdict, Verdict::kAuthFailed);
}

TEST(HttpPolicyCheck, CategoriesCarryTheirRemedies) {
  HttpPolicy policy;
  Remedies remedies{"fix credentials", "grant access", "fix settings", "check network"};
  auto check = [&](const HttpResponse& r) {
    return policy.check_result(policy.judge(r, kNow), remedies);
  };
  using C = CheckResult::Category;
  EXPECT_EQ(check(answer(401)).category, C::kAuth);
  EXPECT_EQ(check(answer(401)).remedy, "fix credentials");
  EXPECT_EQ(check(none(Failure::kNoCredential, "auth: x")).category, C::kAuth);
  EXPECT_EQ(check(answer(403)).category, C::kPermission);
  EXPECT_EQ(check(answer(403)).remedy, "grant access");
  EXPECT_EQ(check(none(Failure::kRefused, "refused: x")).category, C::kConfig);
  EXPECT_EQ(check(answer(404)).category, C::kConfig);
  EXPECT_EQ(check(answer(503)).category, C::kNetwork);
  EXPECT_EQ(check(none(Failure::kTimeout, "timeout")).remedy, "check network");
  EXPECT_TRUE(check(answer(200)).ok);
}

TEST(RetryAfter, ParsesSecondsOrADateAndNothingElse) {
  EXPECT_EQ(parse_retry_after("120", kNow), 120s);
  EXPECT_EQ(parse_retry_after(" 7 ", kNow), 7s);
  EXPECT_EQ(parse_retry_after(format_http_date(kNow - 10s), kNow), 0s);
  EXPECT_FALSE(parse_retry_after("", kNow));
  EXPECT_FALSE(parse_retry_after("-5", kNow));
  EXPECT_FALSE(parse_retry_after("soon", kNow));
}

}  // namespace
}  // namespace disputed::sdk::kit
