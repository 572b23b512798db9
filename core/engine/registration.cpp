#include "core/engine/registration.hpp"

#include "core/engine/promise_watch.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/domain/text.hpp"

namespace disputed::engine {

using domain::Decimal;
using domain::Direction;
using domain::DisputeStatus;
using domain::Error;
using domain::Instant;
using nlohmann::json;

namespace {

std::string str(std::string_view v) { return std::string(v); }

json invoices_json(const store::DisputeRecord& d) {
  json out = json::array();
  for (const auto& i : d.invoices)
    out.push_back(
        {{"number", i.invoice_number}, {"disputed_amount", i.disputed_amount.to_string()}});
  return out;
}

}  // namespace

namespace {
// What the active disputes claim on an invoice, together.
Decimal claimed_on(store::Store& store, const std::string& invoice) {
  Decimal claimed;
  for (const auto& dispute : store.disputes_for_invoice(invoice)) {
    if (!domain::holds_invoices(dispute.status)) continue;
    for (const auto& di : dispute.invoices)
      if (di.invoice_number == invoice)
        claimed = claimed.plus(di.disputed_amount).value_or(claimed);
  }
  return claimed;
}
}  // namespace

ImportReport Registration::import_invoices(const ParsedInvoices& parsed) {
  auto& store = ctx_.store();
  ImportReport report;
  report.rejected = parsed.rejected;
  Instant now = ctx_.clock().now();
  for (const auto& row : parsed.rows) {
    auto existing = store.find_invoice(row.invoice.number);
    if (!existing) {
      store.upsert_invoice(row.invoice, now);
      ++report.created;
      continue;
    }
    bool disputed = !store.active_holds_of_invoice(row.invoice.number).empty();
    // An invoice under dispute keeps its currency and stays at least as large as what is
    // disputed.
    if (existing->invoice.currency != row.invoice.currency && disputed) {
      report.rejected.push_back({row.where,
                                 row.invoice.number,
                                 {{"currency", "cannot change from " + existing->invoice.currency +
                                                   " while the invoice is disputed"}}});
      continue;
    }
    // Nor may an integration shrink it below what is disputed, or hand it to another customer:
    // the dispute (and its hold) would then be about an amount or a customer the invoice no
    // longer has.
    if (disputed) {
      std::vector<domain::FieldProblem> problems;
      Decimal claimed = claimed_on(store, row.invoice.number);
      if (row.invoice.amount < claimed)
        problems.push_back({"amount", "cannot be lowered below the " + claimed.to_string() + " " +
                                          existing->invoice.currency + " under dispute (got " +
                                          row.invoice.amount.to_string() + ")"});
      if (row.invoice.customer.id != existing->invoice.customer.id)
        problems.push_back({"customer_id", "cannot change from " + existing->invoice.customer.id +
                                               " while the invoice is disputed"});
      if (!problems.empty()) {
        report.rejected.push_back({row.where, row.invoice.number, std::move(problems)});
        continue;
      }
    }
    // Keep the due date the hold logic moved; import only corrects master data.
    domain::Invoice merged = row.invoice;
    if (disputed) merged.due_date = existing->invoice.due_date;
    store.upsert_invoice(merged, now);
    ++report.updated;
  }
  return report;
}

Result<store::DisputeRecord> Registration::open(const OpenDisputeRequest& req) {
  auto& store = ctx_.store();
  const auto& defs = ctx_.defs();
  Instant now = ctx_.clock().now();
  Error problems = Error::invalid("the dispute cannot be registered");
  if (req.invoices.empty())
    problems.details.push_back({"invoices", "at least one invoice is required"});
  if (req.description.empty()) problems.details.push_back({"description", "is required"});
  if (req.actor.empty())
    problems.details.push_back({"actor", "is required (who registers the dispute)"});
  if (!req.contact_email.empty() && !domain::looks_like_email(req.contact_email))
    problems.details.push_back(
        {"contact_email", "'" + req.contact_email + "' is not an e-mail address"});
  if (req.currency && !domain::is_currency_code(*req.currency))
    problems.details.push_back(
        {"currency", "'" + *req.currency + "' is not a three-letter ISO 4217 code"});

  const workflow::CategoryDef* category = nullptr;
  if (req.category) {
    category = defs.category(*req.category);
    if (!category) {
      problems.details.push_back({"category", "unknown category '" + *req.category + "' (known: " +
                                                  domain::join_keys(defs.categories) + ")"});
    }
  } else {
    category = &defs.suggest_category(req.description);
  }

  store::DisputeRecord d;
  std::set<std::string> seen;
  std::optional<store::InvoiceRecord> first;
  Decimal total;
  for (std::size_t i = 0; i < req.invoices.size(); ++i) {
    const auto& claim = req.invoices[i];
    std::string field = "invoices[" + std::to_string(i) + "]";
    if (!seen.insert(claim.number).second) {
      problems.details.push_back(
          {field + ".number", "invoice " + claim.number + " is listed twice"});
      continue;
    }
    auto inv = store.find_invoice(claim.number);
    if (!inv) {
      problems.details.push_back({field + ".number", "invoice " + claim.number + " not found"});
      continue;
    }
    if (!first) first = inv;
    if (inv->invoice.customer.id != first->invoice.customer.id)
      problems.details.push_back({field + ".number", "invoice " + claim.number +
                                                         " belongs to customer " +
                                                         inv->invoice.customer.id + ", not " +
                                                         first->invoice.customer.id});
    std::string currency = req.currency ? *req.currency : first->invoice.currency;
    if (inv->invoice.currency != currency)
      problems.details.push_back({field + ".currency", "invoice " + claim.number + " is in " +
                                                           inv->invoice.currency +
                                                           ", the dispute in " + currency});
    // What other active disputes already claim on this invoice.
    Decimal claimed = claimed_on(store, claim.number);
    Decimal remainder = inv->invoice.amount.minus(claimed).value_or(Decimal());
    Decimal amount = claim.amount ? *claim.amount : remainder;
    if (claim.amount && (claim.amount->is_negative() || claim.amount->is_zero())) {
      problems.details.push_back({field + ".amount", "must be greater than zero"});
      continue;
    }
    if (amount > remainder || amount.is_zero()) {
      problems.details.push_back(
          {field + ".amount", "disputed amount " + amount.to_string() +
                                  " exceeds what is still undisputed on " + claim.number + " (" +
                                  remainder.to_string() + " of " + inv->invoice.amount.to_string() +
                                  " " + inv->invoice.currency + ")"});
      continue;
    }
    d.invoices.push_back({claim.number, amount});
    total = total.plus(amount).value_or(total);
  }
  if (!problems.details.empty()) {
    bool only_missing =
        std::all_of(problems.details.begin(), problems.details.end(),
                    [](const auto& p) { return p.problem.find("not found") != std::string::npos; });
    if (only_missing) problems.code = domain::ErrorCode::kNotFound;
    return problems;
  }

  const workflow::WorkflowDef* wf = defs.workflow(category->workflow);
  const auto& snapshot = ctx_.snapshots().current(*wf);
  store.save_workflow_snapshot(snapshot.hash, wf->id, snapshot.definition, now);

  d.category = category->id;
  d.workflow_hash = snapshot.hash;
  d.status = DisputeStatus::kOpen;
  d.channel = req.channel;
  d.description = req.description;
  d.reported_by = req.actor;
  d.contact_name = req.contact_name;
  d.contact_email = req.contact_email;
  d.contact_phone = req.contact_phone;
  d.customer_id = first->invoice.customer.id;
  d.customer_name = first->invoice.customer.name;
  d.currency = first->invoice.currency;
  d.disputed_amount = total;
  d.opened_at = now;
  d.due_at = defs.calendar.deadline_after(now, category->max_resolution_working_days);
  d.updated_at = now;
  std::sort(d.invoices.begin(), d.invoices.end(),
            [](const auto& a, const auto& b) { return a.invoice_number < b.invoice_number; });
  store.insert_dispute(d);

  ctx_.record(d, now, req.actor, "registered",
              "Dispute registered via " + str(to_string(req.channel)) + " in category " +
                  category->id + (req.category ? "" : " (suggested from the description)") + ": " +
                  req.description,
              json{{"category", category->id},
                   {"category_suggested", !req.category},
                   {"workflow", wf->id},
                   {"workflow_hash", snapshot.hash},
                   {"disputed_amount", total.to_string()},
                   {"currency", d.currency},
                   {"invoices", invoices_json(d)},
                   {"due_at", domain::format_instant(d.due_at)},
                   {"contact",
                    {{"name", req.contact_name},
                     {"email", req.contact_email},
                     {"phone", req.contact_phone}}}}
                  .dump(),
              Direction::kInbound, str(to_string(req.channel)));
  holds_.place(d, now, req.actor);

  // The customer hears what to expect and when; management is informed, not asked to act.
  std::string to = !req.contact_email.empty() ? req.contact_email : first->invoice.customer.email;
  std::string expect_by = domain::format_date(defs.calendar.local_date(d.due_at));
  if (defs.notifications.confirm_customer) {
    if (!to.empty()) {
      ctx_.record(
          d, now, req.actor, "customer_confirmation",
          "Confirmation queued to " + to + ": dunning paused, resolution expected by " + expect_by,
          outbox_.confirmation(d, to, first->invoice.customer.language, category->name, expect_by,
                               now),
          Direction::kOutbound, "email");
    } else {
      ctx_.record(d, now, req.actor, "customer_confirmation_missing",
                  "No e-mail address for the customer: confirm by phone (resolution expected by " +
                      expect_by + ")",
                  "{}");
    }
  }
  for (std::size_t i = 0; i < defs.notifications.inform.size(); ++i) {
    domain::AssigneeKind kind;
    std::string who = ctx_.resolve_assignee(defs.notifications.inform[i], d, kind);
    outbox_.management_info(d, i + 1, who, kind, now);
  }

  PromiseWatch(ctx_, outbox_).schedule(d, now);
  steps_.open(d, *wf->step(wf->start), now, req.actor);
  return d;
}

}  // namespace disputed::engine
