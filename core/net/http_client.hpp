#pragma once
// The HTTP port a connector uses (sdk::HttpClient), on cpprestsdk's http_client — which stays
// inside http_client.cpp so it can be replaced. Adds what the SDK promises: a host allow-list,
// timeouts, credentials, one retry after a 401 with a fresh OAuth2 token, one redacted log line
// per request, and counters for the host's status page and /metrics.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/domain/result.hpp"
#include "core/net/url.hpp"
#include "disputed/sdk/host.hpp"

namespace disputed::net {

class Authenticator;

struct HttpClientOptions {
  /// Manifest plus instance entries (see HostAllowList for the forms). Empty allows nothing.
  std::vector<std::string> allowed_hosts;
  /// Plain http:// is allowed only to loopback hosts unless this is set (e.g. a sandbox on
  /// another container); credentials would otherwise cross the network in clear text.
  bool allow_plain_http = false;
  /// A request's own timeout is capped at this.
  std::chrono::milliseconds max_timeout{std::chrono::minutes(2)};
  /// Outgoing proxy URL; empty connects directly (http_proxy variables are ignored).
  std::string proxy;
  std::string user_agent = "disputed";
  /// Larger response bodies are refused (status 0, error) rather than held in memory.
  std::size_t max_response_bytes = 64 * 1024 * 1024;
};

/// Counters of one client since it was created. Every attempt that reached the network counts
/// once (a retry after 401 is a second request).
struct HttpMetrics {
  std::uint64_t requests = 0;           ///< requests sent to the network
  std::uint64_t refused = 0;            ///< refused before the network (URL, host, header)
  std::uint64_t auth_unavailable = 0;   ///< not sent: no credential (token endpoint failed)
  std::uint64_t no_response = 0;        ///< sent, but no answer (connection error, timeout)
  std::uint64_t timeouts = 0;           ///< of which timeouts
  std::uint64_t retries_after_401 = 0;  ///< second attempts with a fresh OAuth2 token
  /// Answers per class: [1] 1xx ... [5] 5xx; [0] counts no_response.
  std::array<std::uint64_t, 6> by_class{};
  std::map<int, std::uint64_t> by_status;      ///< answers per status code (0: no response)
  std::chrono::milliseconds total_latency{0};  ///< summed over requests sent
};

class HttpClient final : public sdk::HttpClient {
 public:
  /// Builds a client. `auth` (nullptr: no credentials) and `log` must outlive it. Fails when an
  /// allowed-host entry or the proxy URL is malformed.
  static domain::Result<std::unique_ptr<HttpClient>> create(HttpClientOptions options,
                                                            Authenticator* auth, sdk::Logger& log);
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends the request and waits for the answer; never throws. Status 0 when there is none, with
  /// `failure` saying why and `error` saying it for people: kRefused when the request was not sent
  /// (URL not absolute, host not allowed, plain http to a non-loopback host, a bad header or one
  /// the client manages (Host, Content-Length, Transfer-Encoding)), kNoCredential when no
  /// credential could be had, kTimeout ("timeout after N ms") or kConnection ("connection
  /// failed: ...", an answer over the size limit). Any answer, 4xx/5xx included, is returned
  /// as-is. With OAuth2, a 401 invalidates the token and the request is sent once more with a
  /// fresh one; a second 401 is returned.
  sdk::HttpResponse send(const sdk::HttpRequest& request) override;

  /// Ok when `url` may be requested (absolute, allowed host, https or loopback), else why not.
  domain::Status check_url(const std::string& url) const;
  const HostAllowList& allowed_hosts() const noexcept;
  /// A copy of the counters.
  HttpMetrics metrics() const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The answer to one form POST (a token request).
struct FormPostAnswer {
  int status = 0;          ///< 0: no answer (see `error`)
  std::string body;        ///< at most the limit given
  bool timed_out = false;  ///< no answer within the timeout
  std::string error;       ///< why there is no answer
};

/// POSTs `form` (application/x-www-form-urlencoded) to `url` once: a redirect is returned as
/// it is, never followed (it could carry the credential in the form or in `headers` to another
/// host, or to plain http); TLS certificates are checked when `verify_tls`; the body is cut off
/// at `max_body_bytes`. The caller checks `url` against the allow-list first. Never throws.
FormPostAnswer post_form_once(const std::string& url, const std::string& form,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              std::chrono::milliseconds timeout, bool verify_tls,
                              std::size_t max_body_bytes = 1 << 20);

}  // namespace disputed::net
