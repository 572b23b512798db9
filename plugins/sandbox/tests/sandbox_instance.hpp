#pragma once
// The instance file an operator writes for a plugin that signs in with OAuth2 client credentials
// (client_secret_post) at a sandbox's token endpoint, its secret from the environment variable
// `secret_env` (set here to the sandboxes' "sandbox-secret"). For the plugin tests and the fault
// matrix (plugins/msgraph/tests/graph_instance.hpp,
// plugins/salesforce/tests/salesforce_instance.hpp).

#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

namespace disputed::testing {

inline nlohmann::json client_credentials_instance(const std::string& name,
                                                  const std::string& plugin,
                                                  const nlohmann::json& settings,
                                                  nlohmann::json auth,
                                                  const std::string& secret_env, int max_attempts) {
  setenv(secret_env.c_str(), "sandbox-secret", 1);
  auth["client_id"] = "sandbox-client";
  auth["client_auth"] = "client_secret_post";
  return {{"name", name},
          {"plugin", plugin},
          {"settings", settings},
          {"auth", auth},
          {"secrets", {{"client_secret", "env:" + secret_env}}},
          {"allowed_hosts", {"127.0.0.1:*"}},
          {"max_attempts", max_attempts}};
}

}  // namespace disputed::testing
