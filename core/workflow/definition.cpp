#include "core/workflow/definition.hpp"

#include "core/domain/text.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/config/config_error.hpp"
#include "core/config/json_schema.hpp"

namespace disputed::workflow {

namespace {

using config::ConfigError;
using config::pointer_append;
using nlohmann::json;

using domain::join;
template <class Map>
std::string keys_of(const Map& map) {
  return domain::join_keys(map);
}

// Steps in reading order: breadth-first from start, following outcomes in config order; steps
// the walk does not reach follow in id order. Deterministic, so to_json() and hash() are stable.
std::vector<const StepDef*> steps_in_reading_order(const WorkflowDef& wf) {
  std::vector<const StepDef*> order;
  std::set<std::string> seen;
  std::deque<std::string> queue;
  if (wf.steps.count(wf.start)) {
    queue.push_back(wf.start);
    seen.insert(wf.start);
  }
  while (!queue.empty()) {
    const StepDef& step = wf.steps.at(queue.front());
    queue.pop_front();
    order.push_back(&step);
    for (const auto& t : step.outcomes)
      if (wf.steps.count(t.next) && seen.insert(t.next).second) queue.push_back(t.next);
  }
  for (const auto& [id, step] : wf.steps)
    if (!seen.count(id)) order.push_back(&step);
  return order;
}

std::uint64_t fnv1a_64(std::string_view data) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

EscalationChannel channel_from(const std::string& name) {
  if (name == "task") return EscalationChannel::kTask;
  if (name == "reassign") return EscalationChannel::kReassign;
  if (name == "email") return EscalationChannel::kEmail;
  return EscalationChannel::kDefault;  // the schema admits only the three names
}

// A step's escalation levels: "escalations" (a list of levels) or the older single
// "escalation" object, read as one level. Errors name the workflow, the step and the level.
std::vector<Escalation> escalations_from_json(const json& s, const std::string& path,
                                              const std::string& workflow_id,
                                              const std::string& step_id,
                                              const std::string& source) {
  std::vector<Escalation> levels;
  if (s.contains("escalation") && s.contains("escalations"))
    throw ConfigError(source, path + "/escalation",
                      "workflow '" + workflow_id + "', step '" + step_id +
                          "': give either \"escalation\" (one level) or \"escalations\" "
                          "(levels), not both");
  std::vector<std::pair<const json*, std::string>> items;
  if (auto one = s.find("escalation"); one != s.end()) items.emplace_back(&*one, "/escalation");
  if (auto list = s.find("escalations"); list != s.end())
    for (std::size_t k = 0; k < list->size(); ++k)
      items.emplace_back(&(*list)[k], pointer_append("/escalations", k));
  for (std::size_t k = 0; k < items.size(); ++k) {
    const json& e = *items[k].first;
    const std::string lpath = path + items[k].second;
    const std::string where = "workflow '" + workflow_id + "', step '" + step_id +
                              "', escalation level " + std::to_string(k + 1) + ": ";
    Escalation level;
    level.after_overdue_working_days = e.value("after_overdue_working_days", 1);
    level.to = assignee_from_json(e.at("to"));
    level.channel = channel_from(e.value("channel", std::string()));
    if (level.to.kind == domain::AssigneeKind::kPerson && !domain::looks_like_email(level.to.value))
      throw ConfigError(source, lpath + "/to/person",
                        where + "'" + level.to.value + "' is not an e-mail address");
    // Each level must come later than the one before, or two would fire at once.
    if (k > 0 && level.after_overdue_working_days <= levels.back().after_overdue_working_days)
      throw ConfigError(source, lpath + "/after_overdue_working_days",
                        where + "must be more than level " + std::to_string(k) + "'s (" +
                            std::to_string(levels.back().after_overdue_working_days) +
                            " working days overdue)");
    levels.push_back(level);
  }
  return levels;
}

}  // namespace

std::string_view to_string(EscalationChannel channel) {
  switch (channel) {
    case EscalationChannel::kTask:
      return "task";
    case EscalationChannel::kReassign:
      return "reassign";
    case EscalationChannel::kEmail:
      return "email";
    case EscalationChannel::kDefault:
      break;
  }
  return "";
}

EscalationChannel Escalation::effective_channel(const std::string& target) const {
  if (channel != EscalationChannel::kDefault) return channel;
  return target == "internal" ? EscalationChannel::kEmail : EscalationChannel::kTask;
}

// The longest simple path by deadlines: depth-first from the start over every outcome. Workflows
// are small (a handful of steps), so visiting each simple path once is cheap; a budget keeps a
// pathological file from taking long at start-up (the best path found so far is reported).
DeadlinePath longest_deadline_path(const WorkflowDef& wf) {
  DeadlinePath best;
  std::vector<std::string> path;
  std::set<std::string> on_path;
  long budget = 100000;
  auto walk = [&](auto&& self, const std::string& id, int days) -> void {
    if (--budget < 0) return;
    const StepDef* step = wf.step(id);
    if (!step || on_path.count(id)) return;
    path.push_back(id);
    on_path.insert(id);
    days += step->deadline_working_days;
    bool reaches_end = false;
    for (const auto& t : step->outcomes) {
      if (wf.ends.count(t.next))
        reaches_end = true;
      else
        self(self, t.next, days);
    }
    if (reaches_end && (days > best.working_days || best.steps.empty())) {
      best.working_days = days;
      best.steps = path;
    }
    on_path.erase(id);
    path.pop_back();
  };
  walk(walk, wf.start, 0);
  return best;
}

// ---- small lookups --------------------------------------------------------------------------

const Transition* StepDef::outcome(const std::string& name) const {
  for (const auto& t : outcomes)
    if (t.outcome == name) return &t;
  return nullptr;
}

const StepDef* WorkflowDef::step(const std::string& id) const {
  auto it = steps.find(id);
  return it == steps.end() ? nullptr : &it->second;
}

const EndDef* WorkflowDef::end(const std::string& id) const {
  auto it = ends.find(id);
  return it == ends.end() ? nullptr : &it->second;
}

const ResumePolicy& DunningPolicy::for_resolution(domain::Resolution r) const {
  auto it = per_resolution.find(r);
  return it == per_resolution.end() ? fallback : it->second;
}

const CategoryDef* Definitions::category(const std::string& id) const {
  auto it = categories.find(id);
  return it == categories.end() ? nullptr : &it->second;
}

const WorkflowDef* Definitions::workflow(const std::string& id) const {
  auto it = workflows.find(id);
  return it == workflows.end() ? nullptr : &it->second;
}

const RoleDef* Definitions::role(const std::string& id) const {
  auto it = roles.find(id);
  return it == roles.end() ? nullptr : &it->second;
}

// ---- assignee rules -------------------------------------------------------------------------

json to_json(const AssigneeRule& rule) {
  switch (rule.kind) {
    case domain::AssigneeKind::kPerson:
      return json{{"person", rule.value}};
    case domain::AssigneeKind::kRole:
      return json{{"role", rule.value}};
    case domain::AssigneeKind::kAccountManager:
      break;
  }
  return json{{"account_manager", true}};
}

AssigneeRule assignee_from_json(const json& rule) {
  if (rule.contains("person"))
    return {domain::AssigneeKind::kPerson, rule.at("person").get<std::string>()};
  if (rule.contains("role"))
    return {domain::AssigneeKind::kRole, rule.at("role").get<std::string>()};
  if (rule.contains("account_manager")) return {domain::AssigneeKind::kAccountManager, ""};
  throw std::invalid_argument("assignee rule needs person, role or account_manager: " +
                              rule.dump());
}

std::string describe(const AssigneeRule& rule) {
  switch (rule.kind) {
    case domain::AssigneeKind::kPerson:
      return "person " + rule.value;
    case domain::AssigneeKind::kRole:
      return "role " + rule.value;
    case domain::AssigneeKind::kAccountManager:
      break;
  }
  return "account manager";
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  for_each_word(text, [&](std::string_view w) { words.emplace_back(w); });
  return words;
}

// ---- workflow <-> JSON ----------------------------------------------------------------------

json WorkflowDef::to_json() const {
  json steps_json = json::array();
  std::vector<std::string> end_order;
  std::set<std::string> ends_listed;
  for (const StepDef* step : steps_in_reading_order(*this)) {
    json reminders_json = json::array();
    for (const auto& r : step->reminders)
      reminders_json.push_back({{"working_days_before", r.working_days_before}});
    json outcomes_json = json::array();
    for (const auto& t : step->outcomes) {
      outcomes_json.push_back({{"outcome", t.outcome}, {"next", t.next}});
      if (ends.count(t.next) && ends_listed.insert(t.next).second) end_order.push_back(t.next);
    }
    json s = {{"id", step->id},
              {"title", step->title},
              {"instructions", step->instructions},
              {"assignee", workflow::to_json(step->assignee)},
              {"target", step->target},
              {"deadline_working_days", step->deadline_working_days},
              {"reminders", std::move(reminders_json)},
              {"outcomes", std::move(outcomes_json)}};
    if (!step->escalations.empty()) {
      json levels = json::array();
      for (const auto& e : step->escalations) {
        json level = {{"after_overdue_working_days", e.after_overdue_working_days},
                      {"to", workflow::to_json(e.to)}};
        if (e.channel != EscalationChannel::kDefault)
          level["channel"] = std::string(workflow::to_string(e.channel));
        levels.push_back(std::move(level));
      }
      s["escalations"] = std::move(levels);
    }
    steps_json.push_back(std::move(s));
  }
  for (const auto& [id, end] : ends)
    if (ends_listed.insert(id).second) end_order.push_back(id);
  json ends_json = json::array();
  for (const auto& id : end_order) {
    const EndDef& e = ends.at(id);
    ends_json.push_back({{"id", e.id},
                         {"resolution", std::string(domain::to_string(e.resolution))},
                         {"note", e.note}});
  }
  return json{{"id", id},
              {"name", name},
              {"start", start},
              {"steps", std::move(steps_json)},
              {"ends", std::move(ends_json)}};
}

std::string WorkflowDef::hash() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t h = fnv1a_64(to_json().dump());
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
  return out;
}

