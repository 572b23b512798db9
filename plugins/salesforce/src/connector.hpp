#pragma once
// The Salesforce connector: a dispute step becomes a Task on the customer's Account, owned by the
// rep, upserted by an external-id field (the task key) so that a retry never makes a second one;
// creates go in batches as sObject Collections upserts. Completion is read back by one SOQL query
// per poll on SystemModstamp (API-NOTES 1.10).
//   upsert by external id:
//   https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html
//   collections upsert: https://developer.salesforce.com/docs/platform/api-rest/guide/
//   resources-composite-sobjects-collections-upsert.html

#include <memory>
#include <optional>

#include "disputed/sdk/kit/connector_base.hpp"
#include "plugins/salesforce/src/poller.hpp"
#include "plugins/salesforce/src/salesforce_client.hpp"
#include "plugins/salesforce/src/settings.hpp"

namespace disputed::plugins::salesforce {

class SalesforceConnector final : public kit::BatchConnectorBase {
 public:
  SalesforceConnector();

  // sObject Collections upsert: 200 records per request, one API call toward the org's limits.
  std::size_t max_batch() const noexcept override;
  // Creates are upserted together by the external-id field; updates, cancels, reminders and
  // escalations read the Task first and compare, so they stay one by one.
  bool batches(sdk::Action::Kind kind) const noexcept override;

 private:
  void read_settings(const kit::Settings& settings, bool keep) override;
  sdk::CheckResult on_check() override;
  sdk::ApplyResult on_create(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_update(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_cancel(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_reminder(const sdk::Action& action, const kit::TaskPayload& payload,
                               bool escalate) override;
  void on_batch(std::vector<kit::BatchItem>& items) override;
  sdk::PollResult on_poll(const sdk::PollRequest& request) override;

  /// The Task fields of a create with owner and WhatId looked up; a failed lookup is the
  /// action's result.
  std::optional<sdk::ApplyResult> task_record(const sdk::Action& action,
                                              const kit::TaskPayload& payload, kit::Json& task);
  /// Reads the Task and applies an update, cancel, reminder or escalation once per action key.
  sdk::ApplyResult change(const sdk::Action& action, const kit::TaskPayload& payload);
  /// One record's UpsertResult ({id, success, created, errors}) as apply() would answer it.
  sdk::ApplyResult upsert_result(const sdk::Action& action, const kit::TaskPayload& payload,
                                 const kit::Json& result);
  sdk::ApplyResult failed(const kit::HttpOutcome& outcome, const sdk::Action& action) const;

  Settings settings_;
  std::unique_ptr<SalesforceClient> client_;
  std::unique_ptr<Poller> poller_;
};

}  // namespace disputed::plugins::salesforce
