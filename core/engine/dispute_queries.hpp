#pragma once
// What the engine answers without changing anything: a dispute (with its timeline), lists with
// filters, a person's to-do list, an invoice's collection state and the collection feed.

#include <string>
#include <vector>

#include "core/engine/engine_context.hpp"

namespace disputed::engine {

class DisputeQueries {
 public:
  explicit DisputeQueries(EngineContext& context) : ctx_(context) {}

  Result<DisputeView> show(const std::string& dispute, bool with_timeline);
  std::vector<store::DisputeRecord> list(const store::DisputeFilter& filter);
  std::int64_t count(const store::DisputeFilter& filter);
  std::vector<store::InvoiceMatch> search_invoices(const std::string& text, int limit);
  std::vector<Task> tasks(const std::string& assignee);
  Result<InvoiceState> invoice_state(const std::string& number);
  std::vector<std::string> outcomes_of(const store::DisputeRecord& dispute,
                                       const std::string& step_key);
  std::vector<store::CollectionEvent> events(std::int64_t after_seq, int limit);

 private:
  EngineContext& ctx_;
};

}  // namespace disputed::engine
