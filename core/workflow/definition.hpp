#pragma once
// Category and workflow definitions, as loaded from configs/ (see docs/configuration.md).
// A running dispute keeps a snapshot of its workflow (to_json/hash), so editing a workflow file
// never changes disputes that are already under way.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/domain/calendar.hpp"
#include "core/domain/model.hpp"

namespace disputed::workflow {

/// Who gets a step: kind person (value = e-mail), role (value = role id) or account_manager
/// (value empty: the account manager of the dispute's first invoice).
struct AssigneeRule {
  domain::AssigneeKind kind = domain::AssigneeKind::kAccountManager;
  std::string value;

  bool operator==(const AssigneeRule&) const = default;
};

/// A reminder `working_days_before` the step's deadline, at the deadline's time of day
/// (0 = at the deadline itself).
struct Reminder {
  int working_days_before = 0;

  bool operator==(const Reminder&) const = default;
};

/// How an escalation level reaches its target (docs/configuration.md, "Escalation levels").
enum class EscalationChannel {
  kDefault,   // kTask for a step in a connector instance, kEmail for an internal step
  kTask,      // a task of the target's own in the step's system (internal: their to-do list)
  kReassign,  // the step (and its external task) moves to the target
  kEmail,     // a task_escalation mail to the target; the step shows in their to-do list
};

/// "task", "reassign", "email"; "" for kDefault.
std::string_view to_string(EscalationChannel channel);

/// One escalation level: once a step is `after_overdue_working_days` working days past its
/// deadline, `to` gets one action in `channel`. A step's levels are in increasing order of
/// `after_overdue_working_days`; level numbers start at 1.
struct Escalation {
  int after_overdue_working_days = 1;
  AssigneeRule to;
  EscalationChannel channel = EscalationChannel::kDefault;

  /// The channel actually used for a step with `target` ("internal" or an instance).
  EscalationChannel effective_channel(const std::string& target) const;

  bool operator==(const Escalation&) const = default;
};

/// Where an outcome leads: exactly one of `step` or `end` is set.
struct Transition {
  std::string outcome;
  std::string next;  // a step id or an end id of the same workflow

  bool operator==(const Transition&) const = default;
};

/// One action for a person.
struct StepDef {
  std::string id;
  std::string title;         // short, shown as the task subject
  std::string instructions;  // what the action-taker must do
  AssigneeRule assignee;
  std::string target = "internal";  // "internal" (the to-do list) or a connector instance name
  int deadline_working_days = 2;
  std::vector<Reminder> reminders;
  std::vector<Escalation> escalations;  // levels, in order; level N is escalations[N - 1]
  std::vector<Transition> outcomes;     // in config order; at least one

  const Transition* outcome(const std::string& name) const;

  bool operator==(const StepDef&) const = default;
};

/// An end state: reaching it resolves the dispute with `resolution`.
struct EndDef {
  std::string id;
  domain::Resolution resolution = domain::Resolution::kRejected;
  std::string note;

  bool operator==(const EndDef&) const = default;
};

struct WorkflowDef {
  std::string id;
  std::string name;
  std::string start;  // id of the first step
  std::map<std::string, StepDef> steps;
  std::map<std::string, EndDef> ends;

  const StepDef* step(const std::string& id) const;
  const EndDef* end(const std::string& id) const;

  /// Canonical JSON, the same shape as a workflow config file (without "$schema").
  nlohmann::json to_json() const;
  /// Parses the workflow file format; throws config::ConfigError naming `source` and the key
  /// path on schema violations and dangling references (unknown next step, missing start).
  static WorkflowDef from_json(const nlohmann::json& doc, const std::string& source);
  /// Stable content hash (hex) of to_json(), used as the snapshot key.
  std::string hash() const;

  bool operator==(const WorkflowDef&) const = default;
};

/// The longest chain of step deadlines from a workflow's start to an end (working days), with
/// the step ids along it: what a dispute may take when every step uses its whole deadline.
/// A loop is followed once (a path never visits a step twice).
struct DeadlinePath {
  int working_days = 0;
  std::vector<std::string> steps;
};
DeadlinePath longest_deadline_path(const WorkflowDef& workflow);

struct CategoryDef {
  std::string id;
  std::string name;
  std::string description;
  std::string workflow;  // WorkflowDef::id
  int max_resolution_working_days = 10;
  std::vector<std::string> keywords;  // lower-case words that suggest this category

  bool operator==(const CategoryDef&) const = default;
};

struct RoleDef {
  std::string id;
  std::string name;
  std::vector<std::string> members;  // e-mail addresses

  bool operator==(const RoleDef&) const = default;
};

/// How dunning resumes after a hold is released: new due date = release date (local) +
/// days_after_release calendar days, moved to the next working day when roll_to_working_day.
struct ResumePolicy {
  int days_after_release = 14;
  bool roll_to_working_day = true;

  bool operator==(const ResumePolicy&) const = default;
};

struct DunningPolicy {
  std::map<domain::Resolution, ResumePolicy> per_resolution;
  ResumePolicy fallback;
  const ResumePolicy& for_resolution(domain::Resolution r) const;

