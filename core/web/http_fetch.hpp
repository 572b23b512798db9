#pragma once
// The web layer's own small HTTP client, for the OpenID Connect round trip (discovery, JWKS,
// code redemption) on Boost.Beast: blocking, with one deadline for the whole exchange, https
// verified against the system's CA store with the host name checked, plain http only to
// loopback (the sandbox), redirects returned (never followed) and answers capped at 1 MiB.

#include <chrono>
#include <map>
#include <string>

namespace disputed::web {

struct FetchResponse {
  int status = 0;  // 0: no answer (see error)
  std::string body;
  std::string error;  // why there is no answer: "timeout after 5000 ms", "connection failed: ..."
};

FetchResponse fetch(const std::string& method, const std::string& url,
                    const std::map<std::string, std::string>& headers, const std::string& body,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace disputed::web
