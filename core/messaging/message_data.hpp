#pragma once
// The template data of each message kind, built from the facts the engine wrote (docs/messaging.md
// lists both). One function per audience; the same functions build the samples every template is
// checked against at start-up, so a template can only use what is really there. Internal to the
// messaging module.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/domain/calendar.hpp"
#include "core/messaging/composer.hpp"

namespace disputed::messaging::detail {

/// What building the data needs besides the facts.
struct DataContext {
  const Locale& locale;
  const ComposerSettings& settings;
  const LinkSigner* links;  ///< null: no one-click links
  const domain::BusinessCalendar& calendar;
  domain::Instant created_at;
  std::string action_key;
};

/// The data for `kind` (a template's vocabulary). Throws std::invalid_argument when the facts
/// lack what the kind needs (e.g. a step message without outcomes).
nlohmann::json message_data(const std::string& kind, const nlohmann::json& facts,
                            const DataContext& ctx);

/// Whether messages of `kind` are optional for their reader (List-Unsubscribe).
bool optional_kind(const std::string& kind);
/// Whether `kind` is for a customer (else for an action-taker or management).
bool customer_kind(const std::string& kind);

/// Sample facts of every kind, the shape TaskOutbox writes (for samples and tests).
nlohmann::json sample_facts(const std::string& kind);

/// `<public_url>/a/<token>` for a signed link; empty without keys or a public URL.
std::string signed_link(const DataContext& ctx, LinkClaims claims);

}  // namespace disputed::messaging::detail
