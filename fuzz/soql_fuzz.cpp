// The Salesforce sandbox's SOQL subset (plugins/salesforce/sandbox/soql.cpp): queries from the
// plugin under test, or anyone who can reach the sandbox, are parsed or refused with an error,
// never a crash; datetimes parse and print back to the same instant.
#include "fuzz/fuzz_support.hpp"
#include "plugins/salesforce/sandbox/soql.hpp"

using disputed::fuzz::fail;
namespace sf = disputed::sandbox::salesforce;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(disputed::fuzz::text_of(data, size));
  try {
    std::string error;
    auto query = sf::parse_soql(text, error);
    if (!query && error.empty()) fail("a refused query without an error");
    if (query && query->object.empty()) fail("a query without an object");
    if (auto millis = sf::parse_datetime_ms(text)) {
      auto again = sf::parse_datetime_ms(sf::format_datetime_ms(*millis));
      if (again != millis) fail("a datetime does not print back to itself: " + text);
    }
  } catch (const std::exception& e) {
    fail(std::string("the SOQL parser threw: ") + e.what());
  }
  return 0;
}
