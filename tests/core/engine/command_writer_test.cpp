#include "core/engine/command_writer.hpp"

#include <gmock/gmock.h>

#include <future>
#include <vector>

#include "tests/core/engine/engine_fixture.hpp"
#include "tests/support/faulty_vfs.hpp"

namespace disputed::engine::testing_support {
namespace {

using ::disputed::testing::FaultyVfs;
using ::testing::HasSubstr;

// The writer's connection goes through a VFS that can fail writes to the log on demand, and has
// a page cache of a few pages, so SQLite writes dirty pages to the log while a batch's
// transaction is still open: an I/O error can strike in the middle of a group commit.
class CommandWriterTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    service_.reset();
    store::DatabaseOptions options;
    options.vfs = ::disputed::testing::kFaultyVfsName;
    FaultyVfs::instance();  // registers it
    db_ = std::make_unique<store::Database>(dir_ / "engine.db", options);
    db_->exec("PRAGMA cache_size=10");
    service_ = std::make_unique<DisputeService>(*db_, defs_, clock_);
    session_ = std::make_unique<Session>(*db_, defs_, clock_);
  }
  void TearDown() override {
    session_.reset();
    EngineTest::TearDown();
  }

  std::future<Result<DisputeView>> register_on(CommandWriter& writer, const std::string& invoice,
                                               bool fault = false) {
    OpenDisputeRequest r = request({{invoice, std::nullopt}});
    return writer.submit<DisputeView>([r, fault](Session& s) {
      if (fault) FaultyVfs::instance().arm();
      auto result = s.disputes().open_dispute(r);
      if (fault) FaultyVfs::instance().disarm();
      return result;
    });
  }

  std::unique_ptr<Session> session_;  // the writer's

  // Whether a dispute on `invoice` is in the database (it placed a hold).
  bool written(const std::string& invoice) {
    return !service_->invoice_state(invoice)->active_holds.empty();
  }
};

TEST_F(CommandWriterTest, EveryCallerHearsTheTruthWhenAnIoErrorRollsBackTheBatch) {
  int injected_before = FaultyVfs::instance().injected();
  CommandWriter writer(*session_);
  // Queued before the writer starts, so all four share one batch; the second meets the fault.
  std::vector<std::pair<std::string, std::future<Result<DisputeView>>>> calls;
  calls.emplace_back("INV-1", register_on(writer, "INV-1"));
  calls.emplace_back("INV-2", register_on(writer, "INV-2", true));
  calls.emplace_back("INV-3", register_on(writer, "INV-3"));
  calls.emplace_back("INV-USD", register_on(writer, "INV-USD"));
  writer.start();
  std::vector<std::pair<std::string, Result<DisputeView>>> answers;
  for (auto& [invoice, future] : calls) answers.emplace_back(invoice, future.get());
  writer.stop();
  ASSERT_GT(FaultyVfs::instance().injected(), injected_before) << "the fault never struck";

  // What each caller heard is what happened to its own command.
  for (const auto& [invoice, answer] : answers)
    EXPECT_EQ(answer.ok(), written(invoice))
        << invoice << ": heard " << (answer.ok() ? "ok" : answer.error().describe());
  // The command that met the I/O error failed and wrote nothing ...
  ASSERT_FALSE(answers[1].second.ok());
  EXPECT_EQ(answers[1].second.error().code, domain::ErrorCode::kInternal);
  EXPECT_THAT(answers[1].second.error().message, HasSubstr("nothing was written"));
  // ... and the others, whose work the rollback took away, ran again and succeeded.
  for (std::size_t i : {0u, 2u, 3u})
    EXPECT_TRUE(answers[i].second.ok())
        << answers[i].first << ": " << answers[i].second.error().describe();
  EXPECT_GE(writer.stats().failed_batches, 1u);
}

