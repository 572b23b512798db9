// Invoice imports (disputed import, POST /invoices with text/csv): CSV and JSON exports from an
// ERP are parsed without crashing or throwing; a file either fails as a whole with a message or
// gives rows and rejections, each rejection naming where and why.
#include "core/engine/invoice_import.hpp"
#include "fuzz/fuzz_support.hpp"

using disputed::fuzz::fail;

namespace {

void check(const disputed::domain::Result<disputed::engine::ParsedInvoices>& parsed) {
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) fail("a refused file without a message");
    return;
  }
  for (const auto& row : parsed.value().rows)
    if (row.where.empty()) fail("an accepted row without its place");
  for (const auto& rejected : parsed.value().rejected)
    if (rejected.where.empty() || rejected.problems.empty())
      fail("a rejected row without its place or problem");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the format, so one corpus holds both.
  std::string_view text = disputed::fuzz::text_of(data + 1, size - 1);
  try {
    if (data[0] & 1)
      check(disputed::engine::parse_invoices_json(text));
    else
      check(disputed::engine::parse_invoices_csv(text));
  } catch (const std::exception& e) {
    fail(std::string("an invoice parser threw: ") + e.what());
  }
  return 0;
}
