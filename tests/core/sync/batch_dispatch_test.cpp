// The dispatcher with a connector that also implements sdk::BatchApplier: due actions go in
// groups, per-task order holds, a partial failure retries only the failed actions, and a
// wrong-sized answer (a plugin bug) retries the whole group.

#include <map>
#include <set>

#include <gmock/gmock.h>

#include "core/store/store.hpp"
#include "core/sync/sync_engine.hpp"
#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::sync {
namespace {

using Status = sdk::ApplyResult::Status;
using ::testing::ElementsAre;

/// An in-memory external system: one task per task key, remembered across retries.
class BatchingFake final : public sdk::Connector, public sdk::BatchApplier {
 public:
  std::vector<sdk::ConfigProblem> validate(const std::string&) noexcept override { return {}; }
  sdk::OpenResult open(const std::string&, sdk::Host&) noexcept override { return {true, ""}; }
  sdk::CheckResult check() noexcept override { return {true, {}, "", ""}; }
  sdk::PollResult poll(const sdk::PollRequest& r) noexcept override {
    sdk::PollResult out;
    out.next_cursor = r.cursor;
    return out;
  }
  sdk::ApplyResult apply(const sdk::Action& a) noexcept override {
    ++single_calls;
    delivered.push_back(a.action_key);
    return one(a);
  }
  std::size_t max_batch() const noexcept override { return limit; }
  bool batches(sdk::Action::Kind kind) const noexcept override {
    return kind == sdk::Action::Kind::kCreate;
  }
  std::vector<sdk::ApplyResult> apply_batch(
      const std::vector<sdk::Action>& actions) noexcept override {
    std::vector<std::string> keys;
    for (const auto& a : actions) keys.push_back(a.action_key);
    batch_calls.push_back(keys);
    std::vector<sdk::ApplyResult> out;
    for (const auto& a : actions) {
      delivered.push_back(a.action_key);
      out.push_back(one(a));
    }
    if (short_answer) out.pop_back();
    return out;
  }

  sdk::ApplyResult one(const sdk::Action& a) {
    sdk::ApplyResult r;
    if (auto f = fail.find(a.action_key); f != fail.end() && f->second > 0) {
      --f->second;
      r.status = Status::kRetryable;
      r.message = "HTTP 503 busy";
      return r;
    }
    if (a.kind == sdk::Action::Kind::kCreate) {
      auto [it, created] = tasks.emplace(a.task_key, "T" + std::to_string(tasks.size() + 1));
      r.status = created ? Status::kApplied : Status::kAlreadyApplied;
      r.external_ref = it->second;
    } else {
      r.status = tasks.count(a.task_key) ? Status::kApplied : Status::kRejected;
      r.external_ref = a.external_ref;
    }
    return r;
  }

  std::size_t limit = 200;
  bool short_answer = false;
  std::map<std::string, int> fail;  // action key -> how many times it fails first
  std::map<std::string, std::string> tasks;
  std::vector<std::vector<std::string>> batch_calls;
  std::vector<std::string> delivered;
  int single_calls = 0;
};

class BatchDispatchTest : public engine::testing_support::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    sync_db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    sync_ = std::make_unique<SyncEngine>(*sync_db_, defs_, clock_,
                                         [this](const std::string& l) { log_.push_back(l); });
    InstanceOptions options;
    options.name = "fake";
    options.max_attempts = 4;
    options.burst = 100;
    sync_->add_instance(options, fake_);
  }

  void enqueue(const std::string& action_key, const std::string& kind,
               const std::string& task_key) {
    store::OutboxRecord r;
    r.action_key = action_key;
    r.target = "fake";
    r.kind = kind;
    r.task_key = task_key;
    r.payload_json = R"({"subject":"s"})";
    r.created_at = clock_.now();
    r.next_attempt_at = clock_.now();
    ASSERT_TRUE(store::Store(*db_).enqueue(r));
  }
  std::int64_t count(const std::string& state) { return store::Store(*db_).outbox_count(state); }

  BatchingFake fake_;
  std::unique_ptr<store::Database> sync_db_;
  std::unique_ptr<SyncEngine> sync_;
  std::vector<std::string> log_;
};

TEST_F(BatchDispatchTest, ManyDueCreatesGoInGroupsOfMaxBatch) {
  fake_.limit = 4;
  for (int i = 1; i <= 10; ++i) enqueue("a" + std::to_string(i), "create", "t" + std::to_string(i));
  auto report = sync_->dispatch_once("fake");
  EXPECT_EQ(report.applied, 10);
  EXPECT_EQ(report.batches, 3);
  ASSERT_EQ(fake_.batch_calls.size(), 3u);
  EXPECT_THAT(fake_.batch_calls[0], ElementsAre("a1", "a2", "a3", "a4"));
  EXPECT_EQ(fake_.batch_calls[2].size(), 2u);
  EXPECT_EQ(fake_.single_calls, 0);
  EXPECT_EQ(count("done"), 10);
  // The external ref is recorded as for a single apply.
  auto done = store::Store(*db_).outbox_rows("done", 10);
  EXPECT_EQ(done[0].action_key, "a1");
}

