#include "core/api/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <cpprest/http_listener.h>
#include <openssl/crypto.h>
#include <pplx/threadpool.h>

namespace disputed::api {

namespace http = web::http;  // never `using namespace web;` (json clashes with nlohmann)

void init_http_threads(int threads) {
  static std::once_flag once;
  std::call_once(once, [threads] {
    // OpenSSL's one-time initialisation (config file, error-state tables) on this thread: done
    // lazily by the first API-key hash on a pool thread, it leaves per-thread state behind that
    // no one frees when the pool ends (LeakSanitizer reports it at exit).
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr);
    try {
      crossplat::threadpool::initialize_with_threads(std::size_t(threads < 1 ? 1 : threads));
    } catch (const std::exception&) {
      // Someone used cpprestsdk first: it keeps the pool it already has.
    }
  });
}

int pick_free_port() {
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
    throw std::runtime_error("cannot find a free port");
  }
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

struct HttpServer::Impl {
  std::string host;
  int port = 0;
  Api& api;
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  std::atomic<int> in_flight{0};
  std::mutex mutex;
  std::condition_variable idle;
  bool stopped = false;

  Impl(std::string h, int p, Api& a) : host(std::move(h)), port(p), api(a) {}

  std::string url() const { return "http://" + host + ":" + std::to_string(port); }

  void finished() {
    if (--in_flight == 0) {
      std::lock_guard lock(mutex);
      idle.notify_all();
    }
  }

  static void send(http::http_request& request, const HttpResponse& r) {
    http::http_response response(static_cast<http::status_code>(r.status));
    for (const auto& [name, value] : r.headers) response.headers().add(name, value);
    // The byte-vector overload: set_body(std::string) makes cpprestsdk read a streambuf<char>
    // through a streambuf<unsigned char> (undefined behaviour, which UBSan stops on).
    response.set_body(std::vector<unsigned char>(r.body.begin(), r.body.end()));
    response.headers().set_content_type(r.content_type);
    request.reply(response).then([](pplx::task<void> sent) {
      try {
        sent.get();
      } catch (...) {
        // The client went away; nothing to do.
      }
    });
  }

  // Reading a body must not block a pool thread: the pool also runs the socket I/O that
  // delivers the body, so eight requests blocked on their bodies on a pool of eight threads would
  // wait forever. The body is read chunk by chunk in continuations; only when it is complete does
  // the (blocking) Api::handle run.
  struct Pending {
    http::http_request request;
    HttpRequest req;
    // Bytes, as the request stream delivers them (a char buffer read through the unsigned-char
    // stream is undefined behaviour in cpprestsdk).
    concurrency::streams::container_buffer<std::vector<unsigned char>> buffer;
    std::size_t total = 0;
  };

  void serve(http::http_request request) {
    ++in_flight;
    auto pending = std::make_shared<Pending>();
    pending->request = request;
    try {
      HttpRequest& req = pending->req;
      req.method = request.method();
      const auto& uri = request.request_uri();
      req.path = uri.path();
      for (const auto& [key, value] : web::uri::split_query(uri.query()))
        req.query[web::uri::decode(key)] = web::uri::decode(value);
      for (const auto& [name, value] : request.headers()) {
        std::string lower = name;
        for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
        req.headers[lower] = value;
      }
      // An oversized body announced by Content-Length is refused before it is read.
      if (request.headers().content_length() > api.max_body_bytes()) {
        req.body_too_large = true;
        answer(pending);
        return;
      }
      read_more(pending);
    } catch (const std::exception&) {
      unreadable(pending);
    }
  }

  void read_more(const std::shared_ptr<Pending>& pending) {
    pending->request.body()
        .read(pending->buffer, 16 * 1024)
        .then([this, pending](pplx::task<std::size_t> read) {
          try {
            std::size_t n = read.get();
            pending->total += n;
            if (n > 0 && pending->total <= api.max_body_bytes()) {
              read_more(pending);
              return;
            }
            // A body without Content-Length (chunked) is read only up to the limit.
            pending->req.body_too_large = pending->total > api.max_body_bytes();
            if (!pending->req.body_too_large) {
              // The buffer's vector may be longer than what was read (it grows ahead), so trim it.
              const auto& bytes = pending->buffer.collection();
              pending->req.body.assign(bytes.begin(),
                                       bytes.begin() + std::min(pending->total, bytes.size()));
            }
            answer(pending);
          } catch (const std::exception&) {
            unreadable(pending);
          }
        });
  }

  void answer(const std::shared_ptr<Pending>& pending) {
    try {
      send(pending->request, api.handle(pending->req));
    } catch (const std::exception&) {
      // The client went away while we answered.
    }
    finished();
  }

  void unreadable(const std::shared_ptr<Pending>& pending) {
    HttpResponse r;
    r.status = 400;
    r.body =
        R"({"error":{"code":"malformed_request","message":"the request could not be read","details":[]}})";
    try {
      send(pending->request, r);
    } catch (...) {
    }
    finished();
  }
};

HttpServer::HttpServer(std::string host, int port, Api& api)
    : impl_(std::make_unique<Impl>(std::move(host), port, api)) {}

HttpServer::~HttpServer() { stop(std::chrono::seconds(5)); }

void HttpServer::start() {
  http::experimental::listener::http_listener_config config;
  config.set_timeout(std::chrono::seconds(30));
  impl_->listener =
      std::make_unique<http::experimental::listener::http_listener>(impl_->url(), config);
  impl_->listener->support(
      [this](http::http_request request) { impl_->serve(std::move(request)); });
  try {
    impl_->listener->open().wait();
  } catch (const std::exception& e) {
    impl_->listener.reset();
    throw std::runtime_error("cannot listen on " + impl_->url() + ": " + e.what());
  }
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped || !impl_->listener) return;
    impl_->stopped = true;
  }
  impl_->api.stop_accepting();
  {
    std::unique_lock lock(impl_->mutex);
    impl_->idle.wait_for(lock, grace, [this] { return impl_->in_flight.load() == 0; });
  }
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
    // Closing a listener whose connections are gone can throw; it is closed either way.
  }
}

std::string HttpServer::url() const { return impl_->url(); }
int HttpServer::in_flight() const { return impl_->in_flight.load(); }

}  // namespace disputed::api
