#pragma once
// The part every sandbox shares: an HTTP/1.1 server on loopback (Boost.Beast, one thread per
// connection), the request log, fault injection and reset under /_sandbox/, and the emulator
// interface each system's sandbox implements. The shapes of the control endpoints are the same
// for every sandbox:
//   GET  /_sandbox/requests -> {"requests":[{"method","path","target","status","replayed",
//                                            "spoilt","at"}]}
//        ("replayed": the answer repeated an earlier one from an idempotency store, so nothing
//        was made: count creates as 201s that are not replayed)
//   POST /_sandbox/faults   <- {"method":"POST","path":"/api/v2/tickets","status":429,
//                               "retry_after":2,"delay_ms":0,"drop":false,"times":3}
//        ("path" ending in '*' matches by prefix; "method" may be omitted for any; status 0
//        with delay_ms only slows the real answer; times -1 = until reset; DELETE clears)
//        or, the request carried out and only its answer spoilt on the way back:
//                           <- {"path":"/api/v2/tickets","answer":"lost"|"malformed_json"|
//                               "truncated"|"oversized"|"wrong_content_type"|"trickle",
//                               "trickle_ms":100}
//        (lost: the connection closes without it; malformed_json: its first half only, with a
//        matching Content-Length; truncated: Content-Length of the whole, half sent, then closed;
//        oversized: padded with spaces to 65 MiB, past the engine's 64 MiB; wrong_content_type: an
//        HTML page as text/html; trickle: sent in 16 pieces, trickle_ms apart)
//   POST /_sandbox/reset    -> state back to the seed, faults and log cleared
//   GET  /_sandbox/clock    -> {"now": "2026-11-30T12:00:00.123Z"}
//   POST /_sandbox/clock    <- {"advance_seconds": N}: the sandbox's time moves on (no sleeping)
// Anything else under /_sandbox/ goes to Emulator::control (e.g. "expire every token").

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace disputed::sandbox {

/// One HTTP request as the emulator sees it. Header names are lower case; `path` is decoded and
/// without the query; `query` holds the decoded parameters (a repeated name keeps the last).
struct Request {
  std::string method;
  std::string target;  ///< as sent: path and query, not decoded
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;
  std::string body;

  /// A request as the server parses it off the wire: `target` split into the decoded path and
  /// query ('+' is a space in query values), header names lower-cased.
  static Request make(std::string method, std::string target,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::string body);

  std::optional<std::string> header(const std::string& lower_case_name) const;
  std::optional<std::string> param(const std::string& name) const;
  /// The body as JSON; nullopt when it is not JSON.
  std::optional<nlohmann::json> json() const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Set by an emulator that answers from its idempotency store (a repeated Idempotency-Key):
  /// the request log marks the request "replayed", so a replayed 201 is not counted as a create.
  bool replayed = false;

  /// How the connection sends the answer: whole, or spoilt by an injected fault (Fault::answer).
  enum class Wire { kWhole, kTruncated, kTrickle };
  Wire wire = Wire::kWhole;
  int trickle_ms = 0;  ///< the pause between the pieces of a kTrickle answer

  static Response json(int status, const nlohmann::json& body);
  static Response empty(int status);
  Response& with_header(std::string name, std::string value);
  /// Marks the answer as a replay of an earlier one (see `replayed`).
  Response& as_replay();
};

/// The sandbox's time, injected into every emulator so that no test sleeps for time to pass: the
/// system clock moved by what advance() added, or frozen at a chosen instant. Thread-safe.
class SandboxClock {
 public:
  using Time = std::chrono::sys_time<std::chrono::milliseconds>;
  Time now() const;
  /// Seconds since the epoch, now.
  std::int64_t unix_seconds() const;
  /// Moves time on (or back, with a negative duration).
  void advance(std::chrono::milliseconds by);
  /// Stops the clock at `at`; afterwards only advance() moves it.
  void freeze(Time at);

 private:
  mutable std::mutex mutex_;
  std::optional<Time> frozen_;
  std::chrono::milliseconds offset_{0};
};

/// A system's emulator. The server calls handle/control/reset one at a time (under one lock),
/// so an emulator needs no locking of its own.
class Emulator {
 public:
  virtual ~Emulator() = default;
  /// "zendesk", "salesforce", "msgraph".
  virtual std::string name() const = 0;
  /// Answers one API request. `base_url` is the server's own "http://127.0.0.1:PORT" (for links
  /// such as nextRecordsUrl or @odata.nextLink).
  virtual Response handle(const Request& request, const std::string& base_url) = 0;
  /// Back to the seeded state.
  virtual void reset() = 0;
  /// System-specific /_sandbox/ endpoints; nullopt = 404.
  virtual std::optional<Response> control(const Request&) { return std::nullopt; }
  /// The answer an injected fault gives, in the system's own error shape.
  virtual Response fault_response(int status, const Request& request);

  /// The time every emulator reads (its server's clock once it has one).
  const SandboxClock& clock() const { return clock_ ? *clock_ : own_clock_; }
  /// Called by the Server that runs the emulator.
  void use_clock(const SandboxClock& clock) { clock_ = &clock; }

 private:
  const SandboxClock* clock_ = nullptr;
  SandboxClock own_clock_;
};

/// What /_sandbox/faults takes.
struct Fault {
  std::string method;  ///< empty = any
  std::string path;    ///< exact, or a prefix when it ends with '*'
  int status = 0;      ///< 0 = answer normally (after delay_ms)
  int retry_after = -1;
  int delay_ms = 0;
  bool drop = false;  ///< close the connection without an answer
  int times = 1;      ///< -1 = until reset
  /// Empty: the fault is the status, delay or drop above. Otherwise the emulator carries the
  /// request out (the effect happens) and its answer is spoilt on the way back: "lost",
  /// "malformed_json", "truncated", "oversized", "wrong_content_type" or "trickle".
  std::string answer;
  int trickle_ms = 100;  ///< "trickle": the pause between pieces

  /// The answers `answer` accepts.
  static const std::vector<std::string>& answer_faults();
  /// Parses the JSON body of POST /_sandbox/faults; an error names the field.
  static Fault from_json(const nlohmann::json& body);
  bool matches(const Request& request) const;
};

struct SeenRequest {
  std::string method;
  std::string path;
  std::string target;
  int status = 0;  ///< 0 when the connection was dropped
  std::string at;  ///< UTC, ISO 8601 with milliseconds
  /// The answer replayed an earlier one (Response::replayed): nothing new was made.
  bool replayed = false;
  /// The injected Fault::answer that spoilt the answer ("" when none): `status` is what the
  /// emulator answered, not what the client received.
  std::string spoilt;
};

class Server {
 public:
  /// Listens on host:port (port 0 = a free one) once start() is called.
  explicit Server(std::unique_ptr<Emulator> emulator, std::string host = "127.0.0.1", int port = 0);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts accepting; throws std::runtime_error when the address is taken.
  void start();
  /// Closes the listener and every open connection and joins their threads. Idempotent.
  void stop();

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT"
  std::string url() const;

  /// The sandbox's time (what /_sandbox/clock moves).
  SandboxClock& clock() { return clock_; }
  /// Waits until no request is being answered (e.g. one an injected delay holds after its client
  /// gave up), so a test need not sleep.
  void wait_idle();

  /// For in-process tests: the same operations as the control endpoints.
  void add_fault(const Fault& fault);
  std::vector<SeenRequest> requests() const;
  void reset();
  /// Runs `f` on the emulator under the server's lock (e.g. to complete a task in a test).
  template <class F>
  auto with_emulator(F&& f) {
    std::lock_guard lock(state_mutex_);
    return f(*emulator_);
  }

  /// Answers one request (used by the connection threads; public for tests).
  /// Returns nullopt when the connection must be dropped.
  std::optional<Response> serve(const Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Emulator> emulator_;
  std::string host_;
  int port_;
  mutable std::mutex state_mutex_;  // emulator, faults, log
  std::vector<Fault> faults_;
  std::vector<SeenRequest> log_;
  SandboxClock clock_;
  std::mutex busy_mutex_;
  std::condition_variable idle_;
  int busy_ = 0;  // requests being answered
};

/// The size of an "oversized" answer: beyond the engine's 64 MiB limit on vendor answers.
inline constexpr std::size_t kOversizedAnswerBytes = 65u * 1024 * 1024;

/// `at` as "2026-11-30T12:00:00.123Z" (what the request log shows).
std::string iso_time(SandboxClock::Time at);

}  // namespace disputed::sandbox
