#pragma once
// The Salesforce REST API over the host's HTTP port: calls under the token's instance_url, SOQL
// queries with paging, Salesforce's error arrays and its daily allocation (Sforce-Limit-Info),
// and the lookups a Task needs (User by e-mail, Account by customer number, invoice record), each
// cached in the host's store.
//   query + paging:
//   https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.html errors:
//   https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.html
//   Sforce-Limit-Info:
//   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm

#include <optional>
#include <string>
#include <vector>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/kit/http_policy.hpp"
#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/json_api.hpp"
#include "disputed/sdk/kit/task_contract.hpp"
#include "plugins/salesforce/src/settings.hpp"

namespace disputed::plugins::salesforce {

namespace kit = sdk::kit;

using kit::Reply;

/// A record id: 15 or 18 letters and digits.
bool valid_id(const std::string& id);
/// A task key Salesforce's external-id field can hold: 1-80 of [A-Za-z0-9:_-].
bool valid_key(const std::string& key);
/// A SOQL string literal.
std::string soql_quote(const std::string& value);

class SalesforceClient {
 public:
  /// `host` and `settings` outlive the client.
  SalesforceClient(sdk::Host& host, const Settings& settings);

  const kit::HttpPolicy& policy() const noexcept { return policy_; }
  /// The token response's instance_url (every REST call goes there), without a trailing '/'.
  kit::Fetched<std::string> instance_url();
  /// A call to `path` ("/services/...") under instance_url. A 300 (several records for one
  /// external id) is not ok: the caller names it.
  Reply call(const std::string& method, const std::string& path, const kit::Json* body = nullptr);
  /// "/services/data/<api_version><rest>".
  std::string data_path(const std::string& rest) const;
  /// "api-usage=18/5000" once an answer carried Sforce-Limit-Info, else empty.
  std::string usage_text() const;

  /// Runs a SOQL query and follows nextRecordsUrl up to `max_pages` pages; records in order.
  /// `more` is set when pages were left unread.
  kit::Fetched<std::vector<kit::Json>> query(const std::string& soql, int max_pages,
                                             bool* more = nullptr);
  /// The active User with this e-mail, or "" when none.
  kit::Fetched<std::string> user_by_email(const std::string& email);
  struct Account {
    std::string id;
    std::string owner;
  };
  /// The Account with this customer number (id empty when none).
  kit::Fetched<Account> account_by_number(const std::string& number);
  /// The invoice record with this number, or "" when none.
  kit::Fetched<std::string> invoice_by_number(const std::string& number);
  /// Drops the cached lookups a payload used (a User or Account that went away).
  void forget_lookups(const kit::TaskPayload& payload);
  /// Our Task by its key; nullopt when there is none.
  kit::Fetched<std::optional<kit::Json>> find_task(const std::string& task_key);
  /// A person's link to a Task.
  std::string task_url(const std::string& id);

 private:
  void note_usage(const sdk::HttpResponse& response);
  kit::HttpOutcome no_answer(sdk::HttpResponse::Failure failure, const std::string& why) const;

  sdk::Host& host_;
  const Settings& settings_;
  kit::HttpPolicy policy_;
  long long api_used_ = 0, api_max_ = 0;
};

}  // namespace disputed::plugins::salesforce
