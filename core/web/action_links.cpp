#include "core/web/action_links.hpp"

#include "core/domain/utf8.hpp"
#include "core/engine/link_actions.hpp"
#include "core/messaging/link_pages.hpp"
#include "core/web/crypto.hpp"
#include "core/web/site.hpp"
#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::web {

namespace {

using messaging::LinkAction;
using messaging::LinkClaims;
using messaging::LinkProblem;
using messaging::PageState;
namespace kit = sdk::kit;

// What one answer shows.
struct Page {
  PageState state = PageState::kInvalid;
  int status = 400;
  std::optional<LinkClaims> claims;
  engine::LinkStatus engine;
  std::string message;  // replaces the state's message (a comment too long)
};

engine::LinkUse use_of(const LinkClaims& c) {
  return {c.jti, messaging::to_string(c.action), c.dispute, c.task_key, c.value, c.recipient};
}

std::optional<LinkAction> action_named(const std::string& name) {
  for (auto a : {LinkAction::kOutcome, LinkAction::kInformation, LinkAction::kFeedback,
                 LinkAction::kUnsubscribe})
    if (name == messaging::to_string(a)) return a;
  return std::nullopt;
}

void set_state(Page& page, engine::LinkState state) {
  switch (state) {
    case engine::LinkState::kConfirm:
      page.state = PageState::kConfirm;
      page.status = 200;
      return;
    case engine::LinkState::kDone:
      page.state = PageState::kDone;
      page.status = 200;
      return;
    case engine::LinkState::kUsed:  // the link is gone; the page says what it did
      page.state = PageState::kUsed;
      page.status = 410;
      return;
    case engine::LinkState::kForeign:
      page.state = PageState::kForeign;
      page.status = 403;
      return;
    case engine::LinkState::kClosed:
      page.state = PageState::kClosed;
      page.status = 409;
      return;
    case engine::LinkState::kInvalid:
      page.state = PageState::kInvalid;
      page.status = 400;
      return;
  }
}

// The reader's language: the link's, else the browser's first we have, else the default.
std::string language_for(const api::HttpRequest& request, const std::optional<LinkClaims>& claims,
                         const messaging::TemplateSet& templates) {
  if (claims && templates.has_language(claims->language)) return claims->language;
  const std::string& accept = request.header("accept-language");
  std::size_t at = 0;
  for (int i = 0; i < 16 && at < accept.size(); ++i) {
    std::size_t end = accept.find(',', at);
    std::string item = accept.substr(at, end == std::string::npos ? std::string::npos : end - at);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    std::string primary = kit::lower(item.substr(0, 2));
    if (templates.has_language(primary)) return primary;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return templates.default_language();
}

// The form's comment: application/x-www-form-urlencoded "comment=..."; any other field (an RFC
// 8058 client's "List-Unsubscribe=One-Click") is ignored.
std::string form_comment(const std::string& body) {
  std::size_t at = 0;
  while (at <= body.size()) {
    std::size_t end = body.find('&', at);
    std::string pair = body.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (pair.rfind("comment=", 0) == 0) return kit::percent_decode(pair.substr(8), true);
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return {};
}

std::size_t characters(const std::string& utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

// The page's own <style> is allowed by its hash, like the app's import map: no 'unsafe-inline'.
std::string policy_for(const std::string& html) {
  std::string csp = content_security_policy();
  auto open = html.find("<style>");
  auto close = html.find("</style>");
  if (open == std::string::npos || close == std::string::npos || close < open) return csp;
  std::string style = html.substr(open + 7, close - open - 7);
  auto raw = kit::base64url_decode(sha256_base64url(style));
  std::string hash = "'sha256-" + kit::base64_encode(raw.value_or("")) + "'";
  auto at = csp.find("style-src 'self'");
  if (at != std::string::npos) csp.insert(at + 16, " " + hash);
  return csp;
}

}  // namespace

ActionLinkPages::ActionLinkPages(engine::ReaderPool& readers, engine::CommandWriter& writer,
                                 const domain::Clock& clock, LinkPageSettings settings,
                                 std::function<void(const std::string&)> log)
    : readers_(readers),
      writer_(writer),
      clock_(clock),
      settings_(std::move(settings)),
      log_(std::move(log)) {}

api::HttpResponse ActionLinkPages::handle(const api::HttpRequest& request) {
  try {
    return answer(request);
  } catch (const std::exception& e) {
    if (log_) log_(std::string("one-click link: internal error: ") + e.what());
    api::HttpResponse r;
    r.status = 500;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "internal error\n";
    add_security_headers(r);
    return r;
  }
}

api::HttpResponse ActionLinkPages::answer(const api::HttpRequest& request) {
  const auto& templates = *settings_.templates;
  bool post = request.method == "POST";
  if (!post && request.method != "GET" && request.method != "HEAD") {
    api::HttpResponse r;
    r.status = 405;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "use GET or POST\n";
    r.headers.emplace_back("Allow", "GET, HEAD, POST");
    add_security_headers(r);
    return r;
  }
  Page page;
  std::string token = request.path.substr(3);
  // Bounded before anything reads it: a token longer than any we sign is not ours.
  messaging::VerifiedLink verified;
  if (token.size() <= messaging::kMaxLinkToken)
    verified = settings_.signer->verify(token, clock_.now().time_since_epoch().count());
  page.claims = verified.claims;
  std::string comment;
  bool comment_ok = true;
  if (post) {
    if (request.body_too_large || request.body.size() > kMaxLinkForm) {
      comment_ok = false;
    } else {
      comment = form_comment(request.body);
      comment_ok = domain::is_valid_utf8(comment) && characters(comment) <= kMaxLinkComment;
    }
  }
  switch (verified.problem) {
    case LinkProblem::kMalformed:
    case LinkProblem::kTampered:
    case LinkProblem::kUnknownKey:
      page.state = PageState::kInvalid;
      page.status = 400;
      if (log_)
        log_(std::string("one-click link refused: ") +
             (verified.problem == LinkProblem::kUnknownKey ? "signed with a key we do not hold"
              : verified.problem == LinkProblem::kTampered ? "signature does not match"
                                                           : "not a link of ours"));
      break;
    case LinkProblem::kExpired:
      page.state = PageState::kExpired;
      page.status = 410;
      break;
    case LinkProblem::kNone: {
      engine::LinkUse use = use_of(*verified.claims);
      if (post && comment_ok) {
        auto done = writer_.run<engine::LinkStatus>(
            [use, comment](engine::Session& s) -> domain::Result<engine::LinkStatus> {
              return s.links().act(use, comment);
            });
        if (!done) {
          if (log_) log_("one-click link " + use.dispute + ": " + done.error().describe());
          throw std::runtime_error("the link's action failed");
        }
        page.engine = done.value();
      } else {
        auto lease = readers_.lease();
        auto snapshot = lease.snapshot();
        page.engine = lease.session().links().inspect(use);
      }
      set_state(page, page.engine.state);
      if (post && !comment_ok && page.state == PageState::kConfirm) page.status = 413;
      if (page.state == PageState::kInvalid && log_)
        log_("one-click link refused: " + page.engine.problem);
      break;
    }
  }

  std::string language = language_for(request, page.claims, templates);
  const messaging::Locale& locale = templates.locale(language);
  messaging::PageFacts facts;
  facts.state = page.state;
  facts.claims = page.claims;
  facts.customer = page.engine.customer;
  facts.step = page.engine.step;
  facts.form_action = "/a/" + token;
  if (page.state == PageState::kInvalid) facts.claims.reset();  // nothing of ours to show
  if (const auto& rec = page.engine.recorded; rec && page.claims) {
    LinkClaims recorded = *page.claims;
    if (auto a = action_named(rec->action)) recorded.action = *a;
    recorded.value = rec->value;
    facts.recorded = messaging::choice_label(recorded, locale);
    if (!rec->comment.empty()) facts.recorded += " (“" + rec->comment + "”)";
    std::string local = settings_.calendar.format_local(rec->used_at);  // "2026-11-27 17:00"
    facts.recorded_at = locale.date(settings_.calendar.local_date(rec->used_at)) + ", " +
                        local.substr(local.find(' ') + 1);
  }
  nlohmann::json data = messaging::link_page_data(facts, locale);
  if (post && !comment_ok && page.state == PageState::kConfirm)
    data["message"] =
        locale.word("page.comment_too_long", "The comment is too long: at most 2000 characters.");
  api::HttpResponse r;
  r.status = page.status;
  r.content_type = "text/html; charset=utf-8";
  std::string html = templates.render_page(language, data);
  r.headers.emplace_back("Content-Security-Policy", policy_for(html));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  // The token is in the URL: never hand it on, never keep the page.
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Robots-Tag", "noindex");
  r.headers.emplace_back("Content-Language", language);
  if (request.method != "HEAD") r.body = std::move(html);
  return r;
}

}  // namespace disputed::web