TEST_F(BatchDispatchTest, OneDueActionOrAKindTheConnectorDoesNotBatchGoesAlone) {
  enqueue("c1", "create", "t1");
  EXPECT_EQ(sync_->dispatch_once("fake").applied, 1);
  EXPECT_TRUE(fake_.batch_calls.empty()) << "a single due action needs no batch";
  EXPECT_EQ(fake_.single_calls, 1);
  enqueue("u1", "update", "t1");
  enqueue("c2", "create", "t2");
  enqueue("c3", "create", "t3");
  auto report = sync_->dispatch_once("fake");
  EXPECT_EQ(report.applied, 3);
  ASSERT_EQ(fake_.batch_calls.size(), 1u);
  EXPECT_THAT(fake_.batch_calls[0], ElementsAre("c2", "c3"));
  EXPECT_EQ(fake_.single_calls, 2) << "the update went through apply()";
}

TEST_F(BatchDispatchTest, PerTaskOrderHoldsAcrossBatches) {
  // Task t1: create, then update, then cancel; t2 and t3 just a create each.
  enqueue("t1-create", "create", "t1");
  enqueue("t2-create", "create", "t2");
  enqueue("t1-update", "update", "t1");
  enqueue("t3-create", "create", "t3");
  enqueue("t1-cancel", "cancel", "t1");
  fake_.fail["t1-create"] = 1;  // t1's create fails once inside the batch
  auto first = sync_->dispatch_once("fake");
  ASSERT_EQ(fake_.batch_calls.size(), 1u);
  EXPECT_THAT(fake_.batch_calls[0], ElementsAre("t1-create", "t2-create", "t3-create"))
      << "only the oldest pending action of each task is due";
  EXPECT_EQ(first.applied, 2);
  EXPECT_EQ(first.retried, 1);
  // t1's later actions wait for its create, even though they are due by time.
  for (int round = 0; round < 6 && count("pending") > 0; ++round) {
    clock_.advance(std::chrono::minutes(10));
    sync_->dispatch_once("fake");
  }
  EXPECT_EQ(count("pending"), 0);
  std::vector<std::string> t1;
  for (const auto& k : fake_.delivered)
    if (k.rfind("t1-", 0) == 0) t1.push_back(k);
  EXPECT_THAT(t1, ElementsAre("t1-create", "t1-create", "t1-update", "t1-cancel"));
  EXPECT_EQ(fake_.tasks.size(), 3u);
}

TEST_F(BatchDispatchTest, APartialFailureRetriesOnlyTheFailedActions) {
  for (int i = 1; i <= 6; ++i) enqueue("a" + std::to_string(i), "create", "t" + std::to_string(i));
  fake_.fail["a2"] = 1;
  fake_.fail["a5"] = 1;
  auto first = sync_->dispatch_once("fake");
  EXPECT_EQ(first.applied, 4);
  EXPECT_EQ(first.retried, 2);
  EXPECT_EQ(count("done"), 4);
  auto pending = store::Store(*db_).outbox_rows("pending", 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].action_key, "a2");
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_EQ(pending[0].last_error.value_or(""), "retryable: HTTP 503 busy");
  EXPECT_GT(pending[0].next_attempt_at, clock_.now()) << "backoff, as for a single apply";

  EXPECT_EQ(sync_->dispatch_once("fake").applied, 0) << "not due yet";
  clock_.advance(std::chrono::minutes(1));
  auto second = sync_->dispatch_once("fake");
  EXPECT_EQ(second.applied, 2);
  ASSERT_EQ(fake_.batch_calls.size(), 2u);
  EXPECT_THAT(fake_.batch_calls[1], ElementsAre("a2", "a5")) << "only the failed actions again";
  EXPECT_EQ(fake_.tasks.size(), 6u);
}

TEST_F(BatchDispatchTest, AWrongSizedAnswerRetriesTheWholeBatchAndSaysSo) {
  for (int i = 1; i <= 3; ++i) enqueue("a" + std::to_string(i), "create", "t" + std::to_string(i));
  fake_.short_answer = true;
  auto first = sync_->dispatch_once("fake");
  EXPECT_EQ(first.applied, 0);
  EXPECT_EQ(first.retried, 3);
  EXPECT_EQ(count("done"), 0);
  bool logged = false;
  for (const auto& l : log_)
    logged =
        logged || l.find("plugin bug: apply_batch answered 2 results for 3") != std::string::npos;
  EXPECT_TRUE(logged);
  fake_.short_answer = false;
  clock_.advance(std::chrono::minutes(1));
  auto second = sync_->dispatch_once("fake");
  EXPECT_EQ(second.applied, 0);
  EXPECT_EQ(second.already_applied, 3)
      << "the first call did reach the system; the retry finds the tasks";
  EXPECT_EQ(fake_.tasks.size(), 3u);
}

TEST_F(BatchDispatchTest, ABatchTakesOneTokenFromTheBucket) {
  InstanceOptions options;
  options.name = "slow";
  options.burst = 2;
  options.rate_per_second = 0.001;
  BatchingFake slow;
  slow.limit = 3;
  sync_->add_instance(options, slow);
  for (int i = 1; i <= 9; ++i) {
    store::OutboxRecord r;
    r.action_key = "s" + std::to_string(i);
    r.target = "slow";
    r.kind = "create";
    r.task_key = "st" + std::to_string(i);
    r.payload_json = "{}";
    r.created_at = r.next_attempt_at = clock_.now();
    ASSERT_TRUE(store::Store(*db_).enqueue(r));
  }
  auto report = sync_->dispatch_once("slow");
  EXPECT_EQ(report.applied, 6) << "two tokens: two batches of three";
  EXPECT_EQ(report.rate_limited, 3);
  EXPECT_EQ(slow.batch_calls.size(), 2u);
}

}  // namespace
}  // namespace disputed::sync