  bool operator==(const DunningPolicy&) const = default;
};

/// The date promised to the customer (disputes.due_at) is watched (notifications.promise):
/// `before_working_days` working days before it (0: no early warning) and at it, the controller
/// gets a promise_due mail; management hears at the date itself when it passes unresolved.
struct PromiseWatch {
  bool enabled = true;
  int before_working_days = 1;
  std::vector<AssigneeRule> controller;  // empty: the person who registered the dispute
  std::vector<AssigneeRule> management;  // told at the promised date only

  bool operator==(const PromiseWatch&) const = default;
};

struct NotificationPolicy {
  bool confirm_customer = true;      // confirmation with what to expect and when
  std::vector<AssigneeRule> inform;  // management: informed of new disputes, not asked to act
  bool feedback_request = true;      // ask the customer for feedback after resolution
  std::vector<AssigneeRule> digest;  // a daily digest of the day's new disputes, per recipient
  std::chrono::minutes digest_at{17 * 60};  // when, local time of the calendar
  PromiseWatch promise;

  bool operator==(const NotificationPolicy&) const = default;
};

/// The kinds of message the engine sends to people (docs/messaging.md); each has a template per
/// language in configs/templates/<lang>/.
inline const std::vector<std::string>& message_kinds() {
  static const std::vector<std::string> kinds = {
      "dispute_confirmation", "customer_update", "dispute_resolved",  "dispute_withdrawn",
      "feedback_request",     "management_info", "management_digest", "task_assigned",
      "task_reminder",        "task_escalation", "promise_due"};
  return kinds;
}

/// Who sends the engine's messages and how (disputed.json `messaging`): a transport is a
/// connector instance whose plugin has the capability "message" (smtp); one default, overridable
/// per message kind. Without a transport a message is recorded as undeliverable, never queued
/// for ever.
/// A key for the one-click links (messaging.link_keys): its id and where its secret is
/// (`env:NAME` or `file:/path`, resolved at start-up, never stored).
struct LinkKeyRef {
  std::string id;
  std::string secret;
  bool operator==(const LinkKeyRef&) const = default;
};

struct MessagingPolicy {
  std::string transport;                          // default instance; empty: none
  std::map<std::string, std::string> transports;  // kind -> instance, or "none"
  std::string from_address;
  std::string from_name;
  std::string envelope_from;  // empty: from_address
  std::string reply_to;       // may hold {dispute}
  std::filesystem::path templates_dir;
  std::vector<std::string> languages = {"en"};  // the first is the default
  std::string staff_language;                   // for action-takers and management; empty: default
  int link_valid_days = 14;
  int feedback_valid_days = 30;       // feedback and unsubscribe links
  std::vector<LinkKeyRef> link_keys;  // the first signs, every one verifies; empty: no links

  /// The instance that sends messages of `kind`; empty when none does.
  std::string route(const std::string& kind) const {
    auto it = transports.find(kind);
    std::string name = it != transports.end() ? it->second : transport;
    return name == "none" ? std::string() : name;
  }
  bool operator==(const MessagingPolicy&) const = default;
};

/// Everything the engine needs from configs/, validated as a whole.
struct Definitions {
  domain::BusinessCalendar calendar = domain::BusinessCalendar::weekdays();
  std::map<std::string, CategoryDef> categories;
  std::map<std::string, WorkflowDef> workflows;
  std::map<std::string, RoleDef> roles;
  std::string default_category;
  DunningPolicy dunning;
  NotificationPolicy notifications;
  MessagingPolicy messaging;
  std::set<std::string> connector_instances;  // names a step target may use besides "internal"
  std::string public_url;                     // server.public_url: external tasks link back to
                                              // <public_url>/disputes/<ref>

  const CategoryDef* category(const std::string& id) const;
  const WorkflowDef* workflow(const std::string& id) const;
  const RoleDef* role(const std::string& id) const;
  /// The category whose keywords best match `text` (case-insensitive), else default_category.
  const CategoryDef& suggest_category(const std::string& text) const;
};

/// The config form of an assignee rule: {"person": "a@example.com"}, {"role": "finance"} or
/// {"account_manager": true}.
nlohmann::json to_json(const AssigneeRule& rule);
/// Reads the config form (as validated by the schemas; throws nlohmann::json::exception
/// otherwise). Does not check that the role exists or that the e-mail is plausible.
AssigneeRule assignee_from_json(const nlohmann::json& rule);
/// "person a@example.com", "role finance" or "account manager", for messages and logs.
std::string describe(const AssigneeRule& rule);

/// Lower-cased words of `text`: runs of ASCII letters and digits and non-ASCII (UTF-8) bytes;
/// everything else separates words. The tokenizer behind suggest_category and keyword checks.
std::vector<std::string> words_of(const std::string& text);

/// The same words, handed to `sink` one by one (as a string_view valid during the call) instead
/// of copied into a vector: for counting words over many texts (the causes report).
template <class Sink>
void for_each_word(std::string_view text, Sink&& sink) {
  std::string word;
  for (unsigned char c : text) {
    bool word_byte =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (word_byte) {
      word += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    } else if (!word.empty()) {
      sink(std::string_view(word));
      word.clear();
    }
  }
  if (!word.empty()) sink(std::string_view(word));
}

}  // namespace disputed::workflow
