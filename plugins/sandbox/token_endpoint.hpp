#pragma once
// The OAuth 2.0 token endpoint every sandbox shares (RFC 6749): the client authenticated by its
// form fields (client_secret_post) or an HTTP Basic header (client_secret_basic, each part
// form-encoded), access tokens issued for a subject (the user they act as) with a lifetime on the
// sandbox's clock, and the lookup of a bearer token. Each sandbox keeps its vendor's answer shapes
// and grant types; this is the part they have in common.

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "plugins/sandbox/sandbox_server.hpp"

namespace disputed::sandbox {

class TokenEndpoint {
 public:
  /// The form fields of a token request (application/x-www-form-urlencoded).
  static std::map<std::string, std::string> form(const Request& request);
  /// The client id and secret the request presents (Basic header first, else the form).
  static std::pair<std::string, std::string> client(const Request& request,
                                                    const std::map<std::string, std::string>& form);

  /// A new access token for `subject`, valid `lifetime` from `now`; `prefix` shapes it like the
  /// vendor's (e.g. Salesforce's "00D...!").
  std::string issue(const std::string& subject, std::chrono::milliseconds lifetime,
                    SandboxClock::Time now, const std::string& prefix = "sandbox-token-");
  /// Accepts `token` for `subject` until it is forgotten (a static API token).
  void accept(const std::string& token, const std::string& subject);
  /// The subject of a bearer token that is known and not expired at `now`.
  std::optional<std::string> subject(const std::string& token, SandboxClock::Time now) const;
  /// The subject of the request's "Authorization: Bearer ..." header, as subject() decides.
  std::optional<std::string> bearer(const Request& request, SandboxClock::Time now) const;
  /// Every issued token refused from now on (static ones stay); how many there were.
  int expire_all();
  /// Forgets every token and the count of issued ones.
  void clear();
  /// Tokens issued so far.
  int issued() const { return issued_; }

 private:
  struct Grant {
    std::string subject;
    std::optional<SandboxClock::Time> expires;  // none: static
  };
  std::map<std::string, Grant> tokens_;
  int issued_ = 0;
};

}  // namespace disputed::sandbox
