#include "core/store/reports.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

namespace disputed::store {

namespace {

using domain::Decimal;
using domain::format_instant;
using domain::Instant;

Instant instant_of(std::string_view text) {
  auto t = domain::parse_instant(text);
  if (!t) throw std::runtime_error("corrupt timestamp in database: '" + std::string(text) + "'");
  return *t;
}

SlaCounts sla_counts(const Statement& s, int first_column) {
  SlaCounts c;
  c.met = s.int64(first_column);
  c.missed = s.int64(first_column + 1);
  c.pending = s.int64(first_column + 2);
  return c;
}

}  // namespace

Statement& ReportStore::scoped(const std::string& head, const std::string& column,
                               const ReportScope& scope, const std::string& tail) {
  // Fixed fragments only; every value is a bound parameter. Instants are ISO-8601 UTC text, so
  // comparing the text compares the instants.
  std::string sql = head;
  if (scope.from && !column.empty()) sql += " AND " + column + " >= ?1";
  if (scope.to && !column.empty()) sql += " AND " + column + " < ?2";
  if (scope.category) sql += " AND d.category = ?3";
  sql += tail;
  Statement& s = db_.prepare_cached(sql);
  if (scope.from && !column.empty()) s.bind(1, format_instant(*scope.from));
  if (scope.to && !column.empty()) s.bind(2, format_instant(*scope.to));
  if (scope.category) s.bind(3, *scope.category);
  return s;
}

// SQLite's SUM() of integers fails with "integer overflow" past 2^63: a few disputes of large
// amounts broke the summary and ageing reports. Summed in two parts (units / 10^9 and
// units % 10^9), each far from overflowing, and joined exactly in 128 bits.
constexpr std::string_view kSplitSum =
    "SUM(d.disputed_units / 1000000000), SUM(d.disputed_units % 1000000000)";
constexpr std::string_view kSplitSumInner =
    "SUM(disputed_units / 1000000000), SUM(disputed_units % 1000000000)";

std::vector<CategoryStatusCount> ReportStore::counts_by_category_status(const ReportScope& scope) {
  Statement& s = scoped(
      "SELECT d.category, d.status, d.currency, COUNT(*), " + std::string(kSplitSum) +
          " FROM disputes d "
          "INDEXED BY disputes_report WHERE 1=1",
      "d.opened_at", scope,
      " GROUP BY d.category, d.status, d.currency ORDER BY d.category, d.status, d.currency");
  std::vector<CategoryStatusCount> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.int64(3),
                   domain::DecimalTotal::from_parts(s.int64(4), s.int64(5))});
  s.reset();
  return out;
}

std::vector<FeedbackCount> ReportStore::feedback_by_category(const ReportScope& scope) {
  Statement& s = scoped(
      "SELECT d.category, COUNT(*), SUM(f.score), SUM(f.score = 1), SUM(f.score = 2), "
      "SUM(f.score = 3), SUM(f.score = 4), SUM(f.score = 5) FROM feedback f "
      "JOIN disputes d ON d.id = f.dispute_id WHERE 1=1",
      "d.opened_at", scope, " GROUP BY d.category ORDER BY d.category");
  std::vector<FeedbackCount> out;
  while (s.step()) {
    FeedbackCount f;
    f.category = s.text(0);
    f.responses = s.int64(1);
    f.score_sum = s.int64(2);
    for (int i = 0; i < 5; ++i) f.by_score[i] = s.int64(3 + i);
    out.push_back(std::move(f));
  }
  s.reset();
  return out;
}

std::vector<AgeingCount> ReportStore::ageing(const ReportScope& scope, Instant now) {
  // Age in whole calendar days; julianday() reads our "...Z" instants as UTC.
  Statement& s = scoped(
      "SELECT category, currency, CASE WHEN age <= 7 THEN 0 WHEN age <= 14 THEN 1 WHEN age <= 30 "
      "THEN 2 "
      "WHEN age <= 60 THEN 3 ELSE 4 END AS bucket, COUNT(*), " +
          std::string(kSplitSumInner) +
          " FROM ("
          "SELECT d.category, d.currency, d.disputed_units, "
          "CAST(julianday(?4) - julianday(d.opened_at) AS INTEGER) AS age "
          "FROM disputes d INDEXED BY disputes_report WHERE d.status IN ('open', 'in_progress')",
      "d.opened_at", scope,
      ") GROUP BY category, currency, bucket ORDER BY category, currency, bucket");
  s.bind(4, format_instant(now));
  std::vector<AgeingCount> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), int(s.int64(2)), s.int64(3),
                   domain::DecimalTotal::from_parts(s.int64(4), s.int64(5))});
  s.reset();
  return out;
}

std::vector<EndedDispute> ReportStore::ended_disputes(const ReportScope& scope) {
  Statement& s = scoped(
      "SELECT d.category, d.opened_at, d.resolved_at FROM disputes d INDEXED BY disputes_report "
      "WHERE d.resolved_at IS NOT NULL",
      "d.resolved_at", scope, "");
  std::vector<EndedDispute> out;
  while (s.step())
    out.push_back({s.text(0), instant_of(s.text_view(1)), instant_of(s.text_view(2))});
  s.reset();
  return out;
}

DisputeCategories ReportStore::dispute_categories(const std::optional<std::string>& category) {
  ReportScope scope;
  scope.category = category;
  Statement& s =
      scoped("SELECT d.id, d.category FROM disputes d INDEXED BY disputes_report WHERE 1=1", "",
             scope, " ORDER BY d.category");
  DisputeCategories out;
  while (s.step()) {
    auto id = s.int64(0);
    auto name = s.text_view(1);
    if (out.names.empty() || out.names.back() != name)
      out.names.emplace_back(name);  // ordered by category
    if (id < 0) continue;
    if (std::size_t(id) >= out.of_dispute.size()) out.of_dispute.resize(std::size_t(id) + 1024, 0);
    out.of_dispute[std::size_t(id)] = std::uint16_t(out.names.size());
  }
  s.reset();
  return out;
}