WorkflowDef WorkflowDef::from_json(const json& doc, const std::string& source) {
  config::embedded_schema("workflow").validate_or_throw(doc, source);

  WorkflowDef wf;
  wf.id = doc.at("id").get<std::string>();
  wf.name = doc.at("name").get<std::string>();
  wf.start = doc.at("start").get<std::string>();

  // Where each id was defined, for messages that point at both places.
  std::map<std::string, std::string> step_paths;
  std::map<std::string, std::string> end_paths;

  const json& steps_json = doc.at("steps");
  for (std::size_t i = 0; i < steps_json.size(); ++i) {
    const json& s = steps_json[i];
    const std::string path = pointer_append("/steps", i);
    StepDef step;
    step.id = s.at("id").get<std::string>();
    if (auto [it, inserted] = step_paths.emplace(step.id, path); !inserted)
      throw ConfigError(source, path + "/id",
                        "duplicate step id '" + step.id + "' (also at " + it->second + ")");
    step.title = s.at("title").get<std::string>();
    step.instructions = s.value("instructions", std::string());
    step.assignee = assignee_from_json(s.at("assignee"));
    if (step.assignee.kind == domain::AssigneeKind::kPerson &&
        !domain::looks_like_email(step.assignee.value))
      throw ConfigError(source, path + "/assignee/person",
                        "'" + step.assignee.value + "' is not an e-mail address");
    step.target = s.value("target", std::string("internal"));
    step.deadline_working_days = s.value("deadline_working_days", 2);

    std::set<int> reminder_days;
    const json reminders = s.value("reminders", json::array());
    for (std::size_t k = 0; k < reminders.size(); ++k) {
      const std::string rpath = pointer_append(path + "/reminders", k) + "/working_days_before";
      Reminder r{reminders[k].at("working_days_before").get<int>()};
      // A reminder on or before the day the step starts would fire before anyone could act.
      if (r.working_days_before >= step.deadline_working_days)
        throw ConfigError(source, rpath,
                          "must be less than the step's deadline_working_days (" +
                              std::to_string(step.deadline_working_days) + ")");
      if (!reminder_days.insert(r.working_days_before).second)
        throw ConfigError(source, rpath,
                          "duplicate reminder " + std::to_string(r.working_days_before) +
                              " working days before the deadline");
      step.reminders.push_back(r);
    }

    step.escalations = escalations_from_json(s, path, wf.id, step.id, source);

    const json& outcomes = s.at("outcomes");
    for (std::size_t k = 0; k < outcomes.size(); ++k) {
      Transition t{outcomes[k].at("outcome").get<std::string>(),
                   outcomes[k].at("next").get<std::string>()};
      if (step.outcome(t.outcome))
        throw ConfigError(source, pointer_append(path + "/outcomes", k) + "/outcome",
                          "duplicate outcome '" + t.outcome + "' in step '" + step.id + "'");
      step.outcomes.push_back(std::move(t));
    }
    wf.steps.emplace(step.id, std::move(step));
  }

  const json& ends_json = doc.at("ends");
  for (std::size_t i = 0; i < ends_json.size(); ++i) {
    const json& e = ends_json[i];
    const std::string path = pointer_append("/ends", i);
    EndDef end;
    end.id = e.at("id").get<std::string>();
    if (auto step_path = step_paths.find(end.id); step_path != step_paths.end())
      throw ConfigError(source, path + "/id",
                        "'" + end.id + "' is already a step id (" + step_path->second +
                            "/id); step and end ids must differ");
    if (auto [it, inserted] = end_paths.emplace(end.id, path); !inserted)
      throw ConfigError(source, path + "/id",
                        "duplicate end id '" + end.id + "' (also at " + it->second + ")");
    end.resolution = *domain::parse_resolution(e.at("resolution").get<std::string>());
    end.note = e.value("note", std::string());
    wf.ends.emplace(end.id, std::move(end));
  }

  if (!wf.steps.count(wf.start))
    throw ConfigError(source, "/start",
                      wf.ends.count(wf.start)
                          ? "'" + wf.start + "' is an end; a workflow must start with a step"
                          : "unknown step '" + wf.start + "' (steps: " + keys_of(wf.steps) + ")");

  for (const auto& [id, step] : wf.steps) {
    for (std::size_t k = 0; k < step.outcomes.size(); ++k) {
      const std::string& next = step.outcomes[k].next;
      if (!wf.steps.count(next) && !wf.ends.count(next))
        throw ConfigError(source, pointer_append(step_paths.at(id) + "/outcomes", k) + "/next",
                          "unknown step or end '" + next + "' (steps: " + keys_of(wf.steps) +
                              "; ends: " + keys_of(wf.ends) + ")");
    }
  }

  // Every step must be reachable from start, and from every step some end must be reachable;
  // otherwise a dispute could be stuck forever. Report in file order.
  std::set<std::string> reachable;
  {
    std::deque<std::string> queue{wf.start};
    reachable.insert(wf.start);
    while (!queue.empty()) {
      const StepDef& step = wf.steps.at(queue.front());
      queue.pop_front();
      for (const auto& t : step.outcomes)
        if (wf.steps.count(t.next) && reachable.insert(t.next).second) queue.push_back(t.next);
    }
  }
  std::set<std::string> can_finish;  // steps from which an end is reachable
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [id, step] : wf.steps) {
      if (can_finish.count(id)) continue;
      for (const auto& t : step.outcomes) {
        if (wf.ends.count(t.next) || can_finish.count(t.next)) {
          can_finish.insert(id);
          grew = true;
          break;
        }
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> by_file_order(step_paths.begin(),
                                                                 step_paths.end());
  auto index_of = [](const std::string& path) {
    return std::stoul(path.substr(path.rfind('/') + 1));
  };
  std::sort(by_file_order.begin(), by_file_order.end(),
            [&](const auto& a, const auto& b) { return index_of(a.second) < index_of(b.second); });
  for (const auto& [id, path] : by_file_order)
    if (!reachable.count(id))
      throw ConfigError(source, path,
                        "step '" + id + "' cannot be reached from the start step '" + wf.start +
                            "' (no outcome leads to it)");
  for (const auto& [id, path] : by_file_order)
    if (!can_finish.count(id))
      throw ConfigError(source, path,
                        "no end can be reached from step '" + id +
                            "': its outcomes only lead into a loop of steps without a way out");
  return wf;
}

// ---- categories -----------------------------------------------------------------------------

const CategoryDef& Definitions::suggest_category(const std::string& text) const {
  std::map<std::string, int> word_counts;
  for (auto& word : words_of(text)) ++word_counts[word];

  const CategoryDef* best = nullptr;
  int best_hits = 0;
  for (const auto& [id, category] : categories) {  // id order, so ties go to the smaller id
    int hits = 0;
    std::set<std::string> counted;
    for (const auto& keyword : category.keywords) {
      for (auto& word : words_of(keyword)) {
        if (!counted.insert(word).second) continue;  // a keyword listed twice counts once
        auto it = word_counts.find(word);
        if (it != word_counts.end()) hits += it->second;
      }
    }
    if (hits > best_hits) {
      best = &category;
      best_hits = hits;
    }
  }
  if (best) return *best;
  auto fallback = categories.find(default_category);
  if (fallback == categories.end())
    throw std::out_of_range("default category '" + default_category + "' is not defined");
  return fallback->second;
}

}  // namespace disputed::workflow
