#include "disputed/sdk/kit/connector_base.hpp"

#include <exception>

#include "disputed/sdk/kit/http_policy.hpp"

namespace disputed::sdk::kit {

namespace {

// The exception in flight as text, for a message.
std::string what_happened() noexcept {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an unknown exception";
  }
}

const char* kind_name(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::kCreate:
      return "create";
    case Action::Kind::kUpdate:
      return "update";
    case Action::Kind::kCancel:
      return "cancel";
    case Action::Kind::kRemind:
      return "remind";
    case Action::Kind::kEscalate:
      return "escalate";
    case Action::Kind::kMessage:
      return "message";
  }
  return "unknown";
}

}  // namespace

ConnectorBase::ConnectorBase(const char* manifest_json, std::string system) noexcept
    : manifest_json_(manifest_json ? manifest_json : "{}"), system_(std::move(system)) {}

std::vector<ConfigProblem> ConnectorBase::validate(const std::string& settings_json) noexcept {
  try {
    auto settings = Settings::read(settings_json, manifest_json_);
    if (!settings) return {{settings.problem().where, settings.problem().what}};
    read_settings(*settings, false);
    return settings->problems();
  } catch (...) {
    try {
      return {{"", "the settings could not be read: " + what_happened()}};
    } catch (...) {
      return {};
    }
  }
}

OpenResult ConnectorBase::open(const std::string& settings_json, Host& host) noexcept {
  try {
    auto settings = Settings::read(settings_json, manifest_json_);
    if (!settings) return {false, settings.problem().text()};
    host_ = &host;
    read_settings(*settings, true);
    if (!settings->problems().empty()) {
      host_ = nullptr;
      const auto& first = settings->problems().front();
      return {false, "invalid settings: " + (first.field.empty() ? "" : first.field + ": ") +
                         first.problem};
    }
    return {true, ""};
  } catch (...) {
    host_ = nullptr;
    try {
      return {false, system_ + " connector could not open: " + what_happened()};
    } catch (...) {
      return {false, ""};
    }
  }
}

CheckResult ConnectorBase::check() noexcept {
  try {
    if (!host_)
      return {false, CheckResult::Category::kConfig, "the connector is not open",
              "open it with valid settings first"};
    return on_check();
  } catch (...) {
    try {
      std::string what = what_happened();
      log(LogLevel::kError, "check failed: " + what);
      return {false, CheckResult::Category::kNetwork, system_ + " connector error: " + what,
              "see the log"};
    } catch (...) {
      return {false, CheckResult::Category::kNetwork, "", ""};
    }
  }
}

ApplyResult ConnectorBase::apply(const Action& action) noexcept {
  try {
    if (!host_) return retryable("the connector is not open", {}, action.external_ref);
    if (action.kind == Action::Kind::kMessage) {
      auto message = parse_message_payload(action.payload_json);
      if (!message) return rejected(message.problem().text(), action.external_ref);
      if (auto early = before_apply(action)) return *early;
      return on_message(action, *message);
    }
    auto payload = parse_task_payload(action.payload_json);
    if (!payload) return rejected(payload.problem().text(), action.external_ref);
    return dispatch(action, *payload);
  } catch (...) {
    return apply_failed("apply");
  }
}

ApplyResult ConnectorBase::dispatch(const Action& action, const TaskPayload& payload) noexcept {
  try {
    if (auto early = before_apply(action)) return *early;
    return dispatch_unguarded(action, payload);
  } catch (...) {
    return apply_failed(kind_name(action.kind));
  }
}

ApplyResult ConnectorBase::dispatch_unguarded(const Action& action, const TaskPayload& payload) {
  switch (action.kind) {
    case Action::Kind::kCreate:
      return on_create(action, payload);
    case Action::Kind::kUpdate:
      return on_update(action, payload);
    case Action::Kind::kCancel:
      return on_cancel(action, payload);
    case Action::Kind::kRemind:
      return on_remind(action, payload);
    case Action::Kind::kEscalate:
      return on_escalate(action, payload);
    case Action::Kind::kMessage:
      break;  // read through the message contract in apply()
  }
  return rejected("unknown action kind");
}

ApplyResult ConnectorBase::apply_failed(const char* what) noexcept {
  try {
    std::string text = what_happened();
    log(LogLevel::kError, std::string(what) + " failed: " + text);
    return retryable(system_ + " connector error: " + text);
  } catch (...) {
    ApplyResult r;  // kRetryable by default
    return r;
  }
}

PollResult ConnectorBase::poll(const PollRequest& request) noexcept {
  try {
    if (!host_) return poll_retryable("the connector is not open", request.cursor);
    return on_poll(request);
  } catch (...) {
    try {
      std::string text = what_happened();
      log(LogLevel::kError, "poll failed: " + text);
      return poll_retryable(system_ + " connector error: " + text, request.cursor);
    } catch (...) {
      PollResult r;
      r.status = PollResult::Status::kRetryable;
      return r;
    }
  }
}

ApplyResult ConnectorBase::on_update(const Action& action, const TaskPayload&) {
  return rejected("the " + system_ + " connector does not apply updates", action.external_ref);
}
ApplyResult ConnectorBase::on_cancel(const Action& action, const TaskPayload&) {
  return rejected("the " + system_ + " connector does not cancel tasks", action.external_ref);
}
ApplyResult ConnectorBase::on_remind(const Action& action, const TaskPayload& payload) {
  return on_reminder(action, payload, false);
}
ApplyResult ConnectorBase::on_escalate(const Action& action, const TaskPayload& payload) {
  return on_reminder(action, payload, true);
}
ApplyResult ConnectorBase::on_reminder(const Action& action, const TaskPayload&, bool escalate) {
  return rejected(
      "the " + system_ + " connector does not " + (escalate ? "escalate" : "send reminders"),
      action.external_ref);
}
ApplyResult ConnectorBase::on_message(const Action& action, const MessagePayload&) {
  return rejected("the " + system_ + " connector does not send messages", action.external_ref);
}
std::optional<ApplyResult> ConnectorBase::before_apply(const Action&) { return std::nullopt; }

std::vector<ApplyResult> BatchConnectorBase::apply_batch(
    const std::vector<Action>& actions) noexcept {
  std::vector<ApplyResult> results;
  try {
    results.assign(actions.size(), retryable("not answered by the batch"));
    if (!opened()) {
      for (std::size_t i = 0; i < actions.size(); ++i)
        results[i] = retryable("the connector is not open", {}, actions[i].external_ref);
      return results;
    }
    std::vector<BatchItem> items;
    items.reserve(actions.size());
    for (std::size_t i = 0; i < actions.size(); ++i) {
      auto payload = parse_task_payload(actions[i].payload_json);
      if (!payload)
        results[i] = rejected(payload.problem().text(), actions[i].external_ref);
      else
        items.push_back(BatchItem{actions[i], std::move(*payload), results[i]});
    }
    try {
      if (!items.empty()) on_batch(items);
    } catch (...) {
      ApplyResult failed = apply_failed("apply_batch");
      for (auto& item : items)
        if (item.result.status == ApplyResult::Status::kRetryable &&
            item.result.message == "not answered by the batch")
          item.result = failed;
    }
    return results;
  } catch (...) {
    // Out of memory: answer nothing rather than throw; the host retries the whole batch.
    return {};
  }
}

Instant ConnectorBase::now() const { return host_->clock().now(); }

void ConnectorBase::log(LogLevel level, const std::string& message) const noexcept {
  try {
    if (host_) host_->log().log(level, message);
  } catch (...) {  // a log line must never turn into a failure
  }
}

}  // namespace disputed::sdk::kit
