#include "core/engine/timer_scheduler.hpp"

namespace disputed::engine {

TimerScheduler::TimerScheduler(DisputeService& service, std::chrono::milliseconds interval,
                               std::function<void(const Result<TickReport>&)> on_tick)
    : TimerScheduler([&service] { return service.tick(); }, interval, std::move(on_tick)) {}

TimerScheduler::TimerScheduler(std::function<Result<TickReport>()> tick,
                               std::chrono::milliseconds interval,
                               std::function<void(const Result<TickReport>&)> on_tick)
    : tick_(std::move(tick)), interval_(interval), on_tick_(std::move(on_tick)) {}

TimerScheduler::~TimerScheduler() { stop(); }

void TimerScheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void TimerScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TimerScheduler::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::uint64_t TimerScheduler::ticks() const {
  std::lock_guard lock(mutex_);
  return ticks_;
}

void TimerScheduler::run() {
  for (;;) {
    auto report = tick_();
    if (on_tick_) on_tick_(report);
    std::unique_lock lock(mutex_);
    ++ticks_;
    cv_.notify_all();
    cv_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace disputed::engine
