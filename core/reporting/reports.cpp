#include "core/reporting/reports.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/domain/text.hpp"
#include "core/store/reports.hpp"

namespace disputed::reporting {

namespace {

using domain::Decimal;
using domain::Error;
using domain::Instant;
using nlohmann::json;

constexpr const char* kBuckets[] = {"0-7", "8-14", "15-30", "31-60", "61+"};
constexpr double kSecondsPerDay = 86400.0;

// Two decimals are plenty for days; rounding also keeps binary noise out of JSON and CSV.
double round2(double x) { return std::round(x * 100.0) / 100.0; }

Cell optional_number(std::optional<double> v) {
  if (!v) return nullptr;
  return round2(*v);
}

Cell share(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return nullptr;
  return round2(double(part) / double(whole));
}

// Common words that say nothing about a cause (English and Dutch, four letters or more).
const std::set<std::string, std::less<>>& stop_words() {
  static const std::set<std::string, std::less<>> words = {
      "about", "also", "been",    "does",     "from",     "have",     "into",    "more",
      "only",  "over", "some",    "than",     "that",     "their",    "them",    "then",
      "there", "they", "this",    "were",     "what",     "when",     "which",   "with",
      "would", "your", "invoice", "invoiced", "invoices", "customer", "alle",    "deze",
      "door",  "geen", "graag",   "heeft",    "hebben",   "jullie",   "maar",    "naar",
      "niet",  "onze", "voor",    "werd",     "wordt",    "zijn",     "factuur", "klant"};
  return words;
}

bool counts_as_word(std::string_view w) {
  if (w.size() < 4) return false;
  if (std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return stop_words().find(w) == stop_words().end();
}

// calendar.working_days_between() walks the days one by one (about 0.4 µs for two weeks); for
// the hundreds of thousands of pairs of a lead-time report, a running count of working days over
// the dates seen answers each pair in constant time, with the same result.
class WorkingDayCounter {
 public:
  explicit WorkingDayCounter(const domain::BusinessCalendar& calendar) : calendar_(calendar) {}

  int between(Instant from, Instant to) {
    if (to <= from) return 0;
    return through(std::chrono::sys_days(calendar_.local_date(to))) -
           through(std::chrono::sys_days(calendar_.local_date(from)));
  }

 private:
  // Working days in [first_, day].
  int through(std::chrono::sys_days day) {
    if (counts_.empty() || day < first_) rebuild(day - std::chrono::days(31));
    while (first_ + std::chrono::days(counts_.size()) <= day) {
      auto next = first_ + std::chrono::days(counts_.size());
      counts_.push_back(counts_.back() + (calendar_.is_working_day(domain::Date(next)) ? 1 : 0));
    }
    return counts_[std::size_t((day - first_).count())];
  }

  void rebuild(std::chrono::sys_days first) {
    auto last = counts_.empty() ? first : first_ + std::chrono::days(counts_.size() - 1);
    counts_.clear();
    first_ = first;
    counts_.push_back(calendar_.is_working_day(domain::Date(first)) ? 1 : 0);
    while (first_ + std::chrono::days(counts_.size()) <= last) {
      auto next = first_ + std::chrono::days(counts_.size());
      counts_.push_back(counts_.back() + (calendar_.is_working_day(domain::Date(next)) ? 1 : 0));
    }
  }

  const domain::BusinessCalendar& calendar_;
  std::chrono::sys_days first_{};
  std::vector<int> counts_;
};

struct Durations {
  std::vector<double> days;
  std::vector<double> working_days;
};

void add_percentiles(std::vector<Cell>& row, Durations& d) {
  row.push_back(optional_number(percentile(d.days, 0.5)));
  row.push_back(optional_number(percentile(d.days, 0.9)));
  row.push_back(optional_number(percentile(d.working_days, 0.5)));
  row.push_back(optional_number(percentile(d.working_days, 0.9)));
}

void add_sla(std::vector<Cell>& row, const store::SlaCounts& c) {
  row.push_back(c.met + c.missed + c.pending);
  row.push_back(c.met);
  row.push_back(c.missed);
  row.push_back(c.pending);
  row.push_back(share(c.met, c.met + c.missed));
  row.push_back(c.escalations);
}

void accumulate(store::SlaCounts& into, const store::SlaCounts& add) {
  into.met += add.met;
  into.missed += add.missed;
  into.pending += add.pending;
  into.escalations += add.escalations;
}

json cell_json(const Cell& c) {
  return std::visit([](const auto& v) -> json { return json(v); }, c);
}

std::string csv_field(const Cell& c) {
  if (std::holds_alternative<std::nullptr_t>(c)) return "";
  if (const auto* text = std::get_if<std::string>(&c)) {
    // A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a
    // formula (OWASP "CSV injection"); a leading apostrophe makes it text. Category names,
    // assignees and causes come from people, so any of them could.
    std::string s = *text;
    if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos)
      s.insert(0, 1, '\'');
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) {
      if (ch == '"') out += '"';
      out += ch;
    }
    return out + "\"";
  }
  return cell_json(c).dump();  // numbers (only strings can hold invalid UTF-8 or a formula)
}

}  // namespace

