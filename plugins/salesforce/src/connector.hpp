#pragma once
// The Salesforce connector: a dispute step becomes a Task on the customer's Account, owned by the
// rep, upserted by an external-id field (the task key) so that a retry never makes a second one;
// creates go in batches as sObject Collections upserts. Completion is read back by one SOQL query
// per poll on SystemModstamp (API-NOTES 1.10).
//   upsert by external id:
//   https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html
//   collections upsert: https://developer.salesforce.com/docs/platform/api-rest/guide/
//   resources-composite-sobjects-collections-upsert.html

#include <optional>

#include "disputed/sdk/kit/system_connector.hpp"
#include "plugins/salesforce/src/poller.hpp"
#include "plugins/salesforce/src/salesforce_client.hpp"
#include "plugins/salesforce/src/settings.hpp"

namespace disputed::plugins::salesforce {

class SalesforceConnector final
    : public kit::SystemConnector<Settings, SalesforceClient, Poller, kit::BatchConnectorBase> {
 public:
  SalesforceConnector();

  // sObject Collections upsert: 200 records per request, one API call toward the org's limits.
  std::size_t max_batch() const noexcept override;
  // Creates are upserted together by the external-id field; updates, cancels, reminders and
  // escalations read the Task first and compare, so they stay one by one.
  bool batches(sdk::Action::Kind kind) const noexcept override;

 private:
  sdk::CheckResult on_check() override;
  sdk::ApplyResult on_create(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_update(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_cancel(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_reminder(const sdk::Action& action, const kit::TaskPayload& payload,
                               bool escalate) override;
  void on_batch(std::vector<kit::BatchItem>& items) override;

  /// The Task fields of a create with owner and WhatId looked up; a failed lookup is the
  /// action's result.
  std::optional<sdk::ApplyResult> task_record(const sdk::Action& action,
                                              const kit::TaskPayload& payload, kit::Json& task);
  /// Reads the Task and applies an update, cancel, reminder or escalation once per action key.
  sdk::ApplyResult change(const sdk::Action& action, const kit::TaskPayload& payload);
  /// One record's UpsertResult ({id, success, created, errors}) as apply() would answer it.
  sdk::ApplyResult upsert_result(const sdk::Action& action, const kit::TaskPayload& payload,
                                 const kit::Json& result);
};

}  // namespace disputed::plugins::salesforce
