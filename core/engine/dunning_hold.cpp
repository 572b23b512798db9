#include "core/engine/dunning_hold.hpp"

#include <nlohmann/json.hpp>

namespace disputed::engine {

using domain::DisputeStatus;
using domain::Instant;
using nlohmann::json;

namespace {
std::string str(std::string_view v) { return std::string(v); }
}  // namespace

void DunningHold::place(const store::DisputeRecord& d, Instant now, const std::string& actor) {
  auto& store = ctx_.store();
  for (const auto& di : d.invoices) {
    bool already = !store.active_holds_of_invoice(di.invoice_number).empty();
    store::HoldRecord h;
    h.invoice_number = di.invoice_number;
    h.dispute_id = d.id;
    h.placed_at = now;
    store.insert_hold(h);
    store::CollectionEvent e;
    e.at = now;
    e.kind = "hold_placed";
    e.invoice_number = di.invoice_number;
    e.dispute_ref = d.ref;
    e.payload_json =
        json{{"already_on_hold", already}, {"disputed_amount", di.disputed_amount.to_string()}}
            .dump();
    store.append_collection_event(e);
    ctx_.record(d, now, actor, "hold_placed",
                "Dunning of invoice " + di.invoice_number + " paused" +
                    (already ? " (already on hold for another dispute)" : ""),
                json{{"invoice", di.invoice_number}, {"hold_id", h.id}}.dump());
  }
}

void DunningHold::release(const store::DisputeRecord& d, domain::Resolution resolution, Instant now,
                          const std::string& actor) {
  auto& store = ctx_.store();
  const auto& calendar = ctx_.defs().calendar;
  const auto& policy = ctx_.defs().dunning.for_resolution(resolution);
  domain::Date release_day = calendar.local_date(now);
  domain::Date due = domain::add_days(release_day, policy.days_after_release);
  if (policy.roll_to_working_day) due = calendar.add_working_days(due, 0);
  std::string reason =
      "dispute " + str(to_string(d.status)) + " (" + str(to_string(resolution)) + ")";

  for (const auto& h : store.active_holds_of_dispute(d.id)) {
    bool last = store.active_holds_of_invoice(h.invoice_number).size() == 1;
    std::optional<domain::Date> new_due = last ? std::optional(due) : std::nullopt;
    store.release_hold(h.id, now, reason, new_due);
    store::CollectionEvent info;
    info.at = now;
    info.kind = d.status == DisputeStatus::kWithdrawn ? "dispute_withdrawn" : "dispute_resolved";
    info.invoice_number = h.invoice_number;
    info.dispute_ref = d.ref;
    info.payload_json =
        json{{"resolution", str(to_string(resolution))}, {"still_on_hold", !last}}.dump();
    store.append_collection_event(info);
    if (last) {
      store.set_invoice_due_date(h.invoice_number, due, now);
      store::CollectionEvent e;
      e.at = now;
      e.kind = "hold_released";
      e.invoice_number = h.invoice_number;
      e.dispute_ref = d.ref;
      e.due_date = due;
      e.payload_json = json{{"resolution", str(to_string(resolution))},
                            {"days_after_release", policy.days_after_release}}
                           .dump();
      store.append_collection_event(e);
      ctx_.record(d, now, actor, "hold_released",
                  "Dunning of invoice " + h.invoice_number + " resumes; new due date " +
                      domain::format_date(due),
                  json{{"invoice", h.invoice_number},
                       {"hold_id", h.id},
                       {"new_due_date", domain::format_date(due)},
                       {"policy",
                        {{"resolution", str(to_string(resolution))},
                         {"days_after_release", policy.days_after_release},
                         {"roll_to_working_day", policy.roll_to_working_day}}}}
                      .dump());
    } else {
      ctx_.record(
          d, now, actor, "hold_released",
          "Hold of this dispute on invoice " + h.invoice_number +
              " released; the invoice stays on hold for another open dispute",
          json{{"invoice", h.invoice_number}, {"hold_id", h.id}, {"still_on_hold", true}}.dump());
    }
  }
}

}  // namespace disputed::engine