std::string_view to_string(ReportKind kind) {
  switch (kind) {
    case ReportKind::kSummary:
      return "summary";
    case ReportKind::kAgeing:
      return "ageing";
    case ReportKind::kLeadTimes:
      return "lead-times";
    case ReportKind::kSla:
      return "sla";
    case ReportKind::kCauses:
      return "causes";
  }
  return "summary";
}

std::optional<ReportKind> parse_report_kind(std::string_view name) {
  for (auto kind : {ReportKind::kSummary, ReportKind::kAgeing, ReportKind::kLeadTimes,
                    ReportKind::kSla, ReportKind::kCauses})
    if (to_string(kind) == name) return kind;
  return std::nullopt;
}

const std::vector<std::string>& section_names(ReportKind kind) {
  static const std::map<ReportKind, std::vector<std::string>> names = {
      {ReportKind::kSummary, {"by_category_status", "feedback"}},
      {ReportKind::kAgeing, {"by_category"}},
      {ReportKind::kLeadTimes, {"by_category", "by_step"}},
      {ReportKind::kSla, {"by_category", "by_step", "by_assignee"}},
      {ReportKind::kCauses, {"by_category", "by_resolution", "top_words"}}};
  return names.at(kind);
}

const Table* Report::section(std::string_view name) const {
  for (const auto& t : sections)
    if (t.name == name) return &t;
  return nullptr;
}

