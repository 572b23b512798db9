#pragma once
// How every Zendesk test and bench lets the plugin in: a FakeHost on Zendesk's hosts signed in as
// the sandbox's agent, with an API token (auth kind basic, "agent@example.com/token" as the
// zendesk manifest says) or, for the zendesk-oauth variant, with an OAuth access token (bearer).
// The sandbox knows "sandbox-token" and "sandbox-oauth-token"; any other secret is refused.

#include <string>

#include "disputed/sdk/testing/fake_host.hpp"

namespace disputed::sandbox::zendesk {

inline sdk::testing::FakeHostOptions agent_host_options(const std::string& secret = "sandbox-token",
                                                        bool oauth = false) {
  sdk::testing::FakeHostOptions o;
  o.allowed_hosts = {"*.zendesk.com"};
  if (oauth) {
    o.auth_kind = "bearer";
    o.bearer_token = secret;
  } else {
    o.auth_kind = "basic";
    o.basic_username = "agent@example.com/token";
    o.basic_password = secret;
  }
  return o;
}

}  // namespace disputed::sandbox::zendesk
