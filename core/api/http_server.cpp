// The only file that includes Boost.Beast for the API (the sandboxes have their own server).
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
#include <thread>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <pplx/threadpool.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "core/api/api_error.hpp"
#include "core/api/request_target.hpp"

namespace disputed::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void init_http_threads(int threads) {
  static std::once_flag once;
  std::call_once(once, [threads] {
    // OpenSSL's one-time initialisation (config file, error-state tables) on this thread: done
    // lazily by the first API-key hash on a pool thread, it leaves per-thread state behind that
    // no one frees when the pool ends (LeakSanitizer reports it at exit).
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, nullptr);
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

namespace {

domain::Result<std::shared_ptr<net::ssl::context>> make_tls_context(const TlsFiles& files) {
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  // TLS 1.2 and 1.3 only; OpenSSL 3's default ciphers for them are the strong ones.
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(files.certificate_file.string(), ec);
  if (ec)
    return domain::Error::invalid(files.certificate_file.string() +
                                  ": cannot use the certificate: " + ec.message());
  ctx->use_private_key_file(files.private_key_file.string(), net::ssl::context::pem, ec);
  if (ec)
    return domain::Error::invalid(files.private_key_file.string() +
                                  ": cannot use the private key: " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return domain::Error::invalid(files.private_key_file.string() +
                                  ": the private key does not match the certificate " +
                                  files.certificate_file.string());
  return ctx;
}

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

// What the connections share with the server. (HttpServer::Impl is this; a type of its own so
// the connections below can name it.)
namespace listener {
struct State : std::enable_shared_from_this<State> {
  std::string host;
  int port = 0;
  Api& api;
  HttpServerOptions options;

  std::atomic<int> in_flight{0};
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;
  bool started = false;
  bool stopped = false;
  std::shared_ptr<net::ssl::context> tls;  // guarded by mutex; swapped by reload_tls()

  // Destroyed in reverse order: the acceptor before the io_context, the io_context (and with
  // it every connection it still holds) before the counters above.
  std::unique_ptr<net::io_context> ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> io_threads;

  State(std::string h, int p, Api& a, HttpServerOptions o)
      : host(std::move(h)), port(p), api(a), options(std::move(o)) {}

  std::string url() const {
    return std::string(options.tls ? "https" : "http") + "://" + host + ":" + std::to_string(port);
  }

  void request_done() {
    if (--in_flight == 0) {
      std::lock_guard lock(mutex);
      idle.notify_all();
    }
  }

  void accept();
};
}  // namespace listener

struct HttpServer::Impl : listener::State {
  using State::State;
};

namespace {

// One connection: reads requests one after another (keep-alive), each within its limits, hands
// each to the worker pool and writes the answer back. Plain TCP or TLS.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(std::shared_ptr<listener::State> server, Stream stream,
             std::shared_ptr<net::ssl::context> tls)
      : server_(std::move(server)),
        tls_(std::move(tls)),
        stream_(std::move(stream)),
        buffer_(server_->options.max_header_bytes + 64 * 1024) {}
  ~Connection() { --server_->connections; }

  void start() {
    if constexpr (kTls) {
      lowest().expires_after(server_->options.header_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();
                                self->read_head();
                              });
    } else {
      read_head();
    }
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // A kept-alive connection waits idle_timeout for the next request's first byte; then, as for
  // the first request, the whole head must arrive within header_timeout.
  void read_head() {
    if (requests_ > 0 && buffer_.size() == 0) {
      lowest().expires_after(server_->options.idle_timeout);
      stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](
                                                         beast::error_code ec, std::size_t n) {
        if (ec) return self->close();
        self->buffer_.commit(n);
        self->read_rest_of_head();
      });
      return;
    }
    read_rest_of_head();
  }

  void read_rest_of_head() {
    parser_.emplace();
    parser_->header_limit(std::uint32_t(server_->options.max_header_bytes));
    parser_->body_limit(server_->api.max_body_bytes());
    lowest().expires_after(server_->options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_head(ec);
                            });
  }

