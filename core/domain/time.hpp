#pragma once
// Instants are UTC seconds; dates are civil dates. Text forms are ISO-8601:
// "2026-11-23T09:30:00Z" and "2026-11-23". Stored as that text, which sorts correctly.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace disputed::domain {

using Instant = std::chrono::sys_seconds;
using Date = std::chrono::year_month_day;

/// "2026-11-23T09:30:00Z".
std::string format_instant(Instant t);
/// Accepts "YYYY-MM-DDTHH:MM:SS" followed by "Z" or "+HH:MM"/"-HH:MM"; fractional seconds are
/// dropped. Returns nullopt for anything else (including impossible dates like 2026-02-30).
std::optional<Instant> parse_instant(std::string_view text);

/// "2026-11-23".
std::string format_date(Date d);
/// Accepts exactly "YYYY-MM-DD" with a valid calendar date.
std::optional<Date> parse_date(std::string_view text);

/// Calendar-day arithmetic.
Date add_days(Date d, int days);

/// Where "now" comes from. Injected everywhere so tests and the demo can move time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

/// The real wall clock, truncated to seconds.
class SystemClock final : public Clock {
 public:
  Instant now() const override;
};

/// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant start) : now_(start.time_since_epoch().count()) {}
  Instant now() const override { return Instant(std::chrono::seconds(now_.load())); }
  void set(Instant t) { now_.store(t.time_since_epoch().count()); }
  void advance(std::chrono::seconds by) { now_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> now_;
};

/// A clock that starts at a given instant and runs `speed` times faster than real time (the
/// demo's: with speed 3600 a working day of deadlines passes in a few real seconds). Thread-safe.
class ScaledClock final : public Clock {
 public:
  ScaledClock(Instant start, double speed)
      : start_(start), speed_(speed), real_start_(std::chrono::steady_clock::now()) {}
  Instant now() const override {
    std::chrono::duration<double> real = std::chrono::steady_clock::now() - real_start_;
    return start_ + std::chrono::seconds(static_cast<std::int64_t>(real.count() * speed_));
  }

 private:
  Instant start_;
  double speed_;
  std::chrono::steady_clock::time_point real_start_;
};

}  // namespace disputed::domain
