#include "core/engine/dispute_service.hpp"

#include "core/engine/promise_watch.hpp"

#include "core/store/sqlite.hpp"

namespace disputed::engine {

using domain::DisputeStatus;
using domain::Error;
using domain::Resolution;

DisputeService::DisputeService(store::Database& db, const workflow::Definitions& definitions,
                               const domain::Clock& clock)
    : ctx_(db, definitions, clock),
      outbox_(ctx_.store(), definitions),
      holds_(ctx_),
      steps_(ctx_, outbox_),
      digests_(ctx_, outbox_),
      resolution_(ctx_, steps_, holds_, outbox_),
      registration_(ctx_, steps_, holds_, outbox_),
      queries_(ctx_) {}

template <class T, class F>
Result<T> DisputeService::in_transaction(F&& command) {
  try {
    store::Transaction tx(ctx_.store().db());
    Result<T> result = command();
    if (result.ok()) tx.commit();
    return result;
  } catch (const store::SqliteError& e) {
    return Error::internal(std::string("storage error: ") + e.what());
  } catch (const std::exception& e) {
    // A corrupt snapshot or row: the transaction rolled back; report instead of crashing.
    return Error::internal(e.what());
  }
}

Result<DisputeView> DisputeService::view_of(Result<store::DisputeRecord> dispute) {
  if (!dispute) return dispute.error();
  return ctx_.view(dispute.value());
}

void DisputeService::batch(const std::function<void()>& body) {
  store::Transaction tx(ctx_.store().db());
  body();
  tx.commit();
}

// ---------------------------------------------------------------- commands

Result<ImportReport> DisputeService::import_invoices(const ParsedInvoices& parsed,
                                                     const std::string& actor) {
  (void)actor;
  return in_transaction<ImportReport>(
      [&]() -> Result<ImportReport> { return registration_.import_invoices(parsed); });
}

Result<DisputeView> DisputeService::open_dispute(const OpenDisputeRequest& request) {
  return in_transaction<DisputeView>(
      [&]() -> Result<DisputeView> { return view_of(registration_.open(request)); });
}

Result<DisputeView> DisputeService::complete_step(const CompleteStepRequest& request) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    auto done = steps_.complete(request);
    if (!done) return done.error();
    if (const auto* end = done->end) {
      auto status = end->resolution == Resolution::kWithdrawn ? DisputeStatus::kWithdrawn
                                                              : DisputeStatus::kResolved;
      resolution_.finish(done->dispute, status, end->resolution, end->note, done->at,
                         request.actor);
    }
    DisputeView v = ctx_.view(done->dispute);
    v.already_applied = done->already_applied;
    return v;
  });
}

Result<DisputeView> DisputeService::resolve(const std::string& dispute, Resolution resolution,
                                            const std::string& note, const std::string& actor) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    return view_of(resolution_.resolve(dispute, resolution, note, actor));
  });
}

Result<DisputeView> DisputeService::withdraw(const std::string& dispute, const std::string& note,
                                             const std::string& actor) {
  return in_transaction<DisputeView>(
      [&]() -> Result<DisputeView> { return view_of(resolution_.withdraw(dispute, note, actor)); });
}

Result<DisputeView> DisputeService::reopen(const std::string& dispute, const std::string& reason,
                                           const std::optional<std::string>& from_step,
                                           const std::string& actor) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    return view_of(resolution_.reopen(dispute, reason, from_step, actor));
  });
}

Result<DisputeView> DisputeService::close(const std::string& dispute, const std::string& actor) {
  return in_transaction<DisputeView>(
      [&]() -> Result<DisputeView> { return view_of(resolution_.close(dispute, actor)); });
}

Result<store::DossierEntry> DisputeService::add_note(const NoteRequest& req) {
  return in_transaction<store::DossierEntry>([&]() -> Result<store::DossierEntry> {
    auto d = ctx_.find(req.dispute);
    if (!d) return Error::not_found("dispute " + req.dispute + " not found");
    if (req.summary.empty()) return Error::invalid("a note needs a text", "summary", "is required");
    if (req.actor.empty()) return Error::invalid("a note needs an author", "actor", "is required");
    return ctx_.record(*d, ctx_.clock().now(), req.actor, req.channel ? "contact" : "note",
                       req.summary, "{}", req.direction,
                       req.channel ? std::string(to_string(*req.channel)) : "");
  });
}

Result<store::DossierEntry> DisputeService::add_task_entry(
    const std::string& task_key, const std::string& actor, const std::string& kind,
    const std::string& summary, const std::string& payload_json, domain::Direction direction,
    const std::string& channel) {
  return in_transaction<store::DossierEntry>([&]() -> Result<store::DossierEntry> {
    auto step = ctx_.store().find_step_by_task_key(task_key);
    if (!step) return Error::not_found("no step has task key " + task_key);
    auto d = ctx_.store().find_dispute(step->dispute_id);
    return ctx_.record(*d, ctx_.clock().now(), actor, kind, summary, payload_json, direction,
                       channel);
  });
}

Result<TickReport> DisputeService::tick() {
  return in_transaction<TickReport>([&]() -> Result<TickReport> {
    TickReport report = steps_.tick();
    report.digests = digests_.tick(ctx_.clock().now());
    report.promises = PromiseWatch(ctx_, outbox_).tick(ctx_.clock().now());
    return report;
  });
}

// ---------------------------------------------------------------- queries

Result<DisputeView> DisputeService::show(const std::string& dispute, bool with_timeline) {
  return queries_.show(dispute, with_timeline);
}

std::vector<store::DisputeRecord> DisputeService::list(const store::DisputeFilter& filter) {
  return queries_.list(filter);
}

std::int64_t DisputeService::count(const store::DisputeFilter& filter) {
  return queries_.count(filter);
}

std::vector<store::InvoiceMatch> DisputeService::search_invoices(const std::string& text,
                                                                 int limit) {
  return queries_.search_invoices(text, limit);
}

std::vector<Task> DisputeService::tasks(const std::string& assignee) {
  return queries_.tasks(assignee);
}

std::vector<std::string> DisputeService::outcomes_of(const store::DisputeRecord& dispute,
                                                     const std::string& step_key) {
  return queries_.outcomes_of(dispute, step_key);
}

Result<InvoiceState> DisputeService::invoice_state(const std::string& number) {
  return queries_.invoice_state(number);
}

std::vector<store::CollectionEvent> DisputeService::events(std::int64_t after_seq, int limit) {
  return queries_.events(after_seq, limit);
}

}  // namespace disputed::engine