std::vector<CompletedStep> ReportStore::completed_steps(const ReportScope& scope,
                                                        const DisputeCategories& categories) {
  ReportScope steps_only = scope;
  steps_only.category.reset();  // applied through `categories`
  Statement& s = scoped(
      "SELECT st.dispute_id, st.step_key, st.assigned_at, st.completed_at FROM steps st INDEXED BY "
      "steps_report "
      "WHERE st.status = 'completed'",
      "st.completed_at", steps_only, "");
  std::vector<CompletedStep> out;
  while (s.step()) {
    const std::string* category = categories.category(s.int64(0));
    if (!category) continue;
    out.push_back({*category, s.text(1), instant_of(s.text_view(2)), instant_of(s.text_view(3))});
  }
  s.reset();
  return out;
}

std::vector<CategorySla> ReportStore::dispute_sla(const ReportScope& scope, Instant now) {
  Statement& s = scoped(
      "SELECT d.category, "
      "SUM(d.resolved_at IS NOT NULL AND d.resolved_at <= d.due_at), "
      "SUM((d.resolved_at IS NOT NULL AND d.resolved_at > d.due_at) OR (d.resolved_at IS NULL AND "
      "d.due_at < ?4)), "
      "SUM(d.resolved_at IS NULL AND d.due_at >= ?4) "
      "FROM disputes d INDEXED BY disputes_report WHERE 1=1",
      "d.due_at", scope, " GROUP BY d.category ORDER BY d.category");
  s.bind(4, format_instant(now));
  std::vector<CategorySla> out;
  while (s.step()) out.push_back({s.text(0), sla_counts(s, 1)});
  s.reset();
  return out;
}

std::vector<StepSla> ReportStore::step_sla(const ReportScope& scope, Instant now,
                                           const DisputeCategories& categories) {
  // Grouped here rather than with GROUP BY: SQLite's sorter takes several times longer than
  // one pass over the covering index with a hash map.
  ReportScope steps_only = scope;
  steps_only.category.reset();  // applied through `categories`
  Statement& s = scoped(
      "SELECT st.dispute_id, st.step_key, st.assignee, st.status, st.deadline_at, st.completed_at, "
      "st.escalated_at IS NOT NULL FROM steps st INDEXED BY steps_report WHERE st.status != "
      "'cancelled'",
      "st.deadline_at", steps_only, "");
  const std::string now_text = format_instant(now);
  std::unordered_map<std::string, std::size_t> index;
  std::vector<StepSla> out;
  std::string key;
  while (s.step()) {
    const std::string* dispute_category = categories.category(s.int64(0));
    if (!dispute_category) continue;
    std::string_view category = *dispute_category, step = s.text_view(1), assignee = s.text_view(2);
    key.assign(category).append(1, '\x1f').append(step).append(1, '\x1f').append(assignee);
    auto [it, inserted] = index.try_emplace(key, out.size());
    if (inserted)
      out.push_back({std::string(category), std::string(step), std::string(assignee), {}});
    SlaCounts& c = out[it->second].counts;
    auto deadline = s.text_view(4);
    if (s.text_view(3) == "completed") {
      if (s.text_view(5) <= deadline)
        ++c.met;
      else
        ++c.missed;
    } else if (deadline < now_text) {
      ++c.missed;
    } else {
      ++c.pending;
    }
    c.escalations += s.int64(6);
  }
  s.reset();
  std::sort(out.begin(), out.end(), [](const StepSla& a, const StepSla& b) {
    return std::tie(a.category, a.step, a.assignee) < std::tie(b.category, b.step, b.assignee);
  });
  return out;
}

std::vector<CategoryCount> ReportStore::counts_by_category(const ReportScope& scope) {
  Statement& s =
      scoped("SELECT d.category, COUNT(*) FROM disputes d INDEXED BY disputes_report WHERE 1=1",
             "d.opened_at", scope, " GROUP BY d.category ORDER BY COUNT(*) DESC, d.category");
  std::vector<CategoryCount> out;
  while (s.step()) out.push_back({s.text(0), s.int64(1)});
  s.reset();
  return out;
}

std::vector<ResolutionCount> ReportStore::counts_by_resolution(const ReportScope& scope) {
  Statement& s = scoped(
      "SELECT d.category, d.resolution, COUNT(*) FROM disputes d INDEXED BY disputes_report "
      "WHERE d.resolution IS NOT NULL",
      "d.opened_at", scope,
      " GROUP BY d.category, d.resolution ORDER BY d.category, COUNT(*) DESC, d.resolution");
  std::vector<ResolutionCount> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.int64(2)});
  s.reset();
  return out;
}

Gauges ReportStore::gauges(Instant now) {
  Gauges g;
  Statement& open =
      db_.prepare_cached("SELECT COUNT(*) FROM disputes WHERE status IN ('open', 'in_progress')");
  open.step();
  g.open_disputes = open.int64(0);
  open.reset();
  Statement& overdue =
      db_.prepare_cached("SELECT COUNT(*) FROM steps WHERE status = 'open' AND deadline_at < ?");
  overdue.bind(1, format_instant(now));
  overdue.step();
  g.overdue_steps = overdue.int64(0);
  overdue.reset();
  Statement& outbox =
      db_.prepare_cached("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state");
  while (outbox.step()) g.outbox_by_state.emplace_back(outbox.text(0), outbox.int64(1));
  outbox.reset();
  g.sqlite_memory_bytes = sqlite_memory_used();
  return g;
}

}  // namespace disputed::store
