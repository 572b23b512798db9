#include "plugins/salesforce/src/task_mapping.hpp"

#include <date/tz.h>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"

namespace disputed::plugins::salesforce {

namespace {

// The calendar date of `at` in the IANA zone `zone`; nullopt for an unknown zone.
std::optional<std::string> local_date(sdk::Instant at, const std::string& zone) {
  try {
    const date::time_zone* tz = date::locate_zone(zone);
    auto local = tz->to_local(at);
    date::year_month_day ymd{date::floor<date::days>(local)};
    return kit::format_date(std::chrono::year_month_day{std::chrono::year(int(ymd.year())),
                                                        std::chrono::month(unsigned(ymd.month())),
                                                        std::chrono::day(unsigned(ymd.day()))});
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string description(const sdk::Action& action, const kit::TaskPayload& p,
                        const Settings& settings) {
  std::string out;
  auto line = [&](const std::string& text) {
    if (!text.empty()) out += text + "\n";
  };
  line(p.description);
  if (!p.instructions.empty()) line("\nWhat to do: " + p.instructions);
  std::string outcomes;
  for (const auto& o : p.outcomes) outcomes += (outcomes.empty() ? "" : ", ") + o;
  if (!outcomes.empty())
    line(settings.outcome_field.empty() ? "Outcomes: " + outcomes
                                        : "Set " + settings.outcome_field +
                                              " to one of: " + outcomes + ", then close the Task.");
  if (auto facts = kit::task_facts_text(p); !facts.empty()) out += "\n" + facts;
  if (std::string link = kit::dispute_link(p, settings.dispute_url); !link.empty())
    line("Open in disputed: " + link);
  line(marker(action.task_key));
  return kit::truncate_utf8(out, kDescriptionLimit);
}

}  // namespace

std::string marker(const std::string& key) { return "[disputed " + key + "]"; }

std::string activity_date(const kit::TaskPayload& p, const Settings& settings) {
  auto deadline = p.deadline();
  if (deadline && !settings.time_zone.empty())
    if (auto d = local_date(*deadline, settings.time_zone)) return *d;
  if (kit::parse_date(p.deadline_local_date)) return p.deadline_local_date;
  if (deadline) {
    if (auto d = local_date(*deadline, p.time_zone.empty() ? "UTC" : p.time_zone)) return *d;
    return kit::utc_date(*deadline);
  }
  return {};
}

std::string priority_of(const kit::TaskPayload& p, const Settings& settings) {
  std::string priority = kit::lower(p.priority);
  return priority == "urgent" || priority == "high" ? settings.escalation_priority
                                                    : settings.default_priority;
}

kit::Json task_fields(const sdk::Action& action, const kit::TaskPayload& p,
                      const Settings& settings) {
  kit::Json task = kit::Json::object();
  task["Subject"] = kit::truncate_utf8(
      p.subject.empty() && p.title.empty() ? "Dispute action " + action.task_key : p.headline(),
      255);
  task["Description"] = description(action, p, settings);
  task["Priority"] = priority_of(p, settings);
  if (std::string date = activity_date(p, settings); !date.empty()) task["ActivityDate"] = date;
  return task;
}

std::string with_note(const std::string& existing, const std::string& action_key,
                      const std::string& note) {
  std::string appended =
      existing + (existing.empty() ? "" : "\n") + marker(action_key) + " " + note;
  if (appended.size() > kDescriptionLimit)
    appended = appended.substr(appended.size() - kDescriptionLimit);
  return appended;
}

std::optional<sdk::TaskEvent> completion_of(const kit::Json& record, const Settings& settings) {
  kit::JsonView rec(record);
  if (!rec["IsClosed"].boolean_or(false)) return std::nullopt;
  std::string status = rec["Status"].string_or();
  if (status == settings.cancel_status) return std::nullopt;
  sdk::TaskEvent e;
  e.kind = sdk::TaskEvent::Kind::kCompleted;
  e.task_key = rec[settings.ext_field].string_or();
  e.external_ref = rec["Id"].string_or();
  std::string when = rec["CompletedDateTime"].string_or();
  if (!kit::parse_timestamp_ms(when)) when = rec["SystemModstamp"].string_or();
  e.event_id = e.external_ref + ":closed:" + when;
  if (auto at = kit::parse_timestamp(when)) e.at = *at;
  if (!settings.outcome_field.empty()) e.outcome = rec[settings.outcome_field].string_or();
  if (e.outcome.empty())
    if (auto it = settings.outcome_by_status.find(status); it != settings.outcome_by_status.end())
      e.outcome = it->second;
  e.actor = rec["LastModifiedBy"]["Email"].string_or();
  e.comment = "Task " + status + " in Salesforce";
  return e;
}

}  // namespace disputed::plugins::salesforce
