// JSON text from outside (request bodies, config files, vendor answers, JWKS): the depth scan
// (domain::json_too_deep_at) and the parser (config::try_parse_json_text) never crash, never
// throw, agree with each other about depth, and what parses dumps without throwing.
#include <nlohmann/json.hpp>

#include "core/config/json_file.hpp"
#include "core/domain/json_nesting.hpp"
#include "fuzz/fuzz_support.hpp"

using disputed::fuzz::fail;

namespace {

int depth_of(const nlohmann::json& value) {
  if (!value.is_structured()) return 0;
  int deepest = 0;
  for (const auto& child : value) deepest = std::max(deepest, depth_of(child));
  return deepest + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = disputed::fuzz::text_of(data, size);
  auto too_deep = disputed::domain::json_too_deep_at(text);
  if (too_deep && *too_deep >= text.size()) fail("depth offset past the end");
  // A small limit too, so that short inputs reach the refusal.
  disputed::domain::json_too_deep_at(text, 3);
  try {
    auto parsed = disputed::config::try_parse_json_text(text);
    if (parsed.ok()) {
      if (too_deep) fail("a document deeper than the limit was parsed");
      if (depth_of(parsed.value()) > disputed::domain::kMaxJsonDepth) fail("depth scan missed");
      std::string dumped = disputed::config::dump_json(parsed.value());
      auto again = disputed::config::try_parse_json_text(dumped);
      if (!again.ok()) fail("a dumped document does not parse: " + again.error().message);
    } else if (parsed.error().message.empty()) {
      fail("a refusal without a message");
    }
  } catch (const std::exception& e) {
    fail(std::string("try_parse_json_text or dump_json threw: ") + e.what());
  }
  return 0;
}
