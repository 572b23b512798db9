// The one plugin shape: SystemConnector reads the plugin's settings with its own function, builds
// the client and the poller on the host once open() succeeded (never for validate()), answers
// failed requests through the client's policy and polls through the poller, or reports nothing
// for a system without one.

#include "disputed/sdk/kit/system_connector.hpp"

#include <gmock/gmock.h>

#include "disputed/sdk/testing/fake_host.hpp"

namespace disputed::sdk::kit {
namespace {

using Status = ApplyResult::Status;

constexpr const char* kManifest = R"({"id": "shape", "config_schema": {"type": "object",
  "properties": {"base_url": {"type": "string", "default": "https://acme.example/"}}}})";

struct ShapeSettings {
  std::string base_url;
};
int reads = 0;
ShapeSettings read_shape_settings(const Settings& in) {
  ++reads;
  ShapeSettings s;
  s.base_url = in.url("/base_url");
  if (s.base_url.rfind("https://", 0) != 0) in.problem("/base_url", "must be https");
  return s;
}

struct ShapeClient {
  ShapeClient(Host& host, const ShapeSettings& settings) : host(host), settings(settings) {}
  const HttpPolicy& policy() const noexcept { return policy_; }
  Host& host;
  const ShapeSettings& settings;
  HttpPolicy policy_;
};

struct ShapePoller {
  ShapePoller(Host&, ShapeClient& client, const ShapeSettings& settings)
      : client(client), settings(settings) {}
  PollResult poll(const PollRequest& request) {
    PollResult r;
    r.status = PollResult::Status::kOk;
    r.next_cursor = request.cursor + "+" + settings.base_url;
    return r;
  }
  ShapeClient& client;
  const ShapeSettings& settings;
};

template <class Poller>
class ShapeConnector final : public SystemConnector<ShapeSettings, ShapeClient, Poller> {
 public:
  ShapeConnector()
      : SystemConnector<ShapeSettings, ShapeClient, Poller>(kManifest, "Shape",
                                                            &read_shape_settings) {}
  using SystemConnector<ShapeSettings, ShapeClient, Poller>::client;
  using SystemConnector<ShapeSettings, ShapeClient, Poller>::settings;

 private:
  CheckResult on_check() override { return {true, CheckResult::Category::kNone, "", ""}; }
  ApplyResult on_create(const Action& action, const TaskPayload&) override {
    HttpResponse gone;
    gone.status = 404;
    return this->failed(client().policy().judge(gone, this->now()), action);
  }
};

PollRequest from_cursor(std::string cursor) {
  PollRequest r;
  r.cursor = std::move(cursor);
  return r;
}

Action create() {
  Action a;
  a.kind = Action::Kind::kCreate;
  a.action_key = "DSP-1-1:create";
  a.task_key = "DSP-1-1";
  a.external_ref = "T-9";
  a.payload_json = R"({"subject": "S"})";
  return a;
}

TEST(SystemConnector, ValidateReadsTheSettingsWithThePluginsFunctionAndKeepsNothing) {
  ShapeConnector<ShapePoller> c;
  reads = 0;
  auto problems = c.validate(R"({"base_url": "http://acme.example"})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "/base_url");
  EXPECT_EQ(reads, 1);
  EXPECT_TRUE(c.validate("{}").empty());
  EXPECT_EQ(c.settings().base_url, "") << "validate() looks only";
}

TEST(SystemConnector, OpenBuildsTheClientAndThePollerOnTheHostWithTheSettings) {
  ShapeConnector<ShapePoller> c;
  testing::FakeHost host;
  ASSERT_TRUE(c.open("{}", host).ok);
  EXPECT_EQ(c.settings().base_url, "https://acme.example") << "the manifest's default, as url()";
  EXPECT_EQ(&c.client().host, static_cast<Host*>(&host));
  EXPECT_EQ(&c.client().settings, &c.settings());
  auto polled = c.poll(from_cursor("C"));
  EXPECT_EQ(polled.status, PollResult::Status::kOk);
  EXPECT_EQ(polled.next_cursor, "C+https://acme.example") << "on_poll() is the poller's";
}

TEST(SystemConnector, AFailedRequestIsAnsweredByTheClientsPolicyWithTheActionsRef) {
  ShapeConnector<ShapePoller> c;
  testing::FakeHost host;
  ASSERT_TRUE(c.open("{}", host).ok);
  auto r = c.apply(create());
  EXPECT_EQ(r.status, Status::kRejected) << r.message;
  EXPECT_EQ(r.external_ref, "T-9");
}

TEST(SystemConnector, ASystemWithoutAPollerReportsNothingAndKeepsTheCursor) {
  ShapeConnector<NoPoller> c;
  testing::FakeHost host;
  ASSERT_TRUE(c.open("{}", host).ok);
  auto polled = c.poll(from_cursor("cursor-7"));
  EXPECT_EQ(polled.status, PollResult::Status::kOk);
  EXPECT_EQ(polled.next_cursor, "cursor-7");
  EXPECT_TRUE(polled.events.empty());
}

}  // namespace
}  // namespace disputed::sdk::kit
