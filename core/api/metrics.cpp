#include "core/api/metrics.hpp"

#include <malloc.h>

#include <cstdio>

namespace disputed::api {

namespace {

// Label values are route templates, methods and states we choose, but escape anyway (the text
// format requires \\, \" and \n escaped).
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Clients choose the method (also on a 401) and could add a series per request; every label
// value is one of a fixed set: the methods of HTTP, then "other".
const std::string& method_label(const std::string& method) {
  static const std::string kKnown[] = {"GET",    "HEAD",    "POST",  "PUT",    "PATCH",
                                       "DELETE", "OPTIONS", "TRACE", "CONNECT"};
  static const std::string kOther = "other";
  for (const auto& known : kKnown)
    if (method == known) return known;
  return kOther;
}

// Statuses are ours, but a value outside 100-599 is folded too rather than trusted.
int status_label(int status) { return status >= 100 && status <= 599 ? status : 0; }

}  // namespace

void Metrics::observe(const std::string& route, const std::string& method, int status,
                      std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mutex_);
  ++requests_[{route, method_label(method), status_label(status)}];
  Histogram& h = latency_[route];
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  if (b < kBuckets.size()) ++h.counts[b];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render(const engine::Gauges& gauges, const WriterFigures& writer) const {
  std::string out;
  out +=
      "# HELP disputed_http_requests_total HTTP requests answered, by route template, method and "
      "status.\n";
  out += "# TYPE disputed_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += "disputed_http_requests_total{route=\"" + label(route) + "\",method=\"" + label(method) +
           "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP disputed_http_request_duration_seconds Time to answer a request, by route "
      "template.\n";
  out += "# TYPE disputed_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::uint64_t cumulative = 0;
    std::string r = label(route);
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += h.counts[b];
      out += "disputed_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"" +
             number(kBuckets[b]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "disputed_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out +=
        "disputed_http_request_duration_seconds_sum{route=\"" + r + "\"} " + number(h.sum) + "\n";
    out += "disputed_http_request_duration_seconds_count{route=\"" + r + "\"} " +
           std::to_string(h.count) + "\n";
  }
  out += "# HELP disputed_open_disputes Disputes that are open or in progress.\n";
  out += "# TYPE disputed_open_disputes gauge\n";
  out += "disputed_open_disputes " + std::to_string(gauges.open_disputes) + "\n";
  out += "# HELP disputed_overdue_steps Open steps past their deadline.\n";
  out += "# TYPE disputed_overdue_steps gauge\n";
  out += "disputed_overdue_steps " + std::to_string(gauges.overdue_steps) + "\n";
  out += "# HELP disputed_outbox_rows Outbox rows by state (pending rows are the sync backlog).\n";
  out += "# TYPE disputed_outbox_rows gauge\n";
  bool pending_seen = false;
  for (const auto& [state, n] : gauges.outbox_by_state) {
    pending_seen = pending_seen || state == "pending";
    out += "disputed_outbox_rows{state=\"" + label(state) + "\"} " + std::to_string(n) + "\n";
  }
  if (!pending_seen) out += "disputed_outbox_rows{state=\"pending\"} 0\n";
  // glibc's count of bytes handed out and not freed: unlike RSS it does not include memory the
  // allocator keeps after a free, so it is the figure that shows a leak.
  struct mallinfo2 heap = ::mallinfo2();
  out +=
      "# HELP disputed_heap_in_use_bytes Heap allocated and not freed (glibc mallinfo2), SQLite's "
      "included.\n";
  out += "# TYPE disputed_heap_in_use_bytes gauge\n";
  out += "disputed_heap_in_use_bytes " + std::to_string(heap.uordblks + heap.hblkhd) + "\n";
  out +=
      "# HELP disputed_sqlite_memory_bytes Heap held by SQLite: page caches of every connection.\n";
  out += "# TYPE disputed_sqlite_memory_bytes gauge\n";
  out += "disputed_sqlite_memory_bytes " + std::to_string(gauges.sqlite_memory_bytes) + "\n";
  out += "# HELP disputed_writer_commands_total Commands run by the single writer.\n";
  out += "# TYPE disputed_writer_commands_total counter\n";
  out += "disputed_writer_commands_total " + std::to_string(writer.commands) + "\n";
  out += "# HELP disputed_writer_commits_total Group commits (batches) of the single writer.\n";
  out += "# TYPE disputed_writer_commits_total counter\n";
  out += "disputed_writer_commits_total " + std::to_string(writer.batches) + "\n";
  out +=
      "# HELP disputed_writer_failed_commits_total Batches whose commit failed (nothing "
      "written).\n";
  out += "# TYPE disputed_writer_failed_commits_total counter\n";
  out += "disputed_writer_failed_commits_total " + std::to_string(writer.failed_batches) + "\n";
  return out;
}

}  // namespace disputed::api
