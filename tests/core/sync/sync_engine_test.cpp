// The sync engine with a real plugin (fakesystem, loaded through the ABI gate): actions are
// mirrored exactly once under injected faults, completions come back exactly once.

#include "core/sync/sync_engine.hpp"

#include <sqlite3.h>

#include <gmock/gmock.h>

#include "core/domain/utf8.hpp"
#include "core/host/plugin_catalog.hpp"
#include "tests/core/engine/engine_fixture.hpp"
#include "tests/support/test_host.hpp"

namespace disputed::sync {
namespace {

using engine::testing_support::at;
using ::testing::HasSubstr;

class SyncTest : public engine::testing_support::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    fake_db_ = (dir_ / "fake-system.db").string();
    catalog_ = std::make_unique<host::PluginCatalog>(std::vector<std::filesystem::path>{
        std::filesystem::path(DISPUTED_BINARY_DIR) / "test-plugins"});
    connector_ = catalog_->load("fakesystem").value()->create().value();
    test_host_ = std::make_unique<testing::TestHost>(clock_, kInstance);
    ASSERT_TRUE(connector_->open(R"({"database":")" + fake_db_ + R"("})", *test_host_).ok);
    sync_db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    sync_ = std::make_unique<SyncEngine>(*sync_db_, defs_, clock_);
    InstanceOptions options;
    options.name = kInstance;
    options.max_attempts = 4;
    sync_->add_instance(options, *connector_);
  }

  // Registers a dispute and walks it to the "book" step, which targets the connector.
  std::string dispute_at_booking_step() {
    auto v = open();
    EXPECT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
    EXPECT_TRUE(complete(v.dispute.ref, "approve", "approved").ok());
    return v.dispute.ref;
  }

  // Runs SQL against the fake system, as the agent (or a fault injector) would.
  std::int64_t fake(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(fake_db_.c_str(), &db);
    sqlite3_busy_timeout(db, 5000);
    std::int64_t result = -1;
    sqlite3_exec(
        db, sql.c_str(),
        [](void* out, int, char** values, char**) {
          *static_cast<std::int64_t*>(out) = values[0] ? std::stoll(values[0]) : 0;
          return 0;
        },
        &result, nullptr);
    sqlite3_close(db);
    return result;
  }

  store::StepRecord booking_step(const std::string& ref) {
    return service_->show(ref)->steps.back();
  }

  static constexpr const char* kInstance = "zendesk-support";
  std::string fake_db_;
  std::unique_ptr<host::PluginCatalog> catalog_;
  std::shared_ptr<sdk::Connector> connector_;
  std::unique_ptr<testing::TestHost> test_host_;
  std::unique_ptr<store::Database> sync_db_;
  std::unique_ptr<SyncEngine> sync_;
};

TEST_F(SyncTest, MirrorsAStepAsExactlyOneTaskAndRecordsTheReference) {
  auto ref = dispute_at_booking_step();
  auto report = sync_->dispatch_once(kInstance);
  EXPECT_EQ(report.applied, 1);
  EXPECT_EQ(fake("SELECT COUNT(*) FROM tasks"), 1);
  auto step = booking_step(ref);
  ASSERT_TRUE(step.external_ref);
  EXPECT_EQ(*step.external_ref, "1");
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 0);  // nothing left to do
  auto kinds = service_->show(ref)->dossier;
  EXPECT_EQ(kinds.back().kind, "mirrored");
}

TEST_F(SyncTest, ALostResponseIsRetriedWithTheSameKeyAndCreatesNoDuplicate) {
  dispute_at_booking_step();
  fake("INSERT INTO faults (operation, result, times) VALUES ('apply', 'lost_response', 1)");
  auto first = sync_->dispatch_once(kInstance);
  EXPECT_EQ(first.retried, 1);
  EXPECT_EQ(fake("SELECT COUNT(*) FROM tasks"), 1);  // the effect happened
  EXPECT_EQ(sync_->dispatch_once(kInstance).retried + sync_->dispatch_once(kInstance).applied,
            0);  // backing off
  clock_.advance(std::chrono::minutes(5));
  auto second = sync_->dispatch_once(kInstance);
  EXPECT_EQ(second.already_applied, 1);
  EXPECT_EQ(fake("SELECT COUNT(*) FROM tasks"), 1);
}

