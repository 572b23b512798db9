#include "tests/core/net/loopback_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_listener.h>
#include <pplx/threadpool.h>
#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <thread>

namespace disputed::net::test {

namespace {

namespace http = web::http;

// cpprestsdk's pool defaults to 40 threads; 4 are plenty here and much faster on 2 cores. It
// must be sized once, before any cpprestsdk use, by the process (the library never does it).
class CpprestEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { crossplat::threadpool::initialize_with_threads(4); }
};
[[maybe_unused]] ::testing::Environment* const kCpprestEnvironment =
    ::testing::AddGlobalTestEnvironment(new CpprestEnvironment);

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int bind_port_zero() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() to port 0 failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

std::string RecordedRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

bool RecordedRequest::has_header(const std::string& name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

std::map<std::string, std::string> RecordedRequest::form() const {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t amp = body.find('&', start);
    std::string pair =
        body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    std::size_t eq = pair.find('=');
    fields[url_decode(pair.substr(0, eq))] =
        eq == std::string::npos ? std::string() : url_decode(pair.substr(eq + 1));
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return fields;
}

struct LoopbackServer::Impl {
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  mutable std::mutex mutex;
  std::condition_variable released;
  bool closing = false;
  Handler handler;
  std::vector<RecordedRequest> requests;
  std::vector<std::thread> workers;

  // Runs on a cpprestsdk pool thread: hand the request to a thread of its own. Blocking a pool
  // thread (reading the body with .get(), a slow answer) starves the small pool that also
  // drives the sockets, and concurrent requests deadlock.
  void accept(http::http_request request) {
    std::lock_guard lock(mutex);
    if (closing) {
      request.reply(http::status_codes::ServiceUnavailable);
      return;
    }
    workers.emplace_back([this, request]() mutable { handle(request); });
  }

  void handle(http::http_request request) {
    try {
      RecordedRequest recorded;
      recorded.method = request.method();
      recorded.path = web::uri::decode(request.relative_uri().path());
      recorded.query = request.relative_uri().query();
      for (const auto& [name, value] : request.headers())
        recorded.headers.emplace_back(name, value);
      auto bytes = request.extract_vector().get();
      recorded.body.assign(bytes.begin(), bytes.end());

      Handler current;
      {
        std::lock_guard lock(mutex);
        requests.push_back(recorded);
        current = handler;
      }
      CannedResponse canned = current ? current(recorded) : CannedResponse{404, {}, "no handler"};
      if (canned.delay.count() > 0) {
        std::unique_lock lock(mutex);
        released.wait_for(lock, canned.delay, [this] { return closing; });
      }
      http::http_response response(static_cast<http::status_code>(canned.status));
      for (const auto& [name, value] : canned.headers) response.headers().add(name, value);
      response.set_body(std::vector<unsigned char>(canned.body.begin(), canned.body.end()));
      request.reply(response).wait();
    } catch (...) {  // the client gave up (timeout tests): nothing to reply to
    }
  }
};

LoopbackServer::LoopbackServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  for (int attempt = 0;; ++attempt) {
    port_ = bind_port_zero();
    auto listener = std::make_unique<http::experimental::listener::http_listener>(
        "http://127.0.0.1:" + std::to_string(port_));
    listener->support([impl = impl_.get()](http::http_request request) { impl->accept(request); });
    try {
      listener->open().wait();
      impl_->listener = std::move(listener);
      return;
    } catch (const std::exception&) {
      if (attempt >= 20) throw;  // someone else took the port in between: pick another
    }
  }
}

LoopbackServer::~LoopbackServer() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->closing = true;
  }
  impl_->released.notify_all();
  for (auto& worker : impl_->workers) worker.join();  // no new ones once closing is set
  try {
    impl_->listener->close().wait();
  } catch (...) {
  }
}

std::string LoopbackServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<RecordedRequest> LoopbackServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::size_t LoopbackServer::count(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<std::size_t>(std::count_if(impl_->requests.begin(), impl_->requests.end(),
                                                [&](const auto& r) { return r.path == path; }));
}

void LoopbackServer::set_handler(Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->handler = std::move(handler);
}

int unused_port() { return bind_port_zero(); }

void CapturingLogger::log(sdk::LogLevel /*level*/, const std::string& message) {
  std::lock_guard lock(mutex_);
  lines_.push_back(message);
}

std::vector<std::string> CapturingLogger::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string CapturingLogger::text() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& line : lines_) out += line + "\n";
  return out;
}

std::string url_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string base64url_decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    auto pos = kAlphabet.find(c);
    if (pos == std::string::npos) break;  // '=' padding or junk ends the data
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string token_json(const std::string& access_token, int expires_in) {
  std::string json = R"({"access_token":")" + access_token + R"(","token_type":"Bearer")";
  if (expires_in > 0) json += R"(,"expires_in":)" + std::to_string(expires_in);
  return json + "}";
}

}  // namespace disputed::net::test
