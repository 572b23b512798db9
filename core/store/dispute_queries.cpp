// The store's searches: disputes by filter with keyset paging, their count, and invoices by
// number or customer (the register page's search as you type). Every value is a bound
// parameter; the SQL is built from fixed fragments only.

#include <string>

#include "core/store/row_readers.hpp"
#include "core/store/store.hpp"

namespace disputed::store {

namespace {

using detail::kDisputeColumns;
using domain::format_instant;

// `text` as a LIKE pattern that matches it anywhere, with LIKE's wildcards taken literally.
std::string contains_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::string prefix_pattern(const std::string& text) {
  std::string p = contains_pattern(text);
  return p.substr(1);
}

// The WHERE clause of a dispute filter (without the cursor), parameters ?2..?12.
std::string dispute_conditions(const DisputeFilter& f) {
  std::string sql;
  if (f.status) sql += " AND d.status = ?2";
  if (f.active_only) sql += " AND d.status IN ('open', 'in_progress')";
  if (f.category) sql += " AND d.category = ?3";
  if (f.customer_id) sql += " AND d.customer_id = ?4";
  if (f.invoice_number)
    sql +=
        " AND EXISTS (SELECT 1 FROM dispute_invoices di WHERE di.dispute_id = d.id AND "
        "di.invoice_number = ?5)";
  if (f.assignee)
    sql +=
        " AND EXISTS (SELECT 1 FROM steps st WHERE st.dispute_id = d.id AND st.status = 'open' "
        "AND st.assignee = ?6)";
  if (f.overdue_at)
    sql +=
        " AND EXISTS (SELECT 1 FROM steps st WHERE st.dispute_id = d.id AND st.status = 'open' "
        "AND st.deadline_at < ?7)";
  if (f.channel) sql += " AND d.channel = ?9";
  if (f.opened_from) sql += " AND d.opened_at >= ?10";
  if (f.opened_before) sql += " AND d.opened_at < ?11";
  if (f.text)
    sql +=
        " AND (d.ref LIKE ?12 ESCAPE '\\' OR d.customer_id LIKE ?12 ESCAPE '\\' OR "
        "d.customer_name LIKE ?12 ESCAPE '\\' OR d.description LIKE ?12 ESCAPE '\\')";
  return sql;
}

void bind_conditions(Statement& s, const DisputeFilter& f) {
  if (f.status) s.bind(2, std::string(to_string(*f.status)));
  if (f.category) s.bind(3, *f.category);
  if (f.customer_id) s.bind(4, *f.customer_id);
  if (f.invoice_number) s.bind(5, *f.invoice_number);
  if (f.assignee) s.bind(6, *f.assignee);
  if (f.overdue_at) s.bind(7, format_instant(*f.overdue_at));
  if (f.channel) s.bind(9, std::string(to_string(*f.channel)));
  if (f.opened_from) s.bind(10, format_instant(*f.opened_from));
  if (f.opened_before) s.bind(11, format_instant(*f.opened_before));
  if (f.text) s.bind(12, contains_pattern(*f.text));
}

}  // namespace

std::vector<DisputeRecord> Store::list_disputes(const DisputeFilter& f) {
  // Keyset paging on the primary key: a page costs the same at any depth.
  std::string sql = std::string("SELECT ") + kDisputeColumns + " FROM disputes d WHERE ";
  if (!f.newest_first)
    sql += "d.id > ?1";
  else
    sql += f.after_id > 0 ? "d.id < ?1" : "?1 = 0";
  sql += dispute_conditions(f);
  sql += f.newest_first ? " ORDER BY d.id DESC LIMIT ?8" : " ORDER BY d.id LIMIT ?8";
  Statement& s = db_.prepare_cached(sql);
  s.bind(1, f.after_id);
  bind_conditions(s, f);
  s.bind(8, f.limit);
  std::vector<DisputeRecord> out;
  while (s.step()) out.push_back(read_dispute(s));
  s.reset();
  for (auto& d : out) load_dispute_invoices(d);
  return out;
}

std::int64_t Store::count_disputes(const DisputeFilter& f) {
  Statement& s =
      db_.prepare_cached("SELECT COUNT(*) FROM disputes d WHERE 1" + dispute_conditions(f));
  bind_conditions(s, f);
  s.step();
  std::int64_t n = s.int64(0);
  s.reset();
  return n;
}

std::vector<DisputeRecord> Store::disputes_for_invoice(const std::string& number) {
  Statement& s =
      db_.prepare_cached(std::string("SELECT ") + kDisputeColumns +
                         " FROM disputes d JOIN dispute_invoices di ON di.dispute_id = d.id "
                         "WHERE di.invoice_number = ? ORDER BY d.id");
  s.bind(1, number);
  std::vector<DisputeRecord> out;
  while (s.step()) out.push_back(read_dispute(s));
  s.reset();
  for (auto& d : out) load_dispute_invoices(d);
  return out;
}

std::vector<InvoiceMatch> Store::search_invoices(const std::string& text, int limit) {
  // The number prefix uses the primary key; the customer match scans (fine at 100,000 invoices,
  // see docs/benchmarks.md).
  Statement& s = db_.prepare_cached(
      "SELECT number FROM invoices WHERE number LIKE ?1 ESCAPE '\\' OR customer_id LIKE ?2 "
      "ESCAPE '\\' OR customer_name LIKE ?2 ESCAPE '\\' ORDER BY number LIMIT ?3");
  s.bind(1, prefix_pattern(text)).bind(2, contains_pattern(text)).bind(3, limit);
  std::vector<std::string> numbers;
  while (s.step()) numbers.push_back(s.text(0));
  s.reset();
  Statement& disputed = db_.prepare_cached(
      "SELECT COALESCE(SUM(di.disputed_units), 0), COUNT(*) FROM dispute_invoices di JOIN disputes "
      "d ON d.id = di.dispute_id WHERE di.invoice_number = ? AND d.status IN ('open', "
      "'in_progress')");
  std::vector<InvoiceMatch> out;
  for (const auto& number : numbers) {
    auto record = find_invoice(number);
    if (!record) continue;
    InvoiceMatch m;
    m.record = std::move(*record);
    disputed.bind(1, number);
    if (disputed.step()) {
      m.disputed_amount = Decimal::from_units(disputed.int64(0));
      m.active_disputes = int(disputed.int64(1));
    }
    disputed.reset();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace disputed::store
