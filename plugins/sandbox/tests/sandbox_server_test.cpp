// The control endpoints every sandbox shares: request log, fault injection, reset.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "plugins/sandbox/sandbox_server.hpp"
#include "plugins/sandbox/test_client.hpp"

namespace disputed::sandbox {
namespace {

/// Counts POSTs to /things; GET /things answers the count.
class CountingEmulator : public Emulator {
 public:
  std::string name() const override { return "counting"; }
  Response handle(const Request& request, const std::string&) override {
    if (request.path != "/things") return Response::json(404, {{"error", "no route"}});
    if (request.method == "POST") return Response::json(201, {{"count", ++count_}});
    return Response::json(200, {{"count", count_}, {"q", request.param("q").value_or("")}});
  }
  void reset() override { count_ = 0; }
  std::optional<Response> control(const Request& request) override {
    if (request.path != "/_sandbox/now") return std::nullopt;
    return Response::json(200, {{"unix", clock().unix_seconds()}});
  }
  Response fault_response(int status, const Request&) override {
    return Response::json(status, {{"error", "Throttled"}});
  }

 private:
  int count_ = 0;
};

class SandboxServerTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.start(); }
  std::string at(const std::string& path) { return server_.url() + path; }
  Server server_{std::make_unique<CountingEmulator>()};
};

TEST_F(SandboxServerTest, LogsEveryRequestWithItsStatus) {
  EXPECT_EQ(http_call("POST", at("/things"), "{}").status, 201);
  EXPECT_EQ(http_call("GET", at("/things?q=a%20b")).json()["q"], "a b");
  EXPECT_EQ(http_call("GET", at("/nowhere")).status, 404);
  auto log = http_call("GET", at("/_sandbox/requests")).json()["requests"];
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["method"], "POST");
  EXPECT_EQ(log[0]["path"], "/things");
  EXPECT_EQ(log[0]["status"], 201);
  EXPECT_EQ(log[1]["path"], "/things");
  EXPECT_EQ(log[2]["status"], 404);
  EXPECT_EQ(log[0]["at"].get<std::string>().back(), 'Z');
}

TEST_F(SandboxServerTest, AnInjectedFaultAnswersItsStatusTheGivenNumberOfTimes) {
  auto added =
      http_call("POST", at("/_sandbox/faults"),
                R"({"method":"POST","path":"/things","status":429,"retry_after":2,"times":2})");
  ASSERT_EQ(added.status, 201) << added.body;
  for (int i = 0; i < 2; ++i) {
    auto a = http_call("POST", at("/things"), "{}");
    EXPECT_EQ(a.status, 429);
    EXPECT_EQ(a.headers["retry-after"], "2");
    EXPECT_EQ(a.json()["error"], "Throttled");  // the emulator's own error shape
  }
  EXPECT_EQ(http_call("GET", at("/things")).status, 200);  // another method: not matched
  auto third = http_call("POST", at("/things"), "{}");
  EXPECT_EQ(third.status, 201);
  EXPECT_EQ(third.json()["count"], 1);  // the faulted requests changed nothing
}

TEST_F(SandboxServerTest, APrefixFaultMatchesEveryPathBelowIt) {
  ASSERT_EQ(http_call("POST", at("/_sandbox/faults"), R"({"path":"/th*","status":503,"times":-1})")
                .status,
            201);
  EXPECT_EQ(http_call("GET", at("/things")).status, 503);
  EXPECT_EQ(http_call("POST", at("/things"), "{}").status, 503);
  EXPECT_EQ(http_call("GET", at("/other")).status, 404);
  ASSERT_EQ(http_call("DELETE", at("/_sandbox/faults")).status, 204);
  EXPECT_EQ(http_call("GET", at("/things")).status, 200);
}

TEST_F(SandboxServerTest, ADroppedConnectionGivesNoAnswerButTheLogShowsIt) {
  ASSERT_EQ(http_call("POST", at("/_sandbox/faults"), R"({"path":"/things","drop":true})").status,
            201);
  EXPECT_EQ(http_call("POST", at("/things"), "{}").status, 0);
  EXPECT_EQ(http_call("POST", at("/things"), "{}").status, 201);
  auto log = server_.requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].status, 0);
}