// One job may give several commands (the sync engine applies a poll's completions in one job).
// When the I/O error strikes the first, the second must not run on its own and commit alone.
TEST_F(CommandWriterTest, WithinOneJobNothingRunsOutsideTheTransactionAfterTheFault) {
  int injected_before = FaultyVfs::instance().injected();
  CommandWriter writer(*session_);
  auto first = request({{"INV-1", std::nullopt}}), second = request({{"INV-3", std::nullopt}});
  auto both = writer.submit<int>([first, second](Session& s) -> Result<int> {
    FaultyVfs::instance().arm();
    auto a = s.disputes().open_dispute(first);  // meets the I/O error
    FaultyVfs::instance().disarm();
    auto b = s.disputes().open_dispute(second);  // the transaction is gone by now
    return int(a.ok()) + int(b.ok());
  });
  writer.start();
  auto answer = both.get();
  writer.stop();
  ASSERT_GT(FaultyVfs::instance().injected(), injected_before) << "the fault never struck";
  ASSERT_FALSE(answer.ok());
  EXPECT_THAT(answer.error().message, HasSubstr("nothing was written"));
  EXPECT_FALSE(written("INV-1"));
  EXPECT_FALSE(written("INV-3"));
}

// A job that gives many commands at once commits alone, between the batches before and after
// it, all or nothing; the commands around it are not held to its fate.
TEST_F(CommandWriterTest, AJobThatCommitsAloneIsAllOrNothingAndLeavesItsNeighboursAlone) {
  CommandWriter writer(*session_);
  auto before = register_on(writer, "INV-1");
  auto refused = writer.submit<int>(
      [](Session& s) -> Result<int> {
        for (const char* text : {"first", "second"})
          if (!s.disputes()
                   .add_note({"DSP-000001", text, std::nullopt, domain::Direction::kInternal,
                              "clerk@example.com"})
                   .ok())
            return domain::Error::internal("the note was not added");
        return domain::Error::conflict("the last step of the job failed");
      },
      CommandWriter::Commit::kAlone);
  auto accepted = writer.submit<int>(
      [](Session& s) -> Result<int> {
        for (const char* text : {"third", "fourth"})
          if (!s.disputes()
                   .add_note({"DSP-000001", text, std::nullopt, domain::Direction::kInternal,
                              "clerk@example.com"})
                   .ok())
            return domain::Error::internal("the note was not added");
        return 2;
      },
      CommandWriter::Commit::kAlone);
  auto after = register_on(writer, "INV-3");
  writer.start();
  EXPECT_TRUE(before.get().ok());
  EXPECT_EQ(refused.get().error().code, domain::ErrorCode::kConflict);
  EXPECT_EQ(accepted.get().value(), 2);
  EXPECT_TRUE(after.get().ok());
  writer.stop();
  auto shown = service_->show("DSP-000001");
  ASSERT_TRUE(shown.ok());
  std::vector<std::string> notes;
  for (const auto& e : shown.value().dossier)
    if (e.kind == "note") notes.push_back(e.summary);
  EXPECT_THAT(notes, ::testing::ElementsAre("third", "fourth"));
  EXPECT_TRUE(written("INV-3"));
}

TEST_F(CommandWriterTest, ACommandThatFailsOrThrowsLeavesNothingBehindAndTheOthersCommit) {
  CommandWriter writer(*session_);
  auto first = register_on(writer, "INV-1");
  // A command that writes and then reports a failure, and one that writes and then throws: both
  // are rolled back to where they began, the batch goes on.
  auto refused = writer.submit<domain::Ok>([](Session& s) -> Result<domain::Ok> {
    (void)s.disputes().add_note({"DSP-000001", "a note that must not stay", std::nullopt,
                                 domain::Direction::kInternal, "clerk@example.com"});
    return domain::Error::conflict("changed my mind");
  });
  auto thrown = writer.submit<domain::Ok>([](Session& s) -> Result<domain::Ok> {
    (void)s.disputes().add_note({"DSP-000001", "another note that must not stay", std::nullopt,
                                 domain::Direction::kInternal, "clerk@example.com"});
    throw std::runtime_error("a bug in one command");
  });
  auto last = register_on(writer, "INV-3");
  writer.start();
  EXPECT_TRUE(first.get().ok());
  EXPECT_EQ(refused.get().error().code, domain::ErrorCode::kConflict);
  EXPECT_EQ(thrown.get().error().code, domain::ErrorCode::kInternal);
  EXPECT_TRUE(last.get().ok());
  writer.stop();
  EXPECT_TRUE(written("INV-1"));
  EXPECT_TRUE(written("INV-3"));
  EXPECT_THAT(dossier_kinds(service_->show("DSP-000001").value()),
              ::testing::Not(::testing::Contains("note")));
}

}  // namespace
}  // namespace disputed::engine::testing_support
