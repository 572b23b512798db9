#pragma once
// The instance file of an operator's salesforce instance against a Salesforce sandbox at
// `sandbox_url` (client credentials, client_secret_post, the secret from the environment, which
// this sets) with `settings`. For the salesforce tests and the fault matrix.

#include <string>

#include <nlohmann/json.hpp>

#include "plugins/sandbox/tests/sandbox_instance.hpp"

namespace disputed::testing {

inline nlohmann::json salesforce_instance(const std::string& sandbox_url,
                                          const nlohmann::json& settings, int max_attempts = 8) {
  return client_credentials_instance("salesforce", "salesforce", settings,
                                     {{"token_url", sandbox_url + "/services/oauth2/token"}},
                                     "DISPUTED_TEST_SALESFORCE_SECRET", max_attempts);
}

}  // namespace disputed::testing
