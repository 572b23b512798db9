#pragma once
// Request metrics in the Prometheus text exposition format (version 0.0.4): requests by route
// template, method and status, and a latency histogram per route. The gauges (open disputes,
// overdue steps, outbox depth) are read from the database when /metrics is scraped.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "core/engine/operations.hpp"

namespace disputed::api {

class Metrics {
 public:
  /// Records one answered request. `route` is the route template ("/api/v1/disputes/{id}"),
  /// never the concrete path, so the number of series stays bounded.
  void observe(const std::string& route, const std::string& method, int status,
               std::chrono::nanoseconds latency);

  struct WriterFigures {
    std::uint64_t commands = 0;
    std::uint64_t batches = 0;
    std::uint64_t failed_batches = 0;
  };
  /// Everything, as text/plain; version=0.0.4.
  std::string render(const engine::Gauges& gauges, const WriterFigures& writer) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> counts{};  // per bucket, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace disputed::api
