#pragma once
// The pages behind the one-click links in mail (docs/messaging.md): `GET /a/<token>` verifies the
// link and shows what it would do — the dispute, the customer, the step, the choice, an optional
// comment and one confirm button in a plain form (no script: mail scanners follow links and run
// scripts, so a GET must never act) — and `POST /a/<token>` (the form, or a mail client's RFC 8058
// one-click unsubscribe) acts once through the engine's LinkActions on the one writer. A used,
// expired, changed, foreign (another installation's key, or a reassigned step) or closed link
// gets its own page in the reader's language with a fitting status, never a stack trace.

#include <functional>
#include <memory>
#include <string>

#include "core/api/http_types.hpp"
#include "core/domain/calendar.hpp"
#include "core/engine/command_writer.hpp"
#include "core/engine/reader_pool.hpp"
#include "core/messaging/links.hpp"
#include "core/messaging/templates.hpp"

namespace disputed::web {

/// What the link pages need from the configuration (messaging.link_keys, the templates).
struct LinkPageSettings {
  std::shared_ptr<const messaging::LinkSigner> signer;
  std::shared_ptr<const messaging::TemplateSet> templates;
  domain::BusinessCalendar calendar = domain::BusinessCalendar::weekdays();  // "recorded at"
};

/// The longest comment a link's form takes (characters), and the largest form body (bytes).
inline constexpr std::size_t kMaxLinkComment = 2000;
inline constexpr std::size_t kMaxLinkForm = 16 * 1024;

class ActionLinkPages {
 public:
  /// `clock` is the engine's (links expire in its time, like the messages that carry them).
  ActionLinkPages(engine::ReaderPool& readers, engine::CommandWriter& writer,
                  const domain::Clock& clock, LinkPageSettings settings,
                  std::function<void(const std::string&)> log);

  /// Whether `path` is a link's (/a/...).
  static bool handles(const std::string& path) { return path.rfind("/a/", 0) == 0; }
  /// Answers GET, HEAD and POST of /a/<token>. Never throws.
  api::HttpResponse handle(const api::HttpRequest& request);

 private:
  api::HttpResponse answer(const api::HttpRequest& request);

  engine::ReaderPool& readers_;
  engine::CommandWriter& writer_;
  const domain::Clock& clock_;
  LinkPageSettings settings_;
  std::function<void(const std::string&)> log_;
};

}  // namespace disputed::web
