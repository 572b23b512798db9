#include "core/messaging/message_data.hpp"

#include <stdexcept>

#include "core/domain/time.hpp"

namespace disputed::messaging::detail {

namespace {

using nlohmann::json;

json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string text(const json& facts, const char* key) {
  auto it = facts.find(key);
  return it != facts.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string customer_name(const json& facts) {
  auto it = facts.find("customer");
  if (it == facts.end()) return {};
  if (it->is_object()) return it->value("name", std::string());
  return it->is_string() ? it->get<std::string>() : std::string();
}

// "27 november 2026" from "2026-11-27" (the text itself when it is not a date).
std::string local_date(const DataContext& ctx, const std::string& iso) {
  auto d = domain::parse_date(iso);
  return d ? ctx.locale.date(*d) : iso;
}

// "27 november 2026, 17:00" in the calendar's time zone.
std::string local_date_time(const DataContext& ctx, const std::string& instant) {
  auto t = domain::parse_instant(instant);
  if (!t) return instant;
  std::string local = ctx.calendar.format_local(*t);  // "2026-11-27 17:00"
  std::string time = local.substr(local.find(' ') + 1);
  return ctx.locale.date(ctx.calendar.local_date(*t)) + ", " + time;
}

// A step's outcome as people read it: the language's word for it, else the id with spaces.
std::string outcome_label(const DataContext& ctx, const std::string& outcome) {
  std::string fallback = outcome;
  for (char& c : fallback)
    if (c == '-' || c == '_') c = ' ';
  if (!fallback.empty() && fallback[0] >= 'a' && fallback[0] <= 'z')
    fallback[0] = char(fallback[0] - 32);
  return ctx.locale.word("outcome." + outcome, fallback);
}

json invoices(const DataContext& ctx, const json& facts) {
  json out = json::array();
  std::string currency = text(facts, "currency");
  for (const auto& i : facts.value("invoices", json::array())) {
    if (!i.is_object()) continue;
    json line = {
        {"number", i.value("number", std::string())},
        {"amount", ctx.locale.amount(i.value("disputed_amount", std::string()), currency)}};
    std::string due = i.value("new_due_date", std::string());
    line["new_due_date"] = opt(due.empty() ? "" : local_date(ctx, due));
    line["still_on_hold"] = i.value("still_on_hold", false);
    out.push_back(std::move(line));
  }
  return out;
}

json common(const DataContext& ctx, const json& facts) {
  std::string ref = text(facts, "dispute");
  return {{"company", ctx.settings.from_name},
          {"dispute", ref},
          {"customer", customer_name(facts)},
          {"recipient", text(facts, "to")}};
}

std::string dispute_page(const DataContext& ctx, const std::string& ref) {
  if (ctx.settings.public_url.empty() || ref.empty()) return {};
  return ctx.settings.public_url + "/disputes/" + ref;
}

std::string unsubscribe_link(const DataContext& ctx, const std::string& kind, const json& facts) {
  // One mail to every member of a role carries one set of headers: a link there would unsubscribe
  // the role for everybody, so such mail has none (RFC 8058 wants it per recipient anyway).
  if (auto r = facts.find("recipients"); r != facts.end() && r->is_array() && r->size() != 1)
    return {};
  if (text(facts, "to_kind") == "role") return {};
  LinkClaims c;
  c.action = LinkAction::kUnsubscribe;
  c.dispute = text(facts, "dispute");
  c.value = kind;
  c.recipient = text(facts, "to");
  c.language = ctx.locale.language;
  return signed_link(ctx, c);
}

json customer_data(const std::string& kind, const json& facts, const DataContext& ctx) {
  json d = common(ctx, facts);
  d["contact_name"] = opt(text(facts, "contact_name"));
  std::string currency = text(facts, "currency");
  if (kind == "dispute_confirmation") {
    d["category"] = text(facts, "category");
    d["expected_date"] = local_date(ctx, text(facts, "expected_resolution_by"));
    d["invoices"] = invoices(ctx, facts);
    d["total"] = ctx.locale.amount(text(facts, "disputed_amount"), currency);
    d["dunning_paused"] = facts.value("dunning_paused", true);
    d["next_step"] = opt(text(facts, "next_step"));
  } else if (kind == "customer_update") {
    d["step"] = text(facts, "step_title");
    d["update"] = text(facts, "update");
    std::string expected = text(facts, "expected_resolution_by");
    d["expected_date"] = opt(expected.empty() ? "" : local_date(ctx, expected));
  } else if (kind == "dispute_resolved" || kind == "dispute_withdrawn") {
    std::string resolution = text(facts, "resolution");
    d["outcome"] = ctx.locale.word("resolution." + resolution, resolution);
    d["note"] = opt(text(facts, "note"));
    d["reference"] = opt(text(facts, "reference"));
    d["invoices"] = invoices(ctx, facts);
  } else if (kind == "feedback_request") {
    json scores = json::array();
    for (int score = 1; score <= 5; ++score) {
      LinkClaims c;
      c.action = LinkAction::kFeedback;
      c.dispute = text(facts, "dispute");
      c.value = std::to_string(score);
      c.recipient = text(facts, "to");
      c.language = ctx.locale.language;
      scores.push_back({{"score", std::to_string(score)}, {"url", opt(signed_link(ctx, c))}});
    }
    d["scores"] = std::move(scores);
  }
  d["unsubscribe_url"] = opt(optional_kind(kind) ? unsubscribe_link(ctx, kind, facts) : "");
  return d;
}

json task_data(const std::string& /*kind*/, const json& facts, const DataContext& ctx) {
  json d = common(ctx, facts);
  std::string task_key = text(facts, "task_key");
  std::string to = text(facts, "to");
  auto outcomes = facts.value("outcomes", json::array());
  if (task_key.empty() || !outcomes.is_array() || outcomes.empty())
    throw std::invalid_argument("a step message needs task_key and outcomes");
  d["step"] = text(facts, "title").empty() ? text(facts, "subject") : text(facts, "title");
  d["instructions"] = opt(text(facts, "instructions"));
  d["category"] = text(facts, "category");
  d["description"] = opt(text(facts, "description"));
  d["invoices"] = invoices(ctx, facts);
  d["total"] = ctx.locale.amount(text(facts, "disputed_amount"), text(facts, "currency"));
  d["deadline"] = local_date_time(ctx, text(facts, "deadline_at"));
  d["assignee"] = text(facts, "assignee");
  d["role"] = opt(text(facts, "recipient_role"));
  d["dispute_url"] = opt(dispute_page(ctx, text(facts, "dispute")));
  json list = json::array();
  bool any_link = false;
  for (const auto& o : outcomes) {
    if (!o.is_string()) continue;
    LinkClaims c;
    c.action = LinkAction::kOutcome;
    c.dispute = text(facts, "dispute");
    c.task_key = task_key;
    c.value = o.get<std::string>();
    c.recipient = to;
    c.language = ctx.locale.language;
    std::string url = signed_link(ctx, c);
    any_link = any_link || !url.empty();
    list.push_back({{"label", outcome_label(ctx, c.value)}, {"url", opt(url)}});
  }
  d["outcomes"] = std::move(list);
  LinkClaims info;
  info.action = LinkAction::kInformation;
  info.dispute = text(facts, "dispute");
  info.task_key = task_key;
  info.value = "information";
  info.recipient = to;
  info.language = ctx.locale.language;
  d["information_url"] = opt(signed_link(ctx, info));
  d["has_links"] = any_link;
  int overdue = 0;
  if (auto deadline = domain::parse_instant(text(facts, "deadline_at")))
    overdue = *deadline < ctx.created_at
                  ? ctx.calendar.working_days_between(*deadline, ctx.created_at)
                  : 0;
  d["overdue_days"] = std::to_string(overdue);
  d["escalated_to"] = opt(text(facts, "escalated_to"));
  return d;
}

json management_data(const std::string& kind, const json& facts, const DataContext& ctx) {
  json d = common(ctx, facts);
  if (kind == "management_info") {
    d["category"] = text(facts, "category");
    d["total"] = ctx.locale.amount(text(facts, "disputed_amount"), text(facts, "currency"));
    d["description"] = opt(text(facts, "description"));
    d["channel"] = ctx.locale.word("channel." + text(facts, "channel"), text(facts, "channel"));
    d["reported_by"] = opt(text(facts, "reported_by"));
    d["dispute_url"] = opt(dispute_page(ctx, text(facts, "dispute")));
  } else {
    d["date"] = local_date(ctx, text(facts, "date"));
    json items = json::array();
    for (const auto& item : facts.value("items", json::array())) {
      if (!item.is_object()) continue;
      items.push_back(
          {{"dispute", item.value("dispute", std::string())},
           {"customer", item.value("customer", std::string())},
           {"category", item.value("category", std::string())},
           {"total", ctx.locale.amount(item.value("disputed_amount", std::string()),
                                       item.value("currency", std::string()))},
           {"dispute_url", opt(dispute_page(ctx, item.value("dispute", std::string())))}});
    }
    d["count"] = std::to_string(items.size());
    d["items"] = std::move(items);
  }
  d["unsubscribe_url"] = opt(unsubscribe_link(ctx, kind, facts));
  return d;
}

// The promise to the customer: before the date (due false) or at it (due true).
json promise_data(const json& facts, const DataContext& ctx) {
  json d = common(ctx, facts);
  d["due"] = text(facts, "stage") == "due";
  d["category"] = text(facts, "category");
  d["total"] = ctx.locale.amount(text(facts, "disputed_amount"), text(facts, "currency"));
  d["expected_date"] = local_date_time(ctx, text(facts, "due_at"));
  json steps = json::array();
  for (const auto& s : facts.value("open_steps", json::array())) {
    if (!s.is_object()) continue;
    steps.push_back({{"step", s.value("title", std::string())},
                     {"assignee", s.value("assignee", std::string())},
                     {"deadline", local_date_time(ctx, s.value("deadline_at", std::string()))}});
  }
  d["has_steps"] = !steps.empty();
  d["steps"] = std::move(steps);
  d["dispute_url"] = opt(dispute_page(ctx, text(facts, "dispute")));
  return d;
}

}  // namespace

bool optional_kind(const std::string& kind) {
  return kind == "feedback_request" || kind == "customer_update" || kind == "management_info" ||
         kind == "management_digest";
}

bool customer_kind(const std::string& kind) {
  return kind == "dispute_confirmation" || kind == "customer_update" ||
         kind == "dispute_resolved" || kind == "dispute_withdrawn" || kind == "feedback_request";
}

std::string signed_link(const DataContext& ctx, LinkClaims claims) {
  if (!ctx.links || ctx.settings.public_url.empty() || claims.recipient.empty()) return {};
  int days = claims.action == LinkAction::kFeedback || claims.action == LinkAction::kUnsubscribe
                 ? ctx.settings.feedback_valid_days
                 : ctx.settings.link_valid_days;
  claims.expires_at = ctx.created_at.time_since_epoch().count() + std::int64_t(days) * 86400;
  // The five score links of one feedback request share their id: the first one used answers
  // the request, the others then show what was recorded.
  std::string value = claims.action == LinkAction::kFeedback ? std::string() : claims.value;
  claims.jti = ctx.links->derive_jti(ctx.action_key + "|" + to_string(claims.action) + "|" + value +
                                     "|" + claims.recipient);
  return ctx.settings.public_url + "/a/" + ctx.links->sign(claims);
}

json message_data(const std::string& kind, const json& facts, const DataContext& ctx) {
  if (!facts.is_object()) throw std::invalid_argument("the message facts are not an object");
  json d;
  if (customer_kind(kind))
    d = customer_data(kind, facts, ctx);
  else if (kind == "task_assigned" || kind == "task_reminder" || kind == "task_escalation")
    d = task_data(kind, facts, ctx);
  else if (kind == "management_info" || kind == "management_digest")
    d = management_data(kind, facts, ctx);
  else if (kind == "promise_due")
    d = promise_data(facts, ctx);
  else
    throw std::invalid_argument("unknown message kind '" + kind + "'");
  d["language"] = ctx.locale.language;
  return d;
}

json sample_facts(const std::string& kind) {
  json invoices = json::array({{{"number", "INV-1001"},
                                {"disputed_amount", "1234.50"},
                                {"new_due_date", "2026-12-21"},
                                {"still_on_hold", false}}});
  json f = {{"template", kind},
            {"to", "reader@example.com"},
            {"language", "en"},
            {"dispute", "DSP-000042"},
            {"contact_name", "Jörg Müller"},
            {"currency", "EUR"},
            {"disputed_amount", "1234.50"},
            {"invoices", invoices}};
  if (kind == "dispute_confirmation") {
    f.update({{"customer", "Bäckerei Müller GmbH"},
              {"category", "Price or discount"},
              {"expected_resolution_by", "2026-12-07"},
              {"dunning_paused", true},
              {"next_step", "Check the price agreement"}});
  } else if (kind == "customer_update") {
    f.update({{"customer", "Bäckerei Müller GmbH"},
              {"step_title", "Check the delivery"},
              {"update", "We have checked the delivery note."},
              {"expected_resolution_by", "2026-12-07"}});
  } else if (kind == "dispute_resolved" || kind == "dispute_withdrawn") {
    f.update({{"customer", "Bäckerei Müller GmbH"},
              {"resolution", kind == "dispute_withdrawn" ? "withdrawn" : "credit_note"},
              {"note", "Credit note issued"},
              {"reference", "CN-2026-0042"}});
  } else if (kind == "feedback_request") {
    f.update({{"customer", "Bäckerei Müller GmbH"}});
  } else if (kind == "management_info") {
    f.update({{"customer", "Bäckerei Müller GmbH"},
              {"category", "Price or discount"},
              {"description", "The unit price should be 9.50, not 10.00."},
              {"channel", "email"},
              {"reported_by", "clerk@example.com"}});
  } else if (kind == "promise_due") {
    f.update({{"customer", "Bäckerei Müller GmbH"},
              {"category", "Price or discount"},
              {"stage", "before"},
              {"due_at", "2026-12-07T16:00:00Z"},
              {"open_steps", json::array({{{"title", "Check the price agreement"},
                                           {"assignee", "am@example.com"},
                                           {"deadline_at", "2026-12-02T16:00:00Z"}}})}});
  } else if (kind == "management_digest") {
    f.update({{"date", "2026-11-24"},
              {"items", json::array({{{"dispute", "DSP-000042"},
                                      {"customer", "Bäckerei Müller GmbH"},
                                      {"category", "Price or discount"},
                                      {"disputed_amount", "1234.50"},
                                      {"currency", "EUR"}}})}});
  } else {
    f.update({{"task_key", "DSP-000042-1"},
              {"title", "Check the price agreement"},
              {"subject", "Check the price agreement — DSP-000042 (Bäckerei Müller GmbH)"},
              {"instructions", "Compare the invoiced price with the contract."},
              {"assignee", "anna@example.com"},
              {"recipient_role", "credit-control"},
              {"deadline_at", "2026-11-25T16:00:00Z"},
              {"outcomes", json::array({"customer-right", "invoice-right"})},
              {"category", "price"},
              {"customer", {{"id", "C-1001"}, {"name", "Bäckerei Müller GmbH"}}},
              {"description", "The unit price should be 9.50, not 10.00."},
              {"escalated_to", "lead@example.com"}});
  }
  return f;
}

}  // namespace disputed::messaging::detail