TEST_F(SandboxServerTest, ADelayedAnswerStillArrives) {
  ASSERT_EQ(
      http_call("POST", at("/_sandbox/faults"), R"({"path":"/things","delay_ms":150})").status,
      201);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_call("GET", at("/things")).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

// A spoilt answer: the emulator carried the request out (the count moved on), the client got
// the answer damaged in the way the fault names.
TEST_F(SandboxServerTest, ASpoiltAnswerComesAfterTheEffect) {
  auto spoil = [&](const std::string& how) {
    auto added = http_call("POST", at("/_sandbox/faults"),
                           R"({"method":"POST","path":"/things","answer":")" + how + R"("})");
    ASSERT_EQ(added.status, 201) << added.body;
  };
  spoil("lost");
  EXPECT_EQ(http_call("POST", at("/things"), "{}").status, 0);
  spoil("malformed_json");
  auto malformed = http_call("POST", at("/things"), "{}");
  EXPECT_EQ(malformed.status, 201);
  EXPECT_TRUE(malformed.json().is_discarded()) << malformed.body;
  spoil("truncated");  // Content-Length of the whole, half of it sent
  EXPECT_EQ(http_call("POST", at("/things"), "{}").status, 0);
  spoil("wrong_content_type");
  auto html = http_call("POST", at("/things"), "{}");
  EXPECT_EQ(html.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(html.body.rfind("<!DOCTYPE html>", 0), 0u);
  spoil("oversized");  // (in process: the test client reads at most 8 MB)
  auto big = server_.serve(Request::make("POST", "/things", {}, "{}"));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->body.size(), kOversizedAnswerBytes);
  EXPECT_EQ(nlohmann::json::parse(big->body)["count"], 5);  // the answer, padded
  ASSERT_EQ(http_call("POST", at("/_sandbox/faults"),
                      R"({"path":"/things","answer":"trickle","trickle_ms":5})")
                .status,
            201);
  auto trickled = http_call("POST", at("/things"), "{}");
  EXPECT_EQ(trickled.status, 201);
  EXPECT_EQ(trickled.json()["count"], 6);                         // whole, only slowly
  EXPECT_EQ(http_call("GET", at("/things")).json()["count"], 6);  // every one was carried out
  auto log = http_call("GET", at("/_sandbox/requests")).json()["requests"];
  ASSERT_EQ(log.size(), 7u);
  EXPECT_EQ(log[0]["status"], 201);
  EXPECT_EQ(log[0]["spoilt"], "lost");
  EXPECT_EQ(log[5]["spoilt"], "trickle");
  EXPECT_EQ(log[6]["spoilt"], "");
}

// A 204 has no body to spoil: the damage comes as a 200, and the server lives on.
TEST(SandboxServer, ASpoiltNoContentAnswerIsA200AndTheServerLivesOn) {
  class NoContent : public Emulator {
   public:
    std::string name() const override { return "no-content"; }
    Response handle(const Request&, const std::string&) override { return Response::empty(204); }
    void reset() override {}
  };
  Server server(std::make_unique<NoContent>());
  server.start();
  for (const char* how : {"malformed_json", "wrong_content_type", "truncated"}) {
    auto added = http_call("POST", server.url() + "/_sandbox/faults",
                           std::string(R"({"path":"/x","answer":")") + how + R"("})");
    ASSERT_EQ(added.status, 201);
    auto spoilt = http_call("PATCH", server.url() + "/x", "{}");
    if (std::string(how) != "truncated") {  // (half of no body is the whole answer)
      EXPECT_EQ(spoilt.status, 200) << how;
    }
    EXPECT_EQ(http_call("PATCH", server.url() + "/x", "{}").status, 204) << how;
  }
}

TEST_F(SandboxServerTest, ABadFaultIsRefusedNamingTheField) {
  auto a = http_call("POST", at("/_sandbox/faults"), R"({"path":"/things","status":"429"})");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("status"), std::string::npos);
  a = http_call("POST", at("/_sandbox/faults"),
                R"({"path":"/things","status":429,"colour":"red"})");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("colour"), std::string::npos);
  a = http_call("POST", at("/_sandbox/faults"), R"({"path":"/things","answer":"garbled"})");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("answer"), std::string::npos);
  a = http_call("POST", at("/_sandbox/faults"),
                R"({"path":"/things","answer":"lost","status":500})");
  EXPECT_EQ(a.status, 400);
  a = http_call("POST", at("/_sandbox/faults"), R"({"path":"/things","trickle_ms":5})");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("trickle_ms"), std::string::npos);
  EXPECT_EQ(http_call("POST", at("/things"), "{}").status, 201);  // nothing was installed
}

