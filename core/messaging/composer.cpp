#include "core/messaging/composer.hpp"

#include <nlohmann/json.hpp>

#include "core/domain/time.hpp"
#include "core/messaging/link_pages.hpp"
#include "core/messaging/message_data.hpp"
#include "disputed/sdk/kit/json.hpp"

namespace disputed::messaging {

namespace {

using domain::Error;
using nlohmann::json;
namespace kit = sdk::kit;

std::string text(const json& facts, const char* key) {
  auto it = facts.find(key);
  return it != facts.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

}  // namespace

Composer::Composer(ComposerSettings settings, std::shared_ptr<const TemplateSet> templates,
                   std::shared_ptr<const LinkSigner> links,
                   const domain::BusinessCalendar& calendar)
    : settings_(std::move(settings)),
      templates_(std::move(templates)),
      links_(std::move(links)),
      calendar_(calendar) {
  while (!settings_.public_url.empty() && settings_.public_url.back() == '/')
    settings_.public_url.pop_back();
  if (settings_.envelope_from.empty()) settings_.envelope_from = settings_.from_address;
  if (settings_.message_id_domain.empty())
    settings_.message_id_domain =
        settings_.from_address.substr(settings_.from_address.rfind('@') + 1);
}

std::string Composer::link_url(const std::string& token) const {
  return settings_.public_url.empty() ? std::string() : settings_.public_url + "/a/" + token;
}

domain::Result<Composition> Composer::compose(const MessageRow& row) const {
  auto parsed = kit::parse_json(row.payload_json, kit::JsonLimits{1024 * 1024, 16});
  if (!parsed)
    return Error::invalid("the message's facts cannot be read: " + parsed.problem().text());
  const json& facts = *parsed;
  if (!facts.is_object()) return Error::invalid("the message's facts are not a JSON object");
  Composition out;
  out.kind = text(facts, "template");
  // "to" is whom the message is for (a person's address, or a role); "recipients", when given,
  // the addresses it goes to (every member of the role).
  std::string to = text(facts, "to");
  std::vector<std::string> recipients;
  if (auto list = facts.find("recipients"); list != facts.end() && list->is_array()) {
    for (const auto& r : *list)
      if (r.is_string()) recipients.push_back(r.get<std::string>());
  } else {
    recipients.push_back(to);
  }
  if (recipients.empty())
    return Error::invalid(
        "nobody to send to: " +
        (to.empty() ? std::string("no recipient") : "'" + to + "' has no members") + " (message " +
        row.action_key + ")");
  for (const auto& r : recipients)
    if (!kit::is_mail_address(r))
      return Error::invalid("'" + r + "' is not an e-mail address: message " + row.action_key +
                            " cannot be sent");
  std::string language = text(facts, "language");
  if (language.empty()) language = settings_.staff_language;
  if (!templates_->has_language(language)) language = templates_->default_language();
  out.language = language;

  detail::DataContext ctx{templates_->locale(language),
                          settings_,
                          links_.get(),
                          calendar_,
                          row.created_at,
                          row.action_key};
  json data;
  RenderedMessage rendered;
  try {
    data = detail::message_data(out.kind, facts, ctx);
    rendered = templates_->render(out.kind, language, data);
  } catch (const std::exception& e) {
    return Error::invalid("message " + row.action_key + " (" + out.kind +
                          ") cannot be composed: " + e.what());
  }

  kit::MessagePayload& m = out.message;
  m.kind = out.kind;
  m.idempotency_key = row.action_key;
  m.message_id = message_id(row.action_key, out.kind, settings_.message_id_domain);
  m.date = domain::format_instant(row.created_at);
  m.from = {settings_.from_address, settings_.from_name};
  m.envelope_from = settings_.envelope_from;
  std::string name = detail::customer_kind(out.kind) ? text(facts, "contact_name") : "";
  for (const auto& r : recipients) m.to.push_back({r, recipients.size() == 1 ? name : ""});
  std::string dispute = text(facts, "dispute");
  if (!settings_.reply_to.empty()) {
    std::string reply = replace_all(settings_.reply_to, "{dispute}", dispute);
    if (kit::is_mail_address(reply)) m.reply_to = {{reply, settings_.from_name}};
  }
  m.subject = rendered.subject;
  m.text = rendered.text;
  m.html = rendered.html;
  // Sent by a program, not a person (RFC 3834): no out-of-office replies, please.
  m.headers = {{"Auto-Submitted", "auto-generated"}, {"X-Auto-Response-Suppress", "All"}};
  if (!dispute.empty()) m.headers.push_back({"X-Disputed-Dispute", dispute});
  if (data.contains("unsubscribe_url") && data["unsubscribe_url"].is_string()) {
    m.headers.push_back(
        {"List-Unsubscribe", "<" + data["unsubscribe_url"].get<std::string>() + ">"});
    m.headers.push_back({"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"});
  }
  // Threading: the row names the message it follows (the dispute's first confirmation for a
  // customer, the step's task mail for a reminder), whose Message-ID is derived the same way.
  if (auto thread = facts.find("thread"); thread != facts.end() && thread->is_object()) {
    std::string key = thread->value("key", std::string());
    std::string kind = thread->value("kind", std::string());
    if (!key.empty() && key != row.action_key) {
      m.in_reply_to = message_id(key, kind, settings_.message_id_domain);
      m.references = {m.in_reply_to};
    }
  }
  m.language = language;
  m.dispute = dispute;
  if (auto problem = kit::check_message(m))
    return Error::invalid("message " + row.action_key + " (" + out.kind + "): " + problem->text());
  return out;
}

SampleData Composer::samples() {
  static const SampleData all = [] {
    SampleData out;
    Locale locale;
    locale.language = "en";
    locale.months = {"January", "February", "March",     "April",   "May",      "June",
                     "July",    "August",   "September", "October", "November", "December"};
    ComposerSettings settings;
    settings.from_address = "disputes@example.com";
    settings.from_name = "Example credit control";
    settings.public_url = "https://disputes.example.com";
    LinkSigner signer({{"sample", std::string(32, 'k')}});
    auto calendar = domain::BusinessCalendar::weekdays();
    detail::DataContext ctx{
        locale,  settings, &signer, calendar, *domain::parse_instant("2026-11-27T08:00:00Z"),
        "sample"};
    for (const char* kind :
         {"dispute_confirmation", "customer_update", "dispute_resolved", "dispute_withdrawn",
          "feedback_request", "management_info", "management_digest", "task_assigned",
          "task_reminder", "task_escalation", "promise_due"})
      out[kind] = detail::message_data(kind, detail::sample_facts(kind), ctx);
    out["link_page"] = link_page_sample();
    return out;
  }();
  return all;
}

}  // namespace disputed::messaging
