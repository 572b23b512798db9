#pragma once
// The Example Tasks API (README.md) over the host's HTTP port: one request shape, the kit's HTTP
// outcome policy with this API's error body, and the lookups the connector and the poller share.
// TODO(vendor): your API's paths, idempotency header and error body.

#include <optional>
#include <string>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/kit/http_policy.hpp"
#include "disputed/sdk/kit/json_api.hpp"
#include "settings.hpp"

namespace template_connector {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::kit;

class ExampleClient {
 public:
  /// `host` and `settings` outlive the client.
  ExampleClient(sdk::Host& host, const Settings& settings);

  const kit::HttpPolicy& policy() const noexcept { return policy_; }
  /// One request to `path` under base_url; an Idempotency-Key when given.
  kit::Reply call(const std::string& method, const std::string& path,
                  const kit::Json* body = nullptr, const std::string& idempotency_key = {});
  /// The task whose external_id is `task_key` in the project; nullopt when there is none.
  kit::Fetched<std::optional<kit::Json>> find_task(const std::string& task_key);
  /// "/tasks/<id>", the id percent-encoded.
  static std::string task_path(const std::string& id);
  /// "/tasks?project=<project>" plus `query` ("&name=value...").
  std::string list_path(const std::string& query) const;

 private:
  sdk::Host& host_;
  const Settings& settings_;
  kit::HttpPolicy policy_;
};

}  // namespace template_connector