std::optional<double> percentile(std::vector<double>& values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * double(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

Reporter::Reporter(store::Database& db, const workflow::Definitions& definitions,
                   const domain::Clock& clock)
    : db_(db), defs_(definitions), clock_(clock) {}

domain::Result<Report> Reporter::run(ReportKind kind, const ReportQuery& query) {
  if (query.category && !defs_.category(*query.category))
    return Error::invalid(
        "unknown category", "category",
        "'" + *query.category + "' is not one of " + domain::join_keys(defs_.categories));
  if (query.from && query.to &&
      std::chrono::sys_days(*query.from) > std::chrono::sys_days(*query.to))
    return Error::invalid("the period ends before it starts", "to", "must not be before 'from'");
  try {
    store::ReadTransaction snapshot(db_);
    switch (kind) {
      case ReportKind::kSummary:
        return summary(query);
      case ReportKind::kAgeing:
        return ageing(query);
      case ReportKind::kLeadTimes:
        return lead_times(query);
      case ReportKind::kSla:
        return sla(query);
      case ReportKind::kCauses:
        return causes(query);
    }
    return Error::internal("unknown report");
  } catch (const std::exception& e) {
    return Error::internal(std::string("report failed: ") + e.what());
  }
}

namespace {

// The period as instants: from the start of `from` to the start of the day after `to`, in the
// business calendar's time zone.
store::ReportScope scope_of(const ReportQuery& q, const domain::BusinessCalendar& calendar) {
  store::ReportScope s;
  if (q.from) s.from = calendar.at_local(*q.from, std::chrono::minutes(0));
  if (q.to) s.to = calendar.at_local(domain::add_days(*q.to, 1), std::chrono::minutes(0));
  s.category = q.category;
  return s;
}

Report start(ReportKind kind, const ReportQuery& q, Instant now,
             const domain::BusinessCalendar& calendar) {
  Report r;
  r.kind = kind;
  r.generated_at = now;
  r.time_zone = calendar.time_zone();
  r.query = q;
  return r;
}

}  // namespace

Report Reporter::summary(const ReportQuery& q) {
  Report r = start(ReportKind::kSummary, q, clock_.now(), defs_.calendar);
  store::ReportStore store(db_);
  Table t{
      "by_category_status", {"category", "status", "currency", "disputes", "disputed_amount"}, {}};
  for (const auto& row : store.counts_by_category_status(scope_of(q, defs_.calendar)))
    t.rows.push_back(
        {row.category, row.status, row.currency, row.disputes, row.amount.to_string()});
  r.sections.push_back(std::move(t));
  // What customers said of how their dispute was handled (the feedback request's score links).
  Table f{"feedback",
          {"category", "responses", "average_score", "score_1", "score_2", "score_3", "score_4",
           "score_5"},
          {}};
  for (const auto& row : store.feedback_by_category(scope_of(q, defs_.calendar))) {
    std::vector<Cell> cells;
    cells.emplace_back(std::in_place_type<std::string>, row.category);
    cells.emplace_back(row.responses);
    cells.emplace_back(double(row.score_sum) / double(row.responses));
    for (auto n : row.by_score) cells.emplace_back(n);
    f.rows.push_back(std::move(cells));
  }
  r.sections.push_back(std::move(f));
  return r;
}

Report Reporter::ageing(const ReportQuery& q) {
  Instant now = clock_.now();
  Report r = start(ReportKind::kAgeing, q, now, defs_.calendar);
  store::ReportStore store(db_);
  // Every bucket of every (category, currency) that has open disputes, so the table reads as a
  // grid even where a bucket is empty.
  std::map<std::pair<std::string, std::string>, std::array<store::AgeingCount, 5>> grid;
  for (const auto& row : store.ageing(scope_of(q, defs_.calendar), now))
    grid[{row.category, row.currency}][std::size_t(row.bucket)] = row;
  Table t{"by_category", {"category", "currency", "bucket", "disputes", "disputed_amount"}, {}};
  for (const auto& [key, buckets] : grid)
    for (std::size_t b = 0; b < buckets.size(); ++b)
      t.rows.push_back({key.first, key.second, std::string(kBuckets[b]), buckets[b].disputes,
                        buckets[b].amount.to_string()});
  r.sections.push_back(std::move(t));
  return r;
}

Report Reporter::lead_times(const ReportQuery& q) {
  Report r = start(ReportKind::kLeadTimes, q, clock_.now(), defs_.calendar);
  store::ReportStore store(db_);
  auto scope = scope_of(q, defs_.calendar);
  WorkingDayCounter working_days(defs_.calendar);

  std::map<std::string, Durations> by_category;
  for (const auto& d : store.ended_disputes(scope)) {
    auto& durations = by_category[d.category];
    durations.days.push_back(double((d.resolved_at - d.opened_at).count()) / kSecondsPerDay);
    durations.working_days.push_back(working_days.between(d.opened_at, d.resolved_at));
  }
  Table categories{"by_category",
                   {"category", "sla_working_days", "resolved", "median_days", "p90_days",
                    "median_working_days", "p90_working_days"},
                   {}};
  for (auto& [category, durations] : by_category) {
    const auto* def = defs_.category(category);
    std::vector<Cell> row = {
        category, def ? Cell(std::int64_t(def->max_resolution_working_days)) : Cell(nullptr),
        std::int64_t(durations.days.size())};
    add_percentiles(row, durations);
    categories.rows.push_back(std::move(row));
  }

  std::map<std::pair<std::string, std::string>, Durations> by_step;
  for (const auto& s : store.completed_steps(scope, store.dispute_categories(q.category))) {
    auto& durations = by_step[{s.category, s.step}];
    durations.days.push_back(double((s.completed_at - s.assigned_at).count()) / kSecondsPerDay);
    durations.working_days.push_back(working_days.between(s.assigned_at, s.completed_at));
  }
  Table steps{"by_step",
              {"category", "step", "completed", "median_days", "p90_days", "median_working_days",
               "p90_working_days"},
              {}};
  for (auto& [key, durations] : by_step) {
    std::vector<Cell> row = {key.first, key.second, std::int64_t(durations.days.size())};
    add_percentiles(row, durations);
    steps.rows.push_back(std::move(row));
  }
  r.sections.push_back(std::move(categories));
  r.sections.push_back(std::move(steps));
  return r;
}

Report Reporter::sla(const ReportQuery& q) {
  Instant now = clock_.now();
  Report r = start(ReportKind::kSla, q, now, defs_.calendar);
  store::ReportStore store(db_);
  auto scope = scope_of(q, defs_.calendar);

  std::map<std::string, store::SlaCounts> categories;
  for (const auto& row : store.dispute_sla(scope, now)) categories[row.category] = row.counts;
  std::map<std::pair<std::string, std::string>, store::SlaCounts> steps;
  std::map<std::string, store::SlaCounts> assignees;
  for (const auto& row : store.step_sla(scope, now, store.dispute_categories(q.category))) {
    accumulate(steps[{row.category, row.step}], row.counts);
    accumulate(assignees[row.assignee], row.counts);
    // A category's escalations are those of its steps that fell due in the period.
    categories[row.category].escalations += row.counts.escalations;
  }

  Table by_category{"by_category",
                    {"category", "sla_working_days", "due", "met", "missed", "pending",
                     "compliance", "escalations"},
                    {}};
  for (const auto& [category, counts] : categories) {
    const auto* def = defs_.category(category);
    std::vector<Cell> row = {
        category, def ? Cell(std::int64_t(def->max_resolution_working_days)) : Cell(nullptr)};
    add_sla(row, counts);
    by_category.rows.push_back(std::move(row));
  }
  Table by_step{
      "by_step",
      {"category", "step", "due", "met", "missed", "pending", "compliance", "escalations"},
      {}};
  for (const auto& [key, counts] : steps) {
    std::vector<Cell> row = {key.first, key.second};
    add_sla(row, counts);
    by_step.rows.push_back(std::move(row));
  }
  Table by_assignee{"by_assignee",
                    {"assignee", "due", "met", "missed", "pending", "compliance", "escalations"},
                    {}};
  for (const auto& [assignee, counts] : assignees) {
    std::vector<Cell> row = {assignee};
    add_sla(row, counts);
    by_assignee.rows.push_back(std::move(row));
  }
  r.sections.push_back(std::move(by_category));
  r.sections.push_back(std::move(by_step));
  r.sections.push_back(std::move(by_assignee));
  return r;
}

Report Reporter::causes(const ReportQuery& q) {
  Report r = start(ReportKind::kCauses, q, clock_.now(), defs_.calendar);
  store::ReportStore store(db_);
  auto scope = scope_of(q, defs_.calendar);

  auto categories = store.counts_by_category(scope);
  std::int64_t total = 0;
  for (const auto& c : categories) total += c.disputes;
  Table by_category{"by_category", {"category", "disputes", "share"}, {}};
  for (const auto& c : categories)
    by_category.rows.push_back({c.category, c.disputes, share(c.disputes, total)});

  auto resolutions = store.counts_by_resolution(scope);
  std::map<std::string, std::int64_t> ended;
  for (const auto& c : resolutions) ended[c.category] += c.disputes;
  Table by_resolution{"by_resolution", {"category", "resolution", "disputes", "share"}, {}};
  for (const auto& c : resolutions)
    by_resolution.rows.push_back(
        {c.category, c.resolution, c.disputes, share(c.disputes, ended[c.category])});

  // A word counts once per dispute, so one long complaint cannot dominate. Tokenised in place
  // (for_each_word): 100,000 descriptions must stay well inside the report's time budget.
  std::unordered_map<std::string, std::int64_t> word_counts;
  std::vector<std::string> seen;  // this description's words so far (few: a linear search)
  store.for_each_description(scope, [&](std::string_view description) {
    seen.clear();
    workflow::for_each_word(description, [&](std::string_view w) {
      if (!counts_as_word(w) || std::find(seen.begin(), seen.end(), w) != seen.end()) return;
      seen.emplace_back(w);
      auto it = word_counts.find(seen.back());
      if (it == word_counts.end())
        word_counts.emplace(seen.back(), 1);
      else
        ++it->second;
    });
  });
  std::vector<std::pair<std::string, std::int64_t>> words(word_counts.begin(), word_counts.end());
  std::sort(words.begin(), words.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (words.size() > 20) words.resize(20);
  Table top_words{"top_words", {"word", "disputes"}, {}};
  for (auto& [word, count] : words) top_words.rows.push_back({word, count});

  r.sections.push_back(std::move(by_category));
  r.sections.push_back(std::move(by_resolution));
  r.sections.push_back(std::move(top_words));
  return r;
}

json to_json(const Report& report) {
  auto date_or_null = [](const std::optional<domain::Date>& d) {
    return d ? json(domain::format_date(*d)) : json(nullptr);
  };
  json sections = json::object();
  for (const auto& t : report.sections) {
    json rows = json::array();
    for (const auto& row : t.rows) {
      json obj = json::object();
      for (std::size_t i = 0; i < t.columns.size() && i < row.size(); ++i)
        obj[t.columns[i]] = cell_json(row[i]);
      rows.push_back(std::move(obj));
    }
    sections[t.name] = std::move(rows);
  }
  return {{"report", std::string(to_string(report.kind))},
          {"generated_at", domain::format_instant(report.generated_at)},
          {"time_zone", report.time_zone},
          {"filters",
           {{"from", date_or_null(report.query.from)},
            {"to", date_or_null(report.query.to)},
            {"category", report.query.category ? json(*report.query.category) : json(nullptr)}}},
          {"sections", std::move(sections)}};
}

std::string to_csv(const Table& table) {
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i)
    out += (i ? "," : "") + csv_field(table.columns[i]);
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_field(row[i]);
    out += "\r\n";
  }
  return out;
}

}  // namespace disputed::reporting
