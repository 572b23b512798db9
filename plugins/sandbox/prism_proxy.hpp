#pragma once
// Stoplight Prism in `proxy --errors` mode between a plugin and its sandbox, for the connectors'
// conformance tests (API-NOTES section 5): every request the plugin sends and every answer the
// sandbox gives is checked against the vendor's API description; a violation turns the answer
// into an error (Prism answers 4xx/5xx with a problem+json body naming the violation) and is
// written to Prism's log, which violations() returns.
//
// Prism comes from `make setup` (build/prism); DISPUTED_PRISM overrides the binary's path.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "plugins/sandbox/helper_process.hpp"

namespace disputed::sandbox {

class PrismProxy {
 public:
  /// Starts `prism proxy SPEC UPSTREAM --errors` on a free loopback port and waits (up to 90 s)
  /// until it listens; throws std::runtime_error with Prism's log when it does not.
  PrismProxy(const std::filesystem::path& spec, const std::string& upstream_url,
             const std::filesystem::path& log_file)
      : log_file_(log_file) {
    auto binary = prism_binary();
    if (!std::filesystem::exists(binary))
      throw std::runtime_error("Prism not found at " + binary.string() + " (run `make setup`)");
    port_ = free_port();
    std::filesystem::remove(log_file_);
    process_.start({binary.string(), "proxy", spec.string(), upstream_url, "--errors", "-h",
                    "127.0.0.1", "-p", std::to_string(port_)},
                   log_file_, std::chrono::seconds(5));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (log().find("Prism is listening") == std::string::npos) {
      if (process_.exited()) throw std::runtime_error("Prism exited at start-up:\n" + log());
      if (std::chrono::steady_clock::now() > deadline) {
        stop();
        throw std::runtime_error("Prism did not listen within 90 s:\n" + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  ~PrismProxy() { stop(); }
  PrismProxy(const PrismProxy&) = delete;
  PrismProxy& operator=(const PrismProxy&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  /// Prism's whole log so far.
  std::string log() const {
    std::ifstream in(log_file_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  /// Log lines that report a request or response violating the description.
  std::vector<std::string> violations() const {
    std::vector<std::string> out;
    std::istringstream lines(log());
    for (std::string line; std::getline(lines, line);)
      if (line.find("Violation:") != std::string::npos ||
          line.find("[VALIDATOR]") != std::string::npos)
        if (line.find("✖") != std::string::npos || line.find("error") != std::string::npos)
          out.push_back(line);
    return out;
  }

  void stop() { process_.stop(); }

  static std::filesystem::path prism_binary() {
    if (const char* env = std::getenv("DISPUTED_PRISM"); env && *env) return env;
#ifdef DISPUTED_SOURCE_DIR
    return std::filesystem::path(DISPUTED_SOURCE_DIR) / "build/prism/node_modules/.bin/prism";
#else
    return "build/prism/node_modules/.bin/prism";
#endif
  }

 private:
  static int free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
  }

  std::filesystem::path log_file_;
  int port_ = 0;
  HelperProcess process_;
};

}  // namespace disputed::sandbox
