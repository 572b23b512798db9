#pragma once
// A cpprestsdk listener on 127.0.0.1 and a free port, playing token endpoint and API in the
// net tests. Records every request; answers with whatever the test's handler returns.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "disputed/sdk/host.hpp"

namespace disputed::net::test {

struct RecordedRequest {
  std::string method;
  std::string path;   // decoded path, e.g. "/api/v2/tickets.json"
  std::string query;  // raw query, without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// First header with this name (case-insensitive), or "".
  std::string header(const std::string& name) const;
  bool has_header(const std::string& name) const;
  /// The body as application/x-www-form-urlencoded fields, decoded.
  std::map<std::string, std::string> form() const;
};

struct CannedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Answer this late (interrupted when the server shuts down).
  std::chrono::milliseconds delay{0};
};

using Handler = std::function<CannedResponse(const RecordedRequest&)>;

class LoopbackServer {
 public:
  /// Opens on a free loopback port (bind to port 0, read it back, retry on a clash).
  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  /// "http://127.0.0.1:<port>".
  std::string base_url() const;
  int port() const { return port_; }
  std::vector<RecordedRequest> requests() const;
  /// Requests whose path is `path`.
  std::size_t count(const std::string& path) const;
  void set_handler(Handler handler);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

/// A port nothing listens on (bound and released).
int unused_port();

/// An sdk::Logger that keeps every line.
class CapturingLogger final : public sdk::Logger {
 public:
  void log(sdk::LogLevel level, const std::string& message) override;
  std::vector<std::string> lines() const;
  /// All lines joined with '\n'.
  std::string text() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

/// Decodes %XX and '+' (form encoding).
std::string url_decode(const std::string& text);
/// RFC 4648 §5 base64url without padding, decoded.
std::string base64url_decode(const std::string& text);
/// JSON token-endpoint answer with access_token and, when > 0, expires_in.
std::string token_json(const std::string& access_token, int expires_in = 3600);

}  // namespace disputed::net::test
