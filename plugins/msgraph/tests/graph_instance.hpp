#pragma once
// The instance file of an operator's msgraph instance against a Graph sandbox at `sandbox_url`
// (client credentials from its token endpoint, the secret from the environment, which this sets),
// with `settings` over the base URL, check_user and a 1 s timeout. For the msgraph tests and the
// fault matrix.

#include <string>

#include <nlohmann/json.hpp>

#include "plugins/sandbox/tests/sandbox_instance.hpp"

namespace disputed::testing {

inline nlohmann::json graph_instance(const std::string& sandbox_url, const nlohmann::json& settings,
                                     int max_attempts, const std::string& name = "msgraph") {
  nlohmann::json all = {{"graph_base_url", sandbox_url + "/v1.0"},
                        {"check_user", "alex@example.com"},
                        {"request_timeout_ms", 1000}};
  all.update(settings);
  return client_credentials_instance(
      name, "msgraph", all,
      {{"token_url", sandbox_url + "/sandbox-tenant/oauth2/v2.0/token"},
       {"scope", "https://graph.microsoft.com/.default"}},
      "DISPUTED_TEST_MSGRAPH_SECRET", max_attempts);
}

}  // namespace disputed::testing
