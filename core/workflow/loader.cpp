#include "core/workflow/loader.hpp"

#include "core/domain/text.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/config_error.hpp"
#include "core/config/json_file.hpp"
#include "core/config/json_schema.hpp"
#include "core/domain/model.hpp"

namespace disputed::workflow {

namespace {

namespace fs = std::filesystem;
using config::ConfigError;
using config::pointer_append;
using nlohmann::json;

constexpr std::string_view kInternalTarget = "internal";

using domain::join;

template <class Container>
std::string names_of(const Container& c) {
  std::vector<std::string> names;
  for (const auto& item : c) {
    if constexpr (std::is_same_v<std::decay_t<decltype(item)>, std::string>)
      names.push_back(item);
    else
      names.push_back(item.first);
  }
  return join(names);
}

fs::path resolve_against(const fs::path& base_dir, const std::string& reference) {
  fs::path p(reference);
  return (p.is_absolute() ? p : base_dir / p).lexically_normal();
}

// A missing referenced file is reported where it is referenced, which is where it gets fixed.
void require_file(const std::string& referrer, const std::string& key_path, const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw ConfigError(referrer, key_path,
                      (fs::exists(path, ec) ? "not a file: " : "file not found: ") + path.string());
}

// Files are validated against their schema as soon as they are read, so everything after that
// may rely on the shape (required keys present, types right).
json read_validated(const fs::path& file, std::string_view schema) {
  json doc = config::read_json_file(file);
  config::embedded_schema(schema).validate_or_throw(doc, file.string());
  return doc;
}

// ---- calendar -------------------------------------------------------------------------------

unsigned weekday_number(const std::string& name) {
  static const std::map<std::string, unsigned> kWeekdays{
      {"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6}};
  return kWeekdays.at(name);  // the schema admits only these names
}

std::chrono::minutes parse_hh_mm(const std::string& text) {
  // The schema guarantees "HH:MM" within 00:00..23:59.
  return std::chrono::hours(std::stoi(text.substr(0, 2))) +
         std::chrono::minutes(std::stoi(text.substr(3, 2)));
}

struct HolidaySource {
  std::string name;
  std::string file;
};

void load_holiday_file(const fs::path& file, std::map<domain::Date, std::string>& holidays,
                       std::map<domain::Date, HolidaySource>& origins) {
  const std::string source = file.string();
  json doc = read_validated(file, "holidays");
  const json& list = doc.at("holidays");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = pointer_append("/holidays", i);
    std::string text = list[i].at("date").get<std::string>();
    std::string name = list[i].at("name").get<std::string>();
    auto date = domain::parse_date(text);
    if (!date)
      throw ConfigError(source, path + "/date", "'" + text + "' is not a valid date (YYYY-MM-DD)");
    if (auto [it, inserted] = origins.emplace(*date, HolidaySource{name, source}); !inserted)
      throw ConfigError(source, path + "/date",
                        "duplicate holiday " + text + " (already listed as '" + it->second.name +
                            "' in " + it->second.file + ")");
    holidays.emplace(*date, std::move(name));
  }
}

// ---- roles and connector instances ----------------------------------------------------------

std::map<std::string, RoleDef> load_roles(const fs::path& file) {
  const std::string source = file.string();
  json doc = read_validated(file, "roles");
  std::map<std::string, RoleDef> roles;
  const json& list = doc.at("roles");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = pointer_append("/roles", i);
    RoleDef role;
    role.id = list[i].at("id").get<std::string>();
    role.name = list[i].at("name").get<std::string>();
    role.members = list[i].at("members").get<std::vector<std::string>>();
    for (std::size_t k = 0; k < role.members.size(); ++k)
      if (!domain::looks_like_email(role.members[k]))
        throw ConfigError(source, pointer_append(path + "/members", k),
                          "'" + role.members[k] + "' is not an e-mail address");
    std::string id = role.id;
    if (!roles.emplace(id, std::move(role)).second)
      throw ConfigError(source, path + "/id", "duplicate role id '" + id + "'");
  }
  return roles;
}

std::vector<fs::path> json_files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::set<std::string> load_connector_names(const fs::path& dir) {
  std::set<std::string> names;
  std::map<std::string, std::string> defined_in;
  for (const auto& file : json_files_in(dir)) {
    const std::string source = file.string();
    json doc = read_validated(file, "connector-instance");
    std::string name = doc.at("name").get<std::string>();
    if (name == kInternalTarget)
      throw ConfigError(
          source, "/name",
          "\"internal\" is reserved for disputed's own to-do list; choose another name");
    if (auto [it, inserted] = defined_in.emplace(name, source); !inserted)
      throw ConfigError(source, "/name",
                        "connector instance '" + name + "' is already defined in " + it->second);
    names.insert(name);
  }
  return names;
}

// ---- references between files ---------------------------------------------------------------

// `path` points at the rule object ({"role": ...}); the message points at its value.
void check_assignee(const AssigneeRule& rule, const std::map<std::string, RoleDef>& roles,
                    const std::string& source, const std::string& path) {
  switch (rule.kind) {
    case domain::AssigneeKind::kRole:
      if (!roles.count(rule.value))
        throw ConfigError(source, path + "/role",
                          "unknown role '" + rule.value + "' (roles: " + names_of(roles) + ")");
      break;
    case domain::AssigneeKind::kPerson:
      if (!domain::looks_like_email(rule.value))
        throw ConfigError(source, path + "/person",
                          "'" + rule.value + "' is not an e-mail address");
      break;
    case domain::AssigneeKind::kAccountManager:
      break;
  }
}

void check_workflow_references(const WorkflowDef& wf, const json& doc,
                               const std::map<std::string, RoleDef>& roles,
                               const std::set<std::string>& connectors, const std::string& source) {
  const json& steps = doc.at("steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string path = pointer_append("/steps", i);
    const StepDef& step = wf.steps.at(steps[i].at("id").get<std::string>());
    check_assignee(step.assignee, roles, source, path + "/assignee");
    const bool single = steps[i].contains("escalation");
    for (std::size_t k = 0; k < step.escalations.size(); ++k)
      check_assignee(
          step.escalations[k].to, roles, source,
          (single ? path + "/escalation" : pointer_append(path + "/escalations", k)) + "/to");
    if (step.target != kInternalTarget && !connectors.count(step.target))
      throw ConfigError(source, path + "/target",
                        "unknown target '" + step.target +
                            "': use \"internal\" or a connector instance (configured: " +
                            names_of(connectors) + ")");
  }
}

// ---- categories and policies ----------------------------------------------------------------

std::map<std::string, CategoryDef> load_categories(
    const fs::path& file, const std::map<std::string, WorkflowDef>& workflows) {
  const std::string source = file.string();
  json doc = read_validated(file, "categories");
  std::map<std::string, CategoryDef> categories;
  const json& list = doc.at("categories");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& c = list[i];
    const std::string path = pointer_append("/categories", i);
    CategoryDef category;
    category.id = c.at("id").get<std::string>();
    category.name = c.at("name").get<std::string>();
    category.description = c.value("description", std::string());
    category.workflow = c.at("workflow").get<std::string>();
    category.max_resolution_working_days = c.value("max_resolution_working_days", 10);
    if (!workflows.count(category.workflow))
      throw ConfigError(
          source, path + "/workflow",
          "unknown workflow '" + category.workflow + "' (workflows: " + names_of(workflows) + ")");
    const json keywords = c.value("keywords", json::array());
    for (std::size_t k = 0; k < keywords.size(); ++k) {
      std::string keyword = keywords[k].get<std::string>();
      // suggest_category matches whole words, so a keyword the tokenizer would split
      // ("e-mail", "te laat") could never match; say so instead of silently ignoring it.
      auto words = words_of(keyword);
      if (words.size() != 1 || words.front().size() != keyword.size())
        throw ConfigError(source, pointer_append(path + "/keywords", k),
                          "'" + keyword + "' is not a single word of letters and digits");
      category.keywords.push_back(words.front());
    }
    std::string id = category.id;
    if (!categories.emplace(id, std::move(category)).second)
      throw ConfigError(source, path + "/id", "duplicate category id '" + id + "'");
  }
  return categories;
}

ResumePolicy resume_policy_from_json(const json& j) {
  ResumePolicy p;
  p.days_after_release = j.at("days_after_release").get<int>();
  p.roll_to_working_day = j.value("roll_to_working_day", true);
  return p;
}

DunningPolicy load_dunning(const json& raw, const std::string& source) {
  DunningPolicy policy;
  auto dunning = raw.find("dunning");
  if (dunning == raw.end()) return policy;
  if (auto resume = dunning->find("resume"); resume != dunning->end()) {
    for (const auto& item : resume->items()) {
      // The schema lists the resolution names already; this keeps the two in step.
      auto resolution = domain::parse_resolution(item.key());
      if (!resolution)
        throw ConfigError(
            source, pointer_append("/dunning/resume", item.key()),
            "unknown resolution (expected one of " + domain::resolution_names() + ")");
      policy.per_resolution[*resolution] = resume_policy_from_json(item.value());
    }
  }
  if (auto fallback = dunning->find("default"); fallback != dunning->end())
    policy.fallback = resume_policy_from_json(*fallback);
  return policy;
}

NotificationPolicy load_notifications(const json& raw, const std::map<std::string, RoleDef>& roles,
                                      const std::string& source) {
  NotificationPolicy policy;
  auto notifications = raw.find("notifications");
  if (notifications == raw.end()) return policy;
  policy.confirm_customer = notifications->value("confirm_customer", true);
  policy.feedback_request = notifications->value("feedback_request", true);
  const json inform = notifications->value("inform", json::array());
  for (std::size_t i = 0; i < inform.size(); ++i) {
    AssigneeRule rule = assignee_from_json(inform[i]);
    check_assignee(rule, roles, source, pointer_append("/notifications/inform", i));
    policy.inform.push_back(std::move(rule));
  }
  const json digest = notifications->value("digest", json::array());
  for (std::size_t i = 0; i < digest.size(); ++i) {
    AssigneeRule rule = assignee_from_json(digest[i]);
    check_assignee(rule, roles, source, pointer_append("/notifications/digest", i));
    policy.digest.push_back(std::move(rule));
  }
  policy.digest_at = parse_hh_mm(notifications->value("digest_at", std::string("17:00")));
  if (auto promise = notifications->find("promise"); promise != notifications->end()) {
    policy.promise.enabled = promise->value("enabled", true);
    policy.promise.before_working_days = promise->value("before_working_days", 1);
    auto rules = [&](const char* key, std::vector<AssigneeRule>& into) {
      const json list = promise->value(key, json::array());
      for (std::size_t i = 0; i < list.size(); ++i) {
        AssigneeRule rule = assignee_from_json(list[i]);
        check_assignee(rule, roles, source,
                       pointer_append(std::string("/notifications/promise/") + key, i));
        into.push_back(std::move(rule));
      }
    };
    rules("controller", policy.promise.controller);
    rules("management", policy.promise.management);
  }
  return policy;
}

MessagingPolicy load_messaging(const config::EngineConfig& config,
                               const std::set<std::string>& instances, const std::string& source) {
  MessagingPolicy policy;
  policy.templates_dir = config.resolve("templates");
  auto m = config.raw.find("messaging");
  if (m == config.raw.end()) return policy;
  policy.transport = m->value("transport", std::string());
  policy.transports = m->value("transports", std::map<std::string, std::string>{});
  if (auto from = m->find("from"); from != m->end()) {
    policy.from_address = from->value("address", std::string());
    policy.from_name = from->value("name", std::string());
  }
  policy.envelope_from = m->value("envelope_from", std::string());
  policy.reply_to = m->value("reply_to", std::string());
  if (m->contains("templates_dir"))
    policy.templates_dir = config.resolve(m->at("templates_dir").get<std::string>());
  policy.languages = m->value("languages", policy.languages);
  policy.staff_language = m->value("staff_language", std::string());
  policy.link_valid_days = m->value("link_valid_days", 14);
  policy.feedback_valid_days = m->value("feedback_valid_days", 30);
  for (const auto& k : m->value("link_keys", json::array()))
    policy.link_keys.push_back({k.at("id").get<std::string>(), k.at("secret").get<std::string>()});
  auto check_instance = [&](const std::string& name, const std::string& pointer) {
    if (name.empty() || name == "none" || instances.count(name)) return;
    std::string known;
    for (const auto& i : instances) known += (known.empty() ? "" : ", ") + i;
    throw ConfigError(source, pointer,
                      "no connector instance '" + name +
                          "' (instances: " + (known.empty() ? "none configured" : known) + ")");
  };
  check_instance(policy.transport, "/messaging/transport");
  bool any = !policy.route("").empty();
  for (const auto& [kind, name] : policy.transports) {
    check_instance(name, "/messaging/transports/" + kind);
    any = any || name != "none";
  }
  if (any && policy.from_address.empty())
    throw ConfigError(source, "/messaging/from",
                      "a transport is configured: say whom messages are from (from.address)");
  if (!policy.staff_language.empty() && std::find(policy.languages.begin(), policy.languages.end(),
                                                  policy.staff_language) == policy.languages.end())
    throw ConfigError(source, "/messaging/staff_language",
                      "'" + policy.staff_language + "' is not one of messaging.languages");
  return policy;
}

}  // namespace

