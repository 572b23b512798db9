// Concurrent requests through Api::handle from many threads: every write goes through the one
// CommandWriter, so requests on the same dispute serialise (no lost update), and requests that
// arrive while a commit is running share the next one (group commit).

#include <gmock/gmock.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/core/api/api_fixture.hpp"

namespace disputed::api {
namespace {

using testing_support::ApiTest;
using testing_support::json;

constexpr int kThreads = 8;

template <class F>
void in_parallel(F&& body) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      while (!go) std::this_thread::yield();
      body(t);
    });
  go = true;
  for (auto& th : threads) th.join();
}

TEST_F(ApiTest, ConcurrentCompletionsOfOneStepSucceedExactlyOnce) {
  std::string ref = open();
  std::atomic<int> ok{0}, conflict{0}, other{0};
  in_parallel([&](int) {
    auto a = call("POST", "/api/v1/disputes/" + ref + "/steps/check/complete",
                  R"({"outcome":"customer-right"})");
    (a.status == 200 ? ok : a.status == 409 ? conflict : other)++;
  });
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflict, kThreads - 1);
  EXPECT_EQ(other, 0);
  int completions = 0;
  auto timeline = call("GET", "/api/v1/disputes/" + ref + "/timeline");
  for (const auto& e : timeline.body["items"]) completions += e["kind"] == "step_completed";
  EXPECT_EQ(completions, 1);
  auto steps = call("GET", "/api/v1/disputes/" + ref).body["steps"];
  ASSERT_EQ(steps.size(), 2u);  // check (completed) and exactly one approve
  EXPECT_EQ(steps[1]["step"], "approve");
}

TEST_F(ApiTest, ConcurrentClaimsOnOneInvoiceNeverExceedItsAmount) {
  // INV-1 is 1000.00: five disputes of 200.00 fit, the other three must be refused — each
  // registration reads what is still undisputed, so a lost update would let all eight through.
  std::atomic<int> created{0}, refused{0};
  in_parallel([&](int) {
    auto a = call(
        "POST", "/api/v1/disputes",
        R"({"invoices":[{"number":"INV-1","amount":"200.00"}],"category":"price","description":"x"})");
    (a.status == 201 ? created : refused)++;
    if (a.status != 201) {
      EXPECT_EQ(a.status, 422) << a.raw.body;
    }
  });
  EXPECT_EQ(created, 5);
  EXPECT_EQ(refused, 3);
  auto list = call("GET", "/api/v1/disputes?invoice=INV-1").body["items"];
  EXPECT_EQ(list.size(), 5u);
}

TEST_F(ApiTest, ConcurrentNotesAreAllKeptAndShareCommits) {
  std::string ref = open();
  constexpr int kNotesEach = 25;
  in_parallel([&](int t) {
    for (int i = 0; i < kNotesEach; ++i) {
      auto a = call("POST", "/api/v1/disputes/" + ref + "/notes",
                    json{{"text", "note " + std::to_string(t) + "-" + std::to_string(i)}}.dump(),
                    "integration");
      EXPECT_EQ(a.status, 201);
    }
  });
  int notes = 0;
  auto timeline = call("GET", "/api/v1/disputes/" + ref + "/timeline");
  for (const auto& e : timeline.body["items"]) notes += e["kind"] == "note";
  EXPECT_EQ(notes, kThreads * kNotesEach);
  auto stats = writer_->stats();
  EXPECT_EQ(stats.failed_batches, 0u);
  EXPECT_GE(stats.commands, std::uint64_t(kThreads * kNotesEach));
  // Group commit happened: some batch carried more than one command. (How many depends on the
  // scheduler; with eight writers at once it is practically always several.)
  EXPECT_GT(stats.largest_batch, 1u);
}

TEST_F(ApiTest, ReadsSeeWholeCommandsWhileWritesRun) {
  std::string ref = open();
  std::atomic<bool> done{false};
  std::atomic<int> inconsistent{0};
  std::thread reader([&] {
    while (!done) {
      auto d = call("GET", "/api/v1/disputes/" + ref, "", "viewer");
      // A completed step and its successor are written in one transaction: a snapshot never
      // shows the completion without the next step.
      const auto& steps = d.body["steps"];
      for (std::size_t i = 0; i < steps.size(); ++i)
        if (steps[i]["status"] == "completed" && i + 1 == steps.size() &&
            d.body["status"] != "resolved")
          ++inconsistent;
    }
  });
  for (int i = 0; i < 20; ++i) {
    call("POST", "/api/v1/disputes/" + ref + "/notes", R"({"text":"still checking"})");
  }
  call("POST", "/api/v1/disputes/" + ref + "/steps/check/complete",
       R"({"outcome":"customer-right"})");
  call("POST", "/api/v1/disputes/" + ref + "/steps/approve/complete", R"({"outcome":"approved"})");
  done = true;
  reader.join();
  EXPECT_EQ(inconsistent, 0);
}

}  // namespace
}  // namespace disputed::api