TEST_F(SandboxServerTest, ResetRestoresTheSeedAndClearsFaultsAndLog) {
  http_call("POST", at("/things"), "{}");
  http_call("POST", at("/_sandbox/faults"), R"({"path":"/things","status":500,"times":-1})");
  ASSERT_EQ(http_call("POST", at("/_sandbox/reset")).status, 200);
  auto a = http_call("GET", at("/things"));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.json()["count"], 0);
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(SandboxServerTest, UnknownControlEndpointsAre404) {
  EXPECT_EQ(http_call("POST", at("/_sandbox/explode")).status, 404);
}

TEST(SandboxServer, StopsWhileAClientHoldsAConnectionOpen) {
  Server server(std::make_unique<CountingEmulator>());
  server.start();
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket idle(io);
  idle.connect(
      {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server.port())});
  server.stop();  // must not hang on the idle connection
  SUCCEED();
}

TEST_F(SandboxServerTest, TimeIsTheSandboxesOwnAndMovesWithoutSleeping) {
  auto before = http_call("GET", at("/_sandbox/now")).json()["unix"].get<std::int64_t>();
  auto moved = http_call("POST", at("/_sandbox/clock"), R"({"advance_seconds": 3600})");
  ASSERT_EQ(moved.status, 200);
  EXPECT_TRUE(moved.json()["now"].is_string());
  auto after = http_call("GET", at("/_sandbox/now")).json()["unix"].get<std::int64_t>();
  EXPECT_GE(after - before, 3600);
  EXPECT_EQ(http_call("POST", at("/_sandbox/clock"), R"({"advance_seconds": "soon"})").status, 400);

  server_.clock().freeze(SandboxClock::Time(std::chrono::seconds(1'800'000'000)));
  EXPECT_EQ(http_call("GET", at("/_sandbox/now")).json()["unix"], 1'800'000'000);
  server_.clock().advance(std::chrono::seconds(2));
  EXPECT_EQ(http_call("GET", at("/_sandbox/now")).json()["unix"], 1'800'000'002);
  // The request log is written on the same clock.
  EXPECT_EQ(http_call("GET", at("/things")).status, 200);
  auto log = server_.requests();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().at, "2027-01-15T08:00:02.000Z");
}

// An emulator whose answer waits for the test to open a gate.
class GatedEmulator : public Emulator {
 public:
  std::promise<void> entered, gate;
  std::atomic<bool> finished{false};
  std::string name() const override { return "gated"; }
  Response handle(const Request&, const std::string&) override {
    entered.set_value();
    gate.get_future().wait();
    finished = true;
    return Response::empty(204);
  }
  void reset() override {}
};

TEST(SandboxServer, WaitIdleReturnsOnlyOnceTheAnswerInProgressIsDone) {
  auto owned = std::make_unique<GatedEmulator>();
  GatedEmulator& gated = *owned;
  Server server(std::move(owned));
  std::thread request([&] { server.serve(Request::make("GET", "/slow", {}, "")); });
  gated.entered.get_future().wait();  // the request is being answered
  std::thread opener([&] { gated.gate.set_value(); });
  server.wait_idle();
  EXPECT_TRUE(gated.finished);
  opener.join();
  request.join();
}

}  // namespace
}  // namespace disputed::sandbox