domain::BusinessCalendar load_calendar(const fs::path& file) {
  const std::string source = file.string();
  json doc = read_validated(file, "calendar");

  std::set<unsigned> weekdays;
  for (const auto& day : doc.at("working_days"))
    weekdays.insert(weekday_number(day.get<std::string>()));
  auto end_of_day = parse_hh_mm(doc.value("end_of_day", std::string("17:00")));

  std::map<domain::Date, std::string> holidays;
  std::map<domain::Date, HolidaySource> origins;
  const json holiday_files = doc.value("holidays", json::array());
  for (std::size_t i = 0; i < holiday_files.size(); ++i) {
    // Holiday files sit beside the calendar that lists them.
    fs::path holiday_file =
        resolve_against(file.parent_path(), holiday_files[i].get<std::string>());
    require_file(source, pointer_append("/holidays", i), holiday_file);
    load_holiday_file(holiday_file, holidays, origins);
  }

  std::string time_zone = doc.at("time_zone").get<std::string>();
  try {
    return domain::BusinessCalendar(time_zone, weekdays, std::move(holidays), end_of_day);
  } catch (const std::invalid_argument& e) {
    // The constructor checks the time zone against the tz database; the other checks are
    // covered by the schema, so a failure here is almost always /time_zone.
    std::string what = e.what();
    std::string path = what.find("time zone") != std::string::npos    ? "/time_zone"
                       : what.find("end of day") != std::string::npos ? "/end_of_day"
                                                                      : "/working_days";
    throw ConfigError(source, path, what);
  }
}

