#pragma once
// The HTTP(S) listener in front of Api, on Boost.Beast (http_server.cpp is the only file that
// includes it). Every limit holds while a request is read, before memory is spent on it: the
// head's size and time, the body's size (413 as soon as it passes the limit, chunked or not)
// and time, the connections open at once, and idle keep-alive connections. Sockets are served
// by a few I/O threads; Api::handle runs on a separate worker pool, because a command waits for
// the writer's group commit and must not hold up the sockets.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/api/api.hpp"
#include "core/domain/result.hpp"

namespace disputed::api {

/// Sets the size of cpprestsdk's process-wide thread pool, which the outbound HTTP client
/// (core/net) uses. Must come before any other use of cpprestsdk in the process (cpprestsdk
/// throws otherwise); later calls, from anywhere, do nothing. Also initialises OpenSSL on the
/// calling thread.
void init_http_threads(int threads);

/// A TCP port that was free on 127.0.0.1 a moment ago (bind to port 0, read it, close).
int pick_free_port();

/// Certificate and key for HTTPS (PEM files; the certificate file may hold the chain).
struct TlsFiles {
  std::filesystem::path certificate_file;
  std::filesystem::path private_key_file;
};

/// How much a client may send and for how long; see docs/configuration.md (server.*).
struct HttpServerOptions {
  int worker_threads = 8;                    ///< run Api::handle (server.threads)
  int io_threads = 2;                        ///< drive the sockets
  std::size_t max_header_bytes = 16 * 1024;  ///< request line and headers; more: 431
  std::size_t max_connections = 256;         ///< open at once; more are closed on accept
  /// The first request's head must arrive within this (slowloris).
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  /// A body must arrive within this after its head.
  std::chrono::milliseconds body_timeout{std::chrono::seconds(60)};
  /// A kept-alive connection is closed after this long without a new request; once its first
  /// byte came, the rest of the head has header_timeout.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  /// An answer must be taken by the client within this.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
  /// HTTPS with these files (TLS 1.2 or later); plain HTTP when absent.
  std::optional<TlsFiles> tls;
};

/// The TLS context for `files`, checked: both files readable, the key matching the
/// certificate. An error names the file and what is wrong. For start-up checks and tests.
domain::Status check_tls_files(const TlsFiles& files);

class HttpServer {
 public:
  /// `host` is a name or address ("127.0.0.1", "[::1]", "0.0.0.0"); port 0 picks a free one.
  /// Does not listen yet.
  HttpServer(std::string host, int port, Api& api, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Starts listening; throws std::runtime_error naming the address (or the TLS file) when it
  /// cannot.
  void start();
  /// Clean stop: new requests get 503, requests in flight finish (up to `grace`), then every
  /// connection closes. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  /// Reads the certificate and key files again (SIGHUP); new connections use them, open ones
  /// keep theirs. On an error the old ones stay and the error says why. Ok without TLS.
  domain::Status reload_tls();
  /// "http://127.0.0.1:8080" or "https://...", with the port actually bound.
  std::string url() const;
  /// Requests being handled or answered right now.
  int in_flight() const;
  /// Connections open right now.
  int connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace disputed::api
