// Amounts as they arrive in request bodies, CSV/JSON imports and vendor answers:
// domain::Decimal::parse must refuse or accept without crashing, and what it accepts must print
// and parse back to the same value; sums (DecimalTotal) and checked arithmetic never overflow
// silently.
#include <string>

#include "core/domain/decimal.hpp"
#include "fuzz/fuzz_support.hpp"

using disputed::domain::Decimal;
using disputed::domain::DecimalTotal;
using disputed::fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = disputed::fuzz::text_of(data, size);
  std::string problem;
  auto amount = Decimal::parse(text, &problem);
  if (!amount) {
    if (problem.empty()) fail("Decimal::parse refused without saying why");
  } else {
    for (int digits = 0; digits <= Decimal::kScale; ++digits) {
      std::string printed = amount->to_string(digits);
      auto again = Decimal::parse(printed);
      if (!again || *again != *amount) fail("round trip changed " + std::string(text));
    }
    auto doubled = amount->plus(*amount);
    if (doubled && doubled->minus(*amount) != amount) fail("plus/minus do not undo each other");
    DecimalTotal total;
    total.add(*amount);
    total.add(*amount);
    if (doubled && total.to_string() != doubled->to_string()) fail("DecimalTotal disagrees");
  }
  disputed::domain::is_currency_code(text);
  return 0;
}
