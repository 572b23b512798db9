#pragma once
// The small pages behind one-click links (docs/messaging.md): what a GET shows — the dispute, the
// step, the chosen outcome or score, an optional comment and one confirm button (a plain form:
// no script submits it, because mail scanners run scripts) — and what every refusal shows: a link
// used already (with what was recorded), expired, not from this installation or changed, meant
// for someone else, or for a step that is no longer open. In the reader's language (the link's,
// else the browser's, else the default), from the language's link_page.html and its words.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/messaging/links.hpp"
#include "core/messaging/templates.hpp"

namespace disputed::messaging {

enum class PageState {
  kConfirm,  ///< a valid link: the form
  kDone,     ///< the POST acted
  kUsed,     ///< the link acted before (a second POST, or a GET afterwards)
  kExpired,  ///< past its expiry
  kInvalid,  ///< malformed, changed, or signed with a key this installation does not hold
  kForeign,  ///< valid, but meant for someone who no longer holds the step
  kClosed,   ///< the step or dispute is no longer open (completed elsewhere)
};

/// "confirm", "done", "used", "expired", "invalid", "foreign", "closed".
const char* to_string(PageState state) noexcept;

/// What a page says about the dispute and the link.
struct PageFacts {
  PageState state = PageState::kInvalid;
  std::optional<LinkClaims> claims;
  std::string customer;     ///< the dispute's customer
  std::string step;         ///< the step's title
  std::string recorded;     ///< for kUsed / kDone: what was recorded ("Approved", "score 4")
  std::string recorded_at;  ///< when, as people read it
  std::string form_action;  ///< the POST target (the link's own path)
};

/// The chosen value as people read it: the outcome's word, "Score 4 of 5", "I need more
/// information", "Stop these messages".
std::string choice_label(const LinkClaims& claims, const Locale& locale);

/// The page's template data (link_page.html's vocabulary).
nlohmann::json link_page_data(const PageFacts& facts, const Locale& locale);
/// link_page_data() of a confirm page with every field set, for the start-up check.
nlohmann::json link_page_sample();

}  // namespace disputed::messaging
