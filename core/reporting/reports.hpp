#pragma once
// Reports for credit controllers and management: what is open (summary, ageing), how long
// disputes and steps take (lead times), whether service levels are kept (SLA) and why
// customers dispute (causes). Each report is a few named tables, rendered as JSON or CSV.
// Definitions of every figure: docs/api/openapi.yaml (the report schemas) and docs/api.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/domain/result.hpp"
#include "core/domain/time.hpp"
#include "core/store/sqlite.hpp"
#include "core/workflow/definition.hpp"

namespace disputed::reporting {

enum class ReportKind { kSummary, kAgeing, kLeadTimes, kSla, kCauses };

/// "summary", "ageing", "lead-times", "sla", "causes".
std::string_view to_string(ReportKind kind);
std::optional<ReportKind> parse_report_kind(std::string_view name);
/// The tables a report has, in order (the first is the default CSV table).
const std::vector<std::string>& section_names(ReportKind kind);

/// Period (local dates of the business calendar, both inclusive) and category. The date each
/// report filters on is its own: opened (summary, ageing, causes), resolved or completed (lead
/// times), due (SLA).
struct ReportQuery {
  std::optional<domain::Date> from;
  std::optional<domain::Date> to;
  std::optional<std::string> category;
};

/// A table cell: null, text (amounts are decimal text), a whole number or a decimal number.
using Cell = std::variant<std::nullptr_t, std::string, std::int64_t, double>;

struct Table {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

struct Report {
  ReportKind kind = ReportKind::kSummary;
  domain::Instant generated_at;
  std::string time_zone;
  ReportQuery query;
  std::vector<Table> sections;

  /// The section called `name`, or nullptr.
  const Table* section(std::string_view name) const;
};

/// Runs reports on one connection (a reader's; nothing is written). Not thread-safe, like the
/// connection.
class Reporter {
 public:
  Reporter(store::Database& db, const workflow::Definitions& definitions,
           const domain::Clock& clock);

  /// Checks the query (known category, from <= to) and runs the report on one snapshot of the
  /// database. Invalid queries and storage failures are errors, not exceptions.
  domain::Result<Report> run(ReportKind kind, const ReportQuery& query);

 private:
  Report summary(const ReportQuery& query);
  Report ageing(const ReportQuery& query);
  Report lead_times(const ReportQuery& query);
  Report sla(const ReportQuery& query);
  Report causes(const ReportQuery& query);

  store::Database& db_;
  const workflow::Definitions& defs_;
  const domain::Clock& clock_;
};

/// {"report", "generated_at", "time_zone", "filters", "sections": {name: [row objects]}}.
nlohmann::json to_json(const Report& report);
/// RFC 4180 CSV of one table: a header line with the column names, CRLF line ends, null as an
/// empty field.
std::string to_csv(const Table& table);

/// Nearest-rank percentile (0 < p <= 1) of `values`, which it sorts; nullopt when empty.
std::optional<double> percentile(std::vector<double>& values, double p);

}  // namespace disputed::reporting
