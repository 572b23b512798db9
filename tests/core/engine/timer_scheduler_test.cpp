#include "core/engine/timer_scheduler.hpp"

#include <atomic>

#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::engine::testing_support {
namespace {

class TimerSchedulerTest : public EngineTest {
 protected:
  // Waits (bounded) until the scheduler has completed `n` ticks.
  static bool wait_for_ticks(const TimerScheduler& s, std::uint64_t n) {
    for (int i = 0; i < 500 && s.ticks() < n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return s.ticks() >= n;
  }
};

TEST_F(TimerSchedulerTest, FiresDueRemindersWhenTheClockMovesAndStopsCleanly) {
  open();  // reminder due Tue 24 Nov 16:00Z
  std::atomic<int> reminders{0};
  TimerScheduler scheduler(*service_, std::chrono::hours(1), [&](const Result<TickReport>& r) {
    if (r.ok()) reminders += r->reminders;
  });
  scheduler.start();
  ASSERT_TRUE(wait_for_ticks(scheduler, 1));
  EXPECT_EQ(reminders, 0);  // nothing due yet

  clock_.set(at("2026-11-24T16:00:00Z"));
  scheduler.wake();
  ASSERT_TRUE(wait_for_ticks(scheduler, 2));
  EXPECT_EQ(reminders, 1);

  scheduler.wake();  // nothing new is due: a second tick fires nothing
  ASSERT_TRUE(wait_for_ticks(scheduler, 3));
  EXPECT_EQ(reminders, 1);
  scheduler.stop();
  scheduler.stop();  // idempotent
}

}  // namespace
}  // namespace disputed::engine::testing_support
