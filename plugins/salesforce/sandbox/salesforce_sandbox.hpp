#pragma once
// A stateful emulator of the part of the Salesforce REST API the connector uses (API-NOTES
// section 1, sandbox/spec/salesforce-rest-min.yaml): the OAuth2 token endpoint (client
// credentials and JWT bearer, answering instance_url; sessions expire), the versions list,
// Task create / read / update / delete / upsert by external id, Task describe, SOQL for the
// query shapes the connector sends (anything else: MALFORMED_QUERY), query paging with
// nextRecordsUrl, sObject Collections, the error-array format, Sforce-Limit-Info and a daily
// request allocation that can run out. Seeded with a few users and accounts.
//
// Options (`disputed-sandbox salesforce --set key=value`), defaults in brackets:
//   client_id [sandbox-client], client_secret [sandbox-secret], session_seconds [7200],
//   daily_limit [15000], min_version [55], max_version [66], instance_url [the server's URL],
//   query_batch_size [2000], external_id_field [Dispute_Action_Id__c],
//   task_fields [Dispute_Outcome__c] (more Task custom fields, comma-separated),
//   account_number_field [Customer_Number__c], closed_statuses [Completed,Cancelled],
//   users [rep@example.com,manager@example.com] (the integration user is always there).
//
// Sandbox control endpoints besides the shared ones (requests, faults, reset):
//   POST /_sandbox/sessions        {"user":"rep@example.com"} -> {"access_token","instance_url"}
//                                  a session as that person (to complete a Task as the rep would);
//                                  an unknown e-mail becomes a new active User first
//   POST /_sandbox/expire-sessions every issued session is answered 401 INVALID_SESSION_ID
//   (the shared /_sandbox/clock {"advance_seconds":N} moves the sandbox's clock)
//   POST /_sandbox/limits          {"used":N,"max":M} sets the daily allocation
//   POST /_sandbox/stall-writes    {"times":1,"delay_ms":1500} carries out the next writes, then
//                                  answers late (a lost answer: the write did happen)
//   GET  /_sandbox/tasks           every Task record, as stored

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugins/sandbox/registry.hpp"
#include "plugins/sandbox/router.hpp"
#include "plugins/sandbox/token_endpoint.hpp"

namespace disputed::sandbox {

/// The salesforce sandbox with `options` (registered as "salesforce" for disputed-sandbox).
std::unique_ptr<Emulator> make_salesforce_sandbox(const Options& options);

}  // namespace disputed::sandbox

namespace disputed::sandbox::salesforce {

class SalesforceEmulator final : public Emulator {
 public:
  explicit SalesforceEmulator(const Options& options);

  std::string name() const override { return "salesforce"; }
  Response handle(const Request& request, const std::string& base_url) override;
  void reset() override;
  std::optional<Response> control(const Request& request) override;
  Response fault_response(int status, const Request& request) override;

  // ---- for in-process tests (call through Server::with_emulator)
  /// Tasks whose external-id field equals `key`.
  std::vector<nlohmann::json> tasks_with_key(const std::string& key) const;
  const std::vector<nlohmann::json>& tasks() const { return objects_.at("Task"); }
  /// A session for the seeded user with this e-mail ("" when unknown).
  std::string session_for(const std::string& email, const std::string& base_url);
  void expire_sessions() { sessions_.expire_all(); }
  /// Moves a Task's SystemModstamp `by` into the past: what a late commit looks like (Salesforce
  /// stamps at the start of a transaction that may commit after later ones).
  void backdate(const std::string& task_id, std::chrono::seconds by);
  long long api_used() const { return api_used_; }
  void set_allocation(long long used, long long max) {
    api_used_ = used;
    api_max_ = max;
  }
  int tokens_issued() const { return sessions_.issued(); }
  std::string user_id(const std::string& email) const;
  /// Where token answers send the client (e.g. a validating proxy in front of this sandbox).
  void set_instance_url(const std::string& url) { instance_url_ = url; }
  const std::string& integration_user_id() const { return integration_user_; }

 private:
  struct Cursor {
    std::string version;
    std::vector<nlohmann::json> records;
  };

  long long now_ms() const;
  long long stamp();  // strictly increasing write time
  std::string new_id(const std::string& prefix);
  Response limited(Response r) const;

  Response token(const Request& request, const std::string& instance_url);
  Response versions() const;
  Response rest(const Request& request, const std::string& version, const std::string& rest_path,
                const std::string& user_id);
  Response describe_task(const std::string& version) const;
  void build_routes();
  nlohmann::json write(const std::string& type, nlohmann::json& record, const nlohmann::json& body,
                       bool insert, const std::string& except);
  Response create_record(const Request& request, const std::string& type);
  Response record(const Request& request, const std::string& type, const std::string& id);
  Response upsert(const Request& request, const std::string& field, const std::string& value);
  Response query(const Request& request, const std::string& version);
  Response query_more(const std::string& version, const std::string& locator);
  Response collections(const Request& request, const std::string& version,
                       const std::vector<std::string>& parts, const std::string& user_id);
  /// One record of a Collections write: `fields` written (write_task) to a copy of `existing`,
  /// or to a new Task when null, and stored when valid. The record's result.
  nlohmann::json write_collection_record(const nlohmann::json& fields, nlohmann::json* existing,
                                         const std::string& user_id);

  /// Validates `body` against Task and applies it to `record` (a copy). Error list, or null.
  nlohmann::json write_task(nlohmann::json& record, const nlohmann::json& body, bool insert,
                            const std::string& user_id, const std::string& except_id);
  nlohmann::json write_account(nlohmann::json& record, const nlohmann::json& body, bool insert,
                               const std::string& user_id);
  nlohmann::json* find(const std::string& type, const std::string& id);
  std::vector<nlohmann::json*> find_by(const std::string& type, const std::string& field,
                                       const std::string& value);
  nlohmann::json project(const std::string& type, const nlohmann::json& record,
                         const std::vector<std::string>& fields, const std::string& version) const;
  bool is_field(const std::string& type, const std::string& field) const;
  void seed();

  // options
  std::string client_id_, client_secret_, instance_url_, ext_field_, account_number_field_;
  long long session_ms_ = 7200 * 1000;
  long long daily_limit_ = 15000;
  int min_version_ = 55, max_version_ = 66;
  std::size_t batch_size_ = 2000;
  std::vector<std::string> task_custom_fields_;
  std::set<std::string> closed_statuses_;
  std::vector<std::string> seeded_users_;

  // state
  std::map<std::string, std::vector<nlohmann::json>> objects_;  // type -> records
  TokenEndpoint sessions_;         // access tokens -> the user they act as
  Router api_;                     // the REST resources below /services/data/<version>
  std::string version_, user_id_;  // of the request being answered
  std::map<std::string, Cursor> cursors_;
  std::string integration_user_;
  long long last_stamp_ = 0;
  long long api_used_ = 0, api_max_ = 15000;
  int next_id_ = 1;
  int stall_times_ = 0, stall_ms_ = 0;
};

}  // namespace disputed::sandbox::salesforce
