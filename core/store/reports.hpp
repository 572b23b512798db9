#pragma once
// The SQL behind reports and metrics: aggregates and the raw facts (instants) that percentiles
// and working days need. The reporting module gives them meaning; nothing here writes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/decimal.hpp"
#include "core/domain/time.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store {

/// Which rows a report looks at: an instant range [from, to) on the report's own date column,
/// and optionally one category. An absent bound is open.
struct ReportScope {
  std::optional<domain::Instant> from;
  std::optional<domain::Instant> to;  // exclusive
  std::optional<std::string> category;
};

struct CategoryStatusCount {
  std::string category;
  std::string status;
  std::string currency;
  std::int64_t disputes = 0;
  domain::DecimalTotal amount;  // may exceed one Decimal's range
};

/// Bucket index 0..4 for ages 0-7, 8-14, 15-30, 31-60 and 61+ calendar days.
struct AgeingCount {
  std::string category;
  std::string currency;
  int bucket = 0;
  std::int64_t disputes = 0;
  domain::DecimalTotal amount;  // may exceed one Decimal's range
};

/// A dispute that ended (resolved or withdrawn), for lead times.
struct EndedDispute {
  std::string category;
  domain::Instant opened_at;
  domain::Instant resolved_at;
};

/// A completed step, for per-step durations.
struct CompletedStep {
  std::string category;
  std::string step;
  domain::Instant assigned_at;
  domain::Instant completed_at;
};

/// SLA outcome counts of one group (see the SLA report in docs/api/openapi.yaml).
struct SlaCounts {
  std::int64_t met = 0;
  std::int64_t missed = 0;
  std::int64_t pending = 0;
  std::int64_t escalations = 0;
};

struct CategorySla {
  std::string category;
  SlaCounts counts;
};

struct StepSla {
  std::string category;
  std::string step;
  std::string assignee;
  SlaCounts counts;
};

struct CategoryCount {
  std::string category;
  std::int64_t disputes = 0;
};

struct ResolutionCount {
  std::string category;
  std::string resolution;
  std::int64_t disputes = 0;
};

/// Current figures for /metrics.
struct Gauges {
  std::int64_t open_disputes = 0;  // open or in progress
  std::int64_t overdue_steps = 0;  // open steps past their deadline
  std::vector<std::pair<std::string, std::int64_t>> outbox_by_state;
  std::int64_t sqlite_memory_bytes = 0;  // heap held by SQLite (page caches of every connection)
};

/// The category of every dispute, by id: steps carry only their dispute's id, and one pass over
/// a covering index beats a join that looks up each step's dispute (docs/benchmarks.md).
struct DisputeCategories {
  std::vector<std::string> names;         // distinct categories
  std::vector<std::uint16_t> of_dispute;  // index into names + 1 by dispute id; 0: none
  const std::string* category(std::int64_t dispute_id) const {
    if (dispute_id < 0 || std::size_t(dispute_id) >= of_dispute.size() ||
        of_dispute[std::size_t(dispute_id)] == 0)
      return nullptr;
    return &names[of_dispute[std::size_t(dispute_id)] - 1];
  }
};

/// The customers' feedback scores (one-click links) of a category's disputes.
struct FeedbackCount {
  std::string category;
  std::int64_t responses = 0;
  std::int64_t score_sum = 0;
  std::int64_t by_score[5] = {0, 0, 0, 0, 0};  // how many gave 1 .. 5
};

class ReportStore {
 public:
  explicit ReportStore(Database& db) : db_(db) {}

  /// Disputes opened in scope, per category, status and currency.
  std::vector<CategoryStatusCount> counts_by_category_status(const ReportScope& scope);
  /// Feedback scores given on disputes opened in scope, per category.
  std::vector<FeedbackCount> feedback_by_category(const ReportScope& scope);
  /// Open and in-progress disputes opened in scope, by age at `now`.
  std::vector<AgeingCount> ageing(const ReportScope& scope, domain::Instant now);
  /// Disputes resolved or withdrawn (resolved_at) in scope.
  std::vector<EndedDispute> ended_disputes(const ReportScope& scope);
  /// Every dispute's category (of the scope's category only, when it names one).
  DisputeCategories dispute_categories(const std::optional<std::string>& category);
  /// Steps completed (completed_at) in scope; `categories` from dispute_categories().
  std::vector<CompletedStep> completed_steps(const ReportScope& scope,
                                             const DisputeCategories& categories);
  /// Disputes whose due_at falls in scope: met / missed / pending at `now`. Escalations are
  /// left at 0 (they belong to steps; see step_sla).
  std::vector<CategorySla> dispute_sla(const ReportScope& scope, domain::Instant now);
  /// Steps (not cancelled) whose deadline falls in scope, per category, step and assignee.
  std::vector<StepSla> step_sla(const ReportScope& scope, domain::Instant now,
                                const DisputeCategories& categories);
  /// Disputes opened in scope per category.
  std::vector<CategoryCount> counts_by_category(const ReportScope& scope);
  /// Disputes opened in scope that ended, per category and resolution.
  std::vector<ResolutionCount> counts_by_resolution(const ReportScope& scope);
  /// Descriptions of the disputes opened in scope, handed to `sink` one by one (no copy of
  /// them all in memory).
  template <class Sink>
  void for_each_description(const ReportScope& scope, Sink&& sink) {
    Statement& s = scoped("SELECT description FROM disputes d WHERE 1=1", "d.opened_at", scope, "");
    while (s.step()) sink(s.text_view(0));
    s.reset();
  }

  Gauges gauges(domain::Instant now);

 private:
  /// A cached statement: `head` + the scope's conditions on `column` + `tail`, with the scope's
  /// values bound as ?1 (from), ?2 (to) and ?3 (category).
  Statement& scoped(const std::string& head, const std::string& column, const ReportScope& scope,
                    const std::string& tail);
  Database& db_;
};

}  // namespace disputed::store
