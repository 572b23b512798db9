#pragma once
// Small text helpers: messages that list what is allowed ("known: price, quality"), and HTML
// escaping for everything that writes HTML (mail templates, the sign-in and link pages).

#include <string>
#include <string_view>
#include <vector>

namespace disputed::domain {

/// "a, b, c"; `empty` when there is nothing to list.
inline std::string join(const std::vector<std::string>& items, const std::string& empty = "none") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out.empty() ? empty : out;
}

/// The keys of a map, joined.
template <class Map>
std::string join_keys(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& entry : map) keys.push_back(entry.first);
  return join(keys);
}

/// `s` as HTML text or attribute value: & < > " ' escaped, the apostrophe as &#39; (&apos; is not
/// HTML 4, which old Outlook renders).
std::string html_escape(std::string_view s);

}  // namespace disputed::domain
