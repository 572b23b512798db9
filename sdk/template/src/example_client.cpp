#include "example_client.hpp"

#include <utility>
#include <vector>

#include "disputed/sdk/kit/codecs.hpp"

namespace template_connector {

ExampleClient::ExampleClient(sdk::Host& host, const Settings& settings)
    // The kit's default error reader takes {"error": code, "message": text}, this API's shape.
    // TODO(vendor): a read_error for your error body; refine() for verdicts the table cannot know.
    : host_(host), settings_(settings), policy_(kit::ErrorDialect{"Example Tasks", {}, {}, {}}) {}

kit::Reply ExampleClient::call(const std::string& method, const std::string& path,
                               const kit::Json* body, const std::string& idempotency_key) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
  return kit::exchange(host_, policy_,
                       kit::json_request(method, settings_.base_url + path, body,
                                         settings_.request_timeout, std::move(headers)));
}

kit::Fetched<std::optional<kit::Json>> ExampleClient::find_task(const std::string& task_key) {
  // TODO(vendor): how your API finds a record by an external id (a filter, a search, an upsert
  // key such as Salesforce's external-id field).
  kit::Reply r = call("GET", list_path("&external_id=" + kit::percent_encode(task_key)));
  if (!r.ok()) return r.outcome;
  kit::JsonView tasks = kit::JsonView(r.body)["tasks"];
  if (!tasks.is_array()) return policy_.malformed(r.response, tasks.problem("expected an array"));
  for (const auto& task : tasks.elements())
    if (task["external_id"].string_or() == task_key) return std::optional<kit::Json>(*task.json());
  return std::optional<kit::Json>();
}

std::string ExampleClient::task_path(const std::string& id) {
  return "/tasks/" + kit::percent_encode(id);
}

std::string ExampleClient::list_path(const std::string& query) const {
  return "/tasks?project=" + kit::percent_encode(settings_.project) + query;
}

}  // namespace template_connector
