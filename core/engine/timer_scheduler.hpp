#pragma once
// Fires reminders and escalations when they are due: calls DisputeService::tick() on an
// interval, on its own thread, until stopped. The clock behind the service decides what is due,
// so a test (or the demo) moves time with a FakeClock and calls wake().

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "core/engine/dispute_service.hpp"

namespace disputed::engine {

class TimerScheduler {
 public:
  /// `on_tick` (optional) sees every tick's report or error, e.g. to log it.
  TimerScheduler(DisputeService& service, std::chrono::milliseconds interval,
                 std::function<void(const Result<TickReport>&)> on_tick = {});
  /// The same with the tick given as a function, e.g. one that queues DisputeService::tick on
  /// the serving process's single writer (CommandWriter) instead of using a service directly.
  TimerScheduler(std::function<Result<TickReport>()> tick, std::chrono::milliseconds interval,
                 std::function<void(const Result<TickReport>&)> on_tick = {});
  ~TimerScheduler();
  TimerScheduler(const TimerScheduler&) = delete;
  TimerScheduler& operator=(const TimerScheduler&) = delete;

  void start();
  /// Finishes the tick in progress, if any, and joins the thread. Idempotent.
  void stop();
  /// Ticks now instead of at the end of the interval.
  void wake();
  /// How many ticks have completed (successful or not).
  std::uint64_t ticks() const;

 private:
  void run();

  std::function<Result<TickReport>()> tick_;
  std::chrono::milliseconds interval_;
  std::function<void(const Result<TickReport>&)> on_tick_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::uint64_t ticks_ = 0;
  std::thread thread_;
};

}  // namespace disputed::engine
