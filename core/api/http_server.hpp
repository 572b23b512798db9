#pragma once
// The HTTP listener in front of Api: cpprestsdk's http_listener, kept in http_server.cpp (the
// only file that includes cpprestsdk; it takes ~23 s to compile), so it can be replaced.

#include <chrono>
#include <memory>
#include <string>

#include "core/api/api.hpp"

namespace disputed::api {

/// Sets the size of cpprestsdk's process-wide thread pool. Must come before any other use of
/// cpprestsdk in the process (cpprestsdk throws otherwise); later calls, from anywhere, do
/// nothing. The pool runs the request handlers, which wait for the writer's group commit, so it
/// needs about as many threads as concurrent clients are expected (default 8).
void init_http_threads(int threads);

/// A TCP port that was free on 127.0.0.1 a moment ago (bind to port 0, read it, close): the
/// listener cannot report which port it got for port 0.
int pick_free_port();

class HttpServer {
 public:
  /// `host` is a name or address ("127.0.0.1", "[::1]", "0.0.0.0"). Does not listen yet.
  HttpServer(std::string host, int port, Api& api);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Starts listening; throws std::runtime_error naming the address when it cannot.
  void start();
  /// Clean stop: new requests get 503, requests in flight finish (up to `grace`), then the
  /// listener closes. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  /// "http://127.0.0.1:8080".
  std::string url() const;
  /// Requests being handled right now.
  int in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace disputed::api