WorkflowDef load_workflow_file(const fs::path& file) {
  return WorkflowDef::from_json(config::read_json_file(file), file.string());
}

Definitions load_definitions(const config::EngineConfig& config) {
  const json& raw = config.raw;
  const std::string source = config.file.string();
  auto referenced_file = [&](const char* key) {
    fs::path path = config.resolve(raw.at(key).get<std::string>());
    require_file(source, std::string("/") + key, path);
    return path;
  };

  Definitions defs;
  defs.calendar = load_calendar(referenced_file("calendar"));
  defs.roles = load_roles(referenced_file("roles"));

  if (auto dir = raw.find("connectors_dir"); dir != raw.end()) {
    fs::path path = config.resolve(dir->get<std::string>());
    std::error_code ec;
    // Optional: a setup without external systems simply has no connectors folder yet.
    if (fs::is_directory(path, ec)) defs.connector_instances = load_connector_names(path);
  }

  fs::path workflows_dir = config.resolve(raw.at("workflows_dir").get<std::string>());
  std::error_code ec;
  if (!fs::is_directory(workflows_dir, ec))
    throw ConfigError(source, "/workflows_dir", "directory not found: " + workflows_dir.string());
  auto workflow_files = json_files_in(workflows_dir);
  if (workflow_files.empty())
    throw ConfigError(source, "/workflows_dir",
                      "no workflow files (*.json) in " + workflows_dir.string());
  std::map<std::string, std::string> workflow_sources;
  for (const auto& file : workflow_files) {
    const std::string wf_source = file.string();
    json doc = config::read_json_file(file);
    WorkflowDef wf = WorkflowDef::from_json(doc, wf_source);
    if (auto [it, inserted] = workflow_sources.emplace(wf.id, wf_source); !inserted)
      throw ConfigError(wf_source, "/id",
                        "workflow id '" + wf.id + "' is already used by " + it->second);
    check_workflow_references(wf, doc, defs.roles, defs.connector_instances, wf_source);
    std::string id = wf.id;
    defs.workflows.emplace(std::move(id), std::move(wf));
  }

  defs.categories = load_categories(referenced_file("categories"), defs.workflows);
  defs.default_category = raw.at("default_category").get<std::string>();
  if (auto server = raw.find("server"); server != raw.end() && server->contains("public_url"))
    defs.public_url = server->at("public_url").get<std::string>();
  if (!defs.categories.count(defs.default_category))
    throw ConfigError(source, "/default_category",
                      "unknown category '" + defs.default_category +
                          "' (categories: " + names_of(defs.categories) + ")");

  defs.dunning = load_dunning(raw, source);
  defs.notifications = load_notifications(raw, defs.roles, source);
  defs.messaging = load_messaging(config, defs.connector_instances, source);
  return defs;
}

std::vector<std::string> deadline_warnings(const Definitions& defs) {
  std::vector<std::string> warnings;
  for (const auto& [id, category] : defs.categories) {
    const WorkflowDef* wf = defs.workflow(category.workflow);
    if (!wf) continue;
    DeadlinePath path = longest_deadline_path(*wf);
    if (path.working_days <= category.max_resolution_working_days) continue;
    std::string steps;
    for (const auto& step : path.steps) {
      steps += (steps.empty() ? "" : " -> ") + step + " (" +
               std::to_string(wf->step(step)->deadline_working_days) + ")";
    }
    warnings.push_back("category '" + id + "': workflow '" + wf->id +
                       "' can take longer than the category's max_resolution_working_days (" +
                       std::to_string(category.max_resolution_working_days) +
                       "): its longest path " + steps + " adds up to " +
                       std::to_string(path.working_days) + " working days");
  }
  return warnings;
}

}  // namespace disputed::workflow