TEST_F(SyncTest, RateLimitHonoursRetryAfterForTheWholeInstance) {
  dispute_at_booking_step();
  fake(
      "INSERT INTO faults (operation, result, retry_after, times) VALUES ('apply', 'rate_limited', "
      "120, 1)");
  EXPECT_EQ(sync_->dispatch_once(kInstance).retried, 1);
  clock_.advance(std::chrono::seconds(100));
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 0);  // still inside Retry-After
  clock_.advance(std::chrono::seconds(30));
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 1);
  store::SyncStore s(*sync_db_);
  EXPECT_EQ(s.status(kInstance).state, "running");
  EXPECT_EQ(s.status(kInstance).retries, 1);
}

TEST_F(SyncTest, RejectionGoesToDeadLettersAndReplayDeliversIt) {
  auto ref = dispute_at_booking_step();
  fake("INSERT INTO faults (operation, result, times) VALUES ('apply', 'rejected', 1)");
  EXPECT_EQ(sync_->dispatch_once(kInstance).dead, 1);
  store::SyncStore s(*sync_db_);
  auto dead = s.dead_letters(kInstance, 10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_THAT(dead[0].last_error.value_or(""), HasSubstr("rejected"));
  EXPECT_EQ(service_->show(ref)->dossier.back().kind, "mirror_failed");
  ASSERT_TRUE(s.replay(dead[0].action_key, clock_.now()));
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 1);
  EXPECT_EQ(fake("SELECT COUNT(*) FROM tasks"), 1);
}

TEST_F(SyncTest, RepeatedFailuresEndInTheDeadLettersAfterMaxAttempts) {
  dispute_at_booking_step();
  fake("INSERT INTO faults (operation, result, times) VALUES ('apply', 'retryable', 10)");
  int dead = 0;
  for (int i = 0; i < 6 && dead == 0; ++i) {
    dead += sync_->dispatch_once(kInstance).dead;
    clock_.advance(std::chrono::hours(1));
  }
  EXPECT_EQ(dead, 1);
  EXPECT_EQ(fake("SELECT COUNT(*) FROM tasks"), 0);
}

TEST_F(SyncTest, ACompletionInTheExternalSystemAdvancesTheDisputeExactlyOnce) {
  auto ref = dispute_at_booking_step();
  sync_->dispatch_once(kInstance);
  EXPECT_EQ(sync_->poll_once(kInstance).applied, 0);
  fake(
      "UPDATE counter SET value = value + 1; UPDATE tasks SET status = 'completed', outcome = "
      "'done', "
      "solved_by = 'fin@example.com', modified_seq = (SELECT value FROM counter)");
  auto poll = sync_->poll_once(kInstance);
  EXPECT_TRUE(poll.ok);
  EXPECT_EQ(poll.applied, 1);
  auto shown = service_->show(ref);
  EXPECT_EQ(shown->dispute.status, domain::DisputeStatus::kResolved);
  EXPECT_EQ(shown->steps.back().completed_by, "fin@example.com");
  // From the new cursor nothing is new; from the old one (a crash before the cursor was stored
  // is the same thing) the event is recognised and applied no second time.
  EXPECT_EQ(sync_->poll_once(kInstance).events, 0);
  store::SyncStore(*sync_db_).save_cursor(kInstance, "0", clock_.now());
  auto again = sync_->poll_once(kInstance);
  EXPECT_EQ(again.events, 1);
  EXPECT_EQ(again.applied, 0);
  EXPECT_EQ(count("steps"), 3);
}

TEST_F(SyncTest, ReconciliationCatchesWhatTheCursorMissed) {
  auto ref = dispute_at_booking_step();
  sync_->dispatch_once(kInstance);
  fake(
      "UPDATE tasks SET status = 'completed', outcome = 'done', solved_by = 'fin@example.com'");  // seq unchanged
  store::SyncStore(*sync_db_).save_cursor(kInstance, "1000", clock_.now());
  EXPECT_EQ(sync_->poll_once(kInstance).applied, 0);
  EXPECT_EQ(sync_->poll_once(kInstance, true).applied, 1);
  EXPECT_EQ(service_->show(ref)->dispute.status, domain::DisputeStatus::kResolved);
}

TEST_F(SyncTest, AnUnknownOutcomeKeepsTheStepOpenAndSaysSo) {
  auto ref = dispute_at_booking_step();
  sync_->dispatch_once(kInstance);
  fake(
      "UPDATE counter SET value = value + 1; UPDATE tasks SET status = 'completed', outcome = "
      "'maybe', "
      "modified_seq = (SELECT value FROM counter)");
  EXPECT_EQ(sync_->poll_once(kInstance).applied, 1);
  auto shown = service_->show(ref);
  EXPECT_EQ(shown->steps.back().status, domain::StepStatus::kOpen);
  EXPECT_EQ(shown->dossier.back().kind, "external_completion_refused");
  EXPECT_THAT(shown->dossier.back().summary, HasSubstr("unknown outcome 'maybe'"));
}

