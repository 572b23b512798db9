#pragma once
// The composer: turns a message row of the outbox (the facts the engine wrote in the command's
// transaction) into the message a transport sends (kit::MessagePayload): the template of its
// kind in the reader's language, dates and amounts written for that language, signed one-click
// links, and the headers that make mail behave (docs/messaging.md):
//
// - Message-ID derived from the row's idempotency key, Date from when the row was written: a
//   retry composes the same message;
// - threading: a customer's messages reference the dispute's first confirmation, an
//   action-taker's reminders and escalation the task mail of that step;
// - Reply-To a plus address with the dispute's reference (disputes+DSP-000042@...), so a reply
//   can be routed back to the dossier;
// - Auto-Submitted: auto-generated and X-Auto-Response-Suppress: All on every message;
//   List-Unsubscribe with one-click POST (RFC 8058) on optional mail (feedback requests, customer
//   updates, management information and digests).
//
// Pure: no I/O, no clock (the row carries its time). Thread-safe after construction.

#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/domain/calendar.hpp"
#include "core/domain/result.hpp"
#include "core/messaging/links.hpp"
#include "core/messaging/templates.hpp"
#include "disputed/sdk/kit/message_contract.hpp"

namespace disputed::messaging {

struct ComposerSettings {
  std::string from_address;
  std::string from_name;
  std::string envelope_from;      ///< empty: from_address
  std::string reply_to;           ///< may hold "{dispute}"; empty: no Reply-To
  std::string message_id_domain;  ///< right side of Message-IDs
  std::string public_url;         ///< links and dispute pages; empty: messages without links
  int link_valid_days = 14;
  int feedback_valid_days = 30;
  std::string staff_language = "en";  ///< when a row names no language
};

/// What the composer needs of an outbox row.
struct MessageRow {
  std::string action_key;  ///< the idempotency key
  std::string task_key;    ///< the step's task key, or the dispute's reference
  domain::Instant created_at{};
  std::string payload_json;  ///< the facts (docs/messaging.md, "What the engine writes")
};

/// A composed message and what the dossier says about it.
struct Composition {
  sdk::kit::MessagePayload message;
  std::string kind;
  std::string language;
};

class Composer {
 public:
  /// `links` may be null (no keys configured: messages carry no one-click links). `calendar`
  /// outlives the composer.
  Composer(ComposerSettings settings, std::shared_ptr<const TemplateSet> templates,
           std::shared_ptr<const LinkSigner> links, const domain::BusinessCalendar& calendar);

  /// The message for `row`; an error (invalid argument) when its facts cannot make one — a
  /// recipient that is not an address, an unknown kind, a language without templates.
  domain::Result<Composition> compose(const MessageRow& row) const;

  /// The template data for `kind` built from sample facts: what TemplateSet::load checks every
  /// template against (the placeholders a template may use), plus "link_page".
  static SampleData samples();

  const TemplateSet& templates() const { return *templates_; }
  /// nullptr when no link keys are configured.
  const LinkSigner* links() const { return links_.get(); }
  const ComposerSettings& settings() const { return settings_; }
  /// `<public_url>/a/<token>`, empty without a public URL.
  std::string link_url(const std::string& token) const;

 private:
  ComposerSettings settings_;
  std::shared_ptr<const TemplateSet> templates_;
  std::shared_ptr<const LinkSigner> links_;
  const domain::BusinessCalendar& calendar_;
};

}  // namespace disputed::messaging