  void on_head(beast::error_code ec) {
    if (ec == http::error::body_limit) return too_large();  // Content-Length over the limit
    if (ec == http::error::header_limit)
      return refuse(431, "request_header_fields_too_large",
                    "the request line and headers are larger than " +
                        std::to_string(server_->options.max_header_bytes) + " bytes");
    if (ec) return close();  // timeout, a closed connection or bytes that are not HTTP
    ++requests_;
    const auto& head = parser_->get();
    keep_alive_ = head.keep_alive();
    // Announced too large: refused before a byte of it is read.
    if (auto length = parser_->content_length(); length && *length > server_->api.max_body_bytes())
      return too_large();
    if (iequals(sv(head[http::field::expect]), "100-continue")) {
      auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                      head.version());
      lowest().expires_after(server_->options.write_timeout);
      http::async_write(stream_, *go_on,
                        [self = this->shared_from_this(), go_on](beast::error_code e, std::size_t) {
                          if (e) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest().expires_after(server_->options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec == http::error::body_limit) return self->too_large();
                       if (ec) return self->close();
                       self->dispatch();
                     });
  }

  void dispatch() {
    auto message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    auto target = parse_request_target(sv(message.target()));
    if (!target)
      return refuse(400, "malformed_request",
                    "the request target is malformed: " + target.error().message);
    request.path = std::move(target->path);
    request.query = std::move(target->query);
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      auto [it, fresh] = request.headers.emplace(std::move(name), std::string(field.value()));
      if (!fresh) it->second += ", " + std::string(field.value());
    }
    request.body = std::move(message.body());
    ++server_->in_flight;
    lowest().expires_never();  // the handler may wait for the writer; the client waits too
    // Api::handle may block on the writer's group commit: off the I/O threads.
    net::post(*server_->workers, [self = this->shared_from_this(), request = std::move(request)] {
      HttpResponse answer;
      try {
        answer = self->server_->api.handle(request);
      } catch (const std::exception&) {
        answer = error_response(ApiError::make(500, "internal", "internal error"));
      }
      net::post(self->stream_.get_executor(), [self, answer = std::move(answer)]() mutable {
        self->write(std::move(answer), true);
      });
    });
  }

  void too_large() {
    refuse(413, "payload_too_large",
           "the request body is larger than " + std::to_string(server_->api.max_body_bytes()) +
               " bytes");
  }

  // An answer from the listener itself; the connection closes after it (the rest of the
  // request is not read).
  void refuse(int status, const std::string& code, const std::string& message) {
    keep_alive_ = false;
    ++server_->in_flight;
    write(error_response(ApiError::make(status, code, message)), true);
  }

  void write(HttpResponse answer, bool counted) {
    auto response = std::make_shared<http::response<http::string_body>>();
    response->version(11);
    response->result(static_cast<unsigned>(answer.status));
    response->set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) response->insert(name, value);
    response->body() = std::move(answer.body);
    const bool keep = keep_alive_ && !server_->stopping;
    response->keep_alive(keep);
    response->prepare_payload();
    lowest().expires_after(server_->options.write_timeout);
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response, keep, counted](
                          beast::error_code ec, std::size_t) {
                        if (counted) self->server_->request_done();
                        if (ec) return self->close();
                        if (!keep) return self->linger();
                        self->read_head();
                      });
  }

  // After the last answer: stop sending, then read and drop what the client still sends (the
  // rest of a refused body) for a moment before closing. Closing with unread bytes would reset
  // the connection, and a reset can take the answer with it before the client reads it.
  void linger() {
    if constexpr (kTls) {
      close();
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      lowest().expires_after(std::chrono::seconds(2));
      drain();
    }
  }

  void drain() {
    buffer_.consume(buffer_.size());
    lowest().async_read_some(buffer_.prepare(64 * 1024), [self = this->shared_from_this()](
                                                             beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kMaxDrained) return self->close();
      self->drain();
    });
  }

  static constexpr std::size_t kMaxDrained = 4 << 20;

  void close() {
    if (closed_) return;
    closed_ = true;
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->lowest().socket().close(ignored);
      });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      lowest().socket().close(ignored);
    }
  }

  std::shared_ptr<listener::State> server_;
  std::shared_ptr<net::ssl::context> tls_;  // outlives the stream that uses it
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  int requests_ = 0;
  std::size_t drained_ = 0;
  bool keep_alive_ = false;
  bool closed_ = false;
};

}  // namespace