TEST_F(SyncTest, CancellingTheDisputeCancelsTheExternalTaskInOrder) {
  auto ref = dispute_at_booking_step();
  ASSERT_TRUE(service_->withdraw(ref, "customer paid", "clerk").ok());
  // create and cancel are both pending; they go in order, one per round.
  sync_->dispatch_once(kInstance);
  sync_->dispatch_once(kInstance);
  EXPECT_EQ(fake("SELECT COUNT(*) FROM tasks WHERE status = 'cancelled'"), 1);
}

// Issue 13, finding 6: a vendor's error body cut mid-character (and with a line break in it)
// was stored as it came; every JSON answer showing it then failed. It is made one line of valid
// UTF-8 where it enters.
TEST_F(SyncTest, VendorTextIsStoredAsValidUtf8OnOneLine) {
  dispute_at_booking_step();
  fake(
      "INSERT INTO faults (operation, result, times) VALUES "
      "('poll', 'error body cut' || CAST(X'0D0A464F52474544E282' AS TEXT), 1)");
  sync_->poll_once(kInstance);
  auto status = store::SyncStore(*sync_db_).status(kInstance);
  ASSERT_TRUE(status.last_error.has_value());
  EXPECT_TRUE(domain::is_valid_utf8(*status.last_error)) << *status.last_error;
  EXPECT_EQ(*status.last_error, "injected error body cut  FORGED\xEF\xBF\xBD\xEF\xBF\xBD");
}

// `disputed serve`: the sync engine shares the API's writer. Everything it records goes through
// that one writer (group commit with the API's commands); its own connection only reads.
class ServedSyncTest : public SyncTest {
 protected:
  void SetUp() override {
    SyncTest::SetUp();
    sync_.reset();
    writer_db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    writer_session_ = std::make_unique<engine::Session>(*writer_db_, defs_, clock_);
    writer_ = std::make_unique<engine::CommandWriter>(*writer_session_);
    writer_->start();
    read_db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    read_db_->exec("PRAGMA query_only=1");  // a write on it would fail
    reads_ = std::make_unique<engine::Session>(*read_db_, defs_, clock_);
    sync_ = std::make_unique<SyncEngine>(*writer_, *reads_, clock_);
    InstanceOptions options;
    options.name = kInstance;
    sync_->add_instance(options, *connector_);
  }
  void TearDown() override {
    sync_.reset();
    writer_->stop();
  }
  std::unique_ptr<store::Database> writer_db_;
  std::unique_ptr<engine::Session> writer_session_;
  std::unique_ptr<engine::CommandWriter> writer_;
  std::unique_ptr<store::Database> read_db_;
  std::unique_ptr<engine::Session> reads_;
};

TEST_F(ServedSyncTest, EveryWriteGoesThroughTheWriterItSharesWithTheApi) {
  auto ref = dispute_at_booking_step();
  auto before = writer_->stats().commands;
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 1);
  ASSERT_TRUE(booking_step(ref).external_ref);
  fake(
      "UPDATE counter SET value = value + 1; UPDATE tasks SET status = 'completed', outcome = "
      "'done', modified_seq = (SELECT value FROM counter)");
  auto polled = sync_->poll_once(kInstance);
  EXPECT_TRUE(polled.ok) << polled.error;
  EXPECT_EQ(polled.applied, 1);
  EXPECT_EQ(service_->show(ref)->dispute.status, domain::DisputeStatus::kResolved);
  EXPECT_EQ(sync_->poll_once(kInstance).applied, 0);  // the cursor moved with the events

  auto state = sync_->plugin_state(kInstance);
  state->put("list-id", "AAMk");
  EXPECT_EQ(state->get("list-id"), "AAMk");
  state->erase("list-id");
  EXPECT_FALSE(state->get("list-id"));
  // The delivery round, the poll (twice) and two state writes: five jobs of the one writer.
  writer_->stop();  // its figures are final once it has stopped
  EXPECT_EQ(writer_->stats().commands - before, 5u);
  EXPECT_EQ(store::SyncStore(*writer_db_).status(kInstance).applied, 1);
}

}  // namespace
}  // namespace disputed::sync