void listener::State::accept() {
  acceptor->async_accept(net::make_strand(*ioc), [self = shared_from_this()](beast::error_code ec,
                                                                             tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor->is_open()) return;
    if (!ec) {
      if (std::size_t(self->connections.load()) >= self->options.max_connections) {
        // Over the cap: closed at once, before a byte is read or a buffer allocated.
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        ++self->connections;
        beast::tcp_stream stream(std::move(socket));
        std::shared_ptr<net::ssl::context> tls;
        if (self->options.tls) {
          std::lock_guard lock(self->mutex);
          tls = self->tls;
        }
        if (tls) {
          beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
          std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(self,
                                                                             std::move(secure), tls)
              ->start();
        } else {
          std::make_shared<Connection<beast::tcp_stream>>(self, std::move(stream), nullptr)
              ->start();
        }
      }
    }
    self->accept();
  });
}

domain::Status check_tls_files(const TlsFiles& files) {
  auto ctx = make_tls_context(files);
  if (!ctx) return ctx.error();
  return domain::Ok{};
}

HttpServer::HttpServer(std::string host, int port, Api& api, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(host), port, api, std::move(options))) {}

HttpServer::~HttpServer() { stop(std::chrono::seconds(5)); }

void HttpServer::start() {
  Impl& s = *impl_;
  if (s.options.tls) {
    auto ctx = make_tls_context(*s.options.tls);
    if (!ctx) throw std::runtime_error("cannot serve HTTPS: " + ctx.error().message);
    s.tls = std::move(ctx).value();
  }
  s.ioc = std::make_unique<net::io_context>(std::max(1, s.options.io_threads));
  try {
    std::string address = s.host;
    if (address.size() > 2 && address.front() == '[' && address.back() == ']')
      address = address.substr(1, address.size() - 2);
    tcp::resolver resolver(*s.ioc);
    auto endpoints = resolver.resolve(address, std::to_string(s.port));
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    s.acceptor = std::make_unique<tcp::acceptor>(*s.ioc);
    s.acceptor->open(endpoint.protocol());
    s.acceptor->set_option(net::socket_base::reuse_address(true));
    s.acceptor->bind(endpoint);
    s.acceptor->listen(net::socket_base::max_listen_connections);
    s.port = s.acceptor->local_endpoint().port();
  } catch (const std::exception& e) {
    s.acceptor.reset();
    s.ioc.reset();
    throw std::runtime_error("cannot listen on " + s.url() + ": " + e.what());
  }
  s.workers =
      std::make_unique<net::thread_pool>(std::size_t(std::max(1, s.options.worker_threads)));
  s.accept();
  for (int i = 0; i < std::max(1, s.options.io_threads); ++i)
    s.io_threads.emplace_back([ioc = s.ioc.get()] { ioc->run(); });
  std::lock_guard lock(s.mutex);
  s.started = true;
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    if (s.stopped || !s.started) return;
    s.stopped = true;
  }
  // Requests that still arrive are answered 503 by the Api, and no connection is kept alive.
  s.stopping = true;
  s.api.stop_accepting();
  {
    std::unique_lock lock(s.mutex);
    s.idle.wait_for(lock, grace, [&s] { return s.in_flight.load() == 0; });
  }
  net::post(*s.ioc, [&s] {
    beast::error_code ignored;
    s.acceptor->close(ignored);
  });
  s.workers->join();  // handlers past the grace period still finish (the writer runs on)
  s.ioc->stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
  // Destroying the io_context destroys every connection it still holds, closing its socket.
  s.acceptor.reset();
  s.ioc.reset();
}

domain::Status HttpServer::reload_tls() {
  Impl& s = *impl_;
  if (!s.options.tls) return domain::Ok{};
  auto ctx = make_tls_context(*s.options.tls);
  if (!ctx) return ctx.error();
  std::lock_guard lock(s.mutex);
  s.tls = std::move(ctx).value();
  return domain::Ok{};
}

std::string HttpServer::url() const { return impl_->url(); }
int HttpServer::in_flight() const { return impl_->in_flight.load(); }
int HttpServer::connections() const { return impl_->connections.load(); }

}  // namespace disputed::api
