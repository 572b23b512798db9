#include "plugins/sandbox/sandbox_server.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <list>
#include <stdexcept>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace disputed::sandbox {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

Request to_request(const http::request<http::string_body>& in) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& field : in)
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return Request::make(std::string(in.method_string()), std::string(in.target()), headers,
                       in.body());
}

}  // namespace

Request Request::make(std::string method, std::string target,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::string body) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  auto q = r.target.find('?');
  r.path = sdk::kit::percent_decode(std::string_view(r.target).substr(0, q));
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(r.target).substr(q + 1);
    while (!rest.empty()) {
      auto amp = rest.find('&');
      auto pair = rest.substr(0, amp);
      auto eq = pair.find('=');
      if (!pair.empty())
        r.query[sdk::kit::percent_decode(pair.substr(0, eq), true)] =
            eq == std::string_view::npos ? "" : sdk::kit::percent_decode(pair.substr(eq + 1), true);
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
  }
  for (const auto& [name, value] : headers) r.headers[sdk::kit::lower(name)] = value;
  r.body = std::move(body);
  return r;
}

std::optional<std::string> Request::header(const std::string& lower_case_name) const {
  auto it = headers.find(lower_case_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::param(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<nlohmann::json> Request::json() const {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump();
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  return r;
}

Response& Response::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response& Response::as_replay() {
  replayed = true;
  return *this;
}

Response Emulator::fault_response(int status, const Request&) {
  return Response::json(status, {{"error", "injected fault"}, {"status", status}});
}

Fault Fault::from_json(const nlohmann::json& body) {
  if (!body.is_object()) throw std::invalid_argument("body: expected a JSON object");
  Fault f;
  static const std::vector<std::string> known{"method",      "path",     "status",
                                              "retry_after", "delay_ms", "drop",
                                              "times",       "answer",   "trickle_ms"};
  for (const auto& [key, value] : body.items())
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw std::invalid_argument(key + ": unknown field");
  auto text = [&](const char* key, std::string& out) {
    if (!body.contains(key)) return;
    if (!body[key].is_string())
      throw std::invalid_argument(std::string(key) + ": expected a string");
    out = body[key].get<std::string>();
  };
  auto number = [&](const char* key, int& out) {
    if (!body.contains(key)) return;
    if (!body[key].is_number_integer())
      throw std::invalid_argument(std::string(key) + ": expected an integer");
    out = body[key].get<int>();
  };
  text("method", f.method);
  text("path", f.path);
  number("status", f.status);
  number("retry_after", f.retry_after);
  number("delay_ms", f.delay_ms);
  number("times", f.times);
  number("trickle_ms", f.trickle_ms);
  text("answer", f.answer);
  if (body.contains("drop")) {
    if (!body["drop"].is_boolean()) throw std::invalid_argument("drop: expected true or false");
    f.drop = body["drop"].get<bool>();
  }
  if (f.path.empty()) throw std::invalid_argument("path: required");
  if (f.status != 0 && (f.status < 100 || f.status > 599))
    throw std::invalid_argument("status: not an HTTP status");
  if (f.times == 0 || f.times < -1)
    throw std::invalid_argument("times: a positive count, or -1 for until reset");
  if (f.delay_ms < 0 || f.delay_ms > 120000) throw std::invalid_argument("delay_ms: 0 to 120000");
  if (!f.answer.empty()) {
    const auto& kinds = answer_faults();
    if (std::find(kinds.begin(), kinds.end(), f.answer) == kinds.end())
      throw std::invalid_argument(
          "answer: one of lost, malformed_json, truncated, oversized, "
          "wrong_content_type, trickle");
    if (f.status != 0 || f.drop)
      throw std::invalid_argument(
          "answer: spoils the emulator's own answer, so neither status nor drop goes with it");
  }
  if (body.contains("trickle_ms") && f.answer != "trickle")
    throw std::invalid_argument("trickle_ms: only with \"answer\": \"trickle\"");
  if (f.trickle_ms < 1 || f.trickle_ms > 10000)
    throw std::invalid_argument("trickle_ms: 1 to 10000");
  if (f.status == 0 && !f.drop && f.delay_ms == 0 && f.answer.empty())
    throw std::invalid_argument(
        "status: give a status, a delay, drop or answer, else the fault does nothing");
  return f;
}

const std::vector<std::string>& Fault::answer_faults() {
  static const std::vector<std::string> kinds{"lost",      "malformed_json",     "truncated",
                                              "oversized", "wrong_content_type", "trickle"};
  return kinds;
}

namespace {

// The emulator's answer as an injected Fault::answer spoils it (not "lost": that is no answer).
void spoil(Response& answer, const Fault& fault) {
  // A body needs a status that may carry one: a spoilt 204 arrives as a 200 with the damage.
  const bool body_fault = fault.answer == "malformed_json" || fault.answer == "oversized" ||
                          fault.answer == "wrong_content_type";
  if (body_fault && (answer.status == 204 || answer.status == 304 || answer.status < 200))
    answer.status = 200;
  if (fault.answer == "malformed_json") {
    answer.body = answer.body.empty() ? "{" : answer.body.substr(0, answer.body.size() / 2);
  } else if (fault.answer == "truncated") {
    answer.wire = Response::Wire::kTruncated;
  } else if (fault.answer == "oversized") {
    if (answer.body.size() < kOversizedAnswerBytes)
      answer.body.append(kOversizedAnswerBytes - answer.body.size(), ' ');
  } else if (fault.answer == "wrong_content_type") {
    // What a proxy or a maintenance page in front of the API answers.
    std::erase_if(answer.headers,
                  [](const auto& h) { return sdk::kit::lower(h.first) == "content-type"; });
    answer.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
    answer.body =
        "<!DOCTYPE html><html><head><title>Service</title></head><body><h1>Please wait"
        "</h1><p>The service is being updated.</p></body></html>";
  } else if (fault.answer == "trickle") {
    answer.wire = Response::Wire::kTrickle;
    answer.trickle_ms = fault.trickle_ms;
  }
}

}  // namespace

bool Fault::matches(const Request& request) const {
  if (!method.empty() && method != request.method) return false;
  if (!path.empty() && path.back() == '*')
    return request.path.compare(0, path.size() - 1, path, 0, path.size() - 1) == 0;
  return request.path == path;
}

std::string iso_time(SandboxClock::Time at) { return sdk::kit::format_timestamp_ms(at); }

SandboxClock::Time SandboxClock::now() const {
  std::lock_guard lock(mutex_);
  if (frozen_) return *frozen_ + offset_;
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()) + offset_;
}

std::int64_t SandboxClock::unix_seconds() const {
  return std::chrono::floor<std::chrono::seconds>(now()).time_since_epoch().count();
}

void SandboxClock::advance(std::chrono::milliseconds by) {
  std::lock_guard lock(mutex_);
  offset_ += by;
}

void SandboxClock::freeze(Time at) {
  std::lock_guard lock(mutex_);
  frozen_ = at;
  offset_ = std::chrono::milliseconds(0);
}

// ---------------------------------------------------------------- the listener

struct Server::Impl {
  asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread accept_thread;
  std::mutex connections_mutex;
  struct Connection {
    std::shared_ptr<tcp::socket> socket;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<Connection> connections;
  std::atomic<bool> stopping{false};

  void reap() {  // joins the threads of connections that ended (connections_mutex held)
    for (auto it = connections.begin(); it != connections.end();) {
      if (it->done) {
        it->thread.join();
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
  }
};

Server::Server(std::unique_ptr<Emulator> emulator, std::string host, int port)
    : impl_(std::make_unique<Impl>()),
      emulator_(std::move(emulator)),
      host_(std::move(host)),
      port_(port) {
  emulator_->use_clock(clock_);
}

void Server::wait_idle() {
  std::unique_lock lock(busy_mutex_);
  idle_.wait(lock, [this] { return busy_ == 0; });
}

Server::~Server() { stop(); }

std::string Server::url() const {
  std::string h = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  return "http://" + h + ":" + std::to_string(port_);
}

void Server::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host_, ec);
  if (ec) throw std::runtime_error("sandbox: not an IP address: " + host_);
  impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->io);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port_));
  impl_->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(endpoint, ec);
  if (!ec) impl_->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("sandbox: cannot listen on " + host_ + ":" + std::to_string(port_) +
                             ": " + ec.message());
  port_ = impl_->acceptor->local_endpoint().port();

  impl_->accept_thread = std::thread([this] {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(impl_->io);
      boost::system::error_code aec;
      impl_->acceptor->accept(*socket, aec);
      if (impl_->stopping) return;
      if (aec) continue;
      std::lock_guard lock(impl_->connections_mutex);
      impl_->reap();
      auto& c = impl_->connections.emplace_back();
      c.socket = socket;
      c.thread = std::thread([this, socket, &c] {
        beast::flat_buffer buffer;
        for (;;) {
          http::request_parser<http::string_body> parser;
          parser.body_limit(64 * 1024 * 1024);
          boost::system::error_code rec;
          http::read(*socket, buffer, parser, rec);
          if (rec) break;
          auto& in = parser.get();
          auto answer = serve(to_request(in));
          if (!answer) break;  // injected drop
          http::response<http::string_body> out{static_cast<http::status>(answer->status),
                                                in.version()};
          out.set(http::field::server, "disputed-sandbox");
          for (auto& [name, value] : answer->headers) out.set(name, value);
          out.body() = std::move(answer->body);
          const bool whole = answer->wire == Response::Wire::kWhole;
          out.keep_alive(in.keep_alive() && whole);
          try {
            out.prepare_payload();
          } catch (const std::exception&) {  // a body on a status without one: no answer
            break;
          }
          if (whole) {
            http::write(*socket, out, rec);
          } else {
            // The head as it is, then the body: half of it and close (truncated), or in 16
            // pieces with a pause between them (trickle).
            http::response_serializer<http::string_body> head{out};
            http::write_header(*socket, head, rec);
            const std::string& body = out.body();
            const bool trickle = answer->wire == Response::Wire::kTrickle;
            std::size_t end = trickle ? body.size() : body.size() / 2;
            std::size_t piece = trickle ? std::max<std::size_t>(1, (body.size() + 15) / 16) : end;
            for (std::size_t at = 0; !rec && at < end; at += piece) {
              if (trickle && at > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(answer->trickle_ms));
              asio::write(*socket, asio::buffer(body.data() + at, std::min(piece, end - at)), rec);
            }
          }
          if (rec || !whole || !in.keep_alive()) break;
        }
        boost::system::error_code ignored;
        socket->shutdown(tcp::socket::shutdown_both, ignored);
        socket->close(ignored);
        c.done = true;
      });
    }
  });
}

void Server::stop() {
  if (!impl_->acceptor || impl_->stopping.exchange(true)) return;
  boost::system::error_code ignored;
  // Wake the blocking accept() with a connection of our own, then close.
  {
    tcp::socket poke(impl_->io);
    poke.connect(
        tcp::endpoint(asio::ip::make_address(host_ == "0.0.0.0" ? "127.0.0.1" : host_, ignored),
                      static_cast<unsigned short>(port_)),
        ignored);
  }
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  impl_->acceptor->close(ignored);
  std::lock_guard lock(impl_->connections_mutex);
  for (auto& c : impl_->connections) c.socket->shutdown(tcp::socket::shutdown_both, ignored);
  for (auto& c : impl_->connections) c.thread.join();
  impl_->connections.clear();
}

void Server::add_fault(const Fault& fault) {
  std::lock_guard lock(state_mutex_);
  faults_.push_back(fault);
}

std::vector<SeenRequest> Server::requests() const {
  std::lock_guard lock(state_mutex_);
  return log_;
}

void Server::reset() {
  std::lock_guard lock(state_mutex_);
  emulator_->reset();
  faults_.clear();
  log_.clear();
}

std::optional<Response> Server::serve(const Request& request) {
  {
    std::lock_guard lock(busy_mutex_);
    ++busy_;
  }
  struct Done {
    Server& server;
    ~Done() {
      std::lock_guard lock(server.busy_mutex_);
      if (--server.busy_ == 0) server.idle_.notify_all();
    }
  } done{*this};
  const std::string control_prefix = "/_sandbox/";
  if (request.path.rfind(control_prefix, 0) == 0) {
    if (request.path == "/_sandbox/requests" && request.method == "GET") {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& seen : requests())
        list.push_back({{"method", seen.method},
                        {"path", seen.path},
                        {"target", seen.target},
                        {"status", seen.status},
                        {"replayed", seen.replayed},
                        {"spoilt", seen.spoilt},
                        {"at", seen.at}});
      return Response::json(200, {{"requests", list}});
    }
    if (request.path == "/_sandbox/faults" && request.method == "POST") {
      auto body = request.json();
      if (!body) return Response::json(400, {{"error", "body: not JSON"}});
      try {
        add_fault(Fault::from_json(*body));
      } catch (const std::invalid_argument& e) {
        return Response::json(400, {{"error", e.what()}});
      }
      return Response::json(201, {{"ok", true}});
    }
    if (request.path == "/_sandbox/faults" && request.method == "DELETE") {
      std::lock_guard lock(state_mutex_);
      faults_.clear();
      return Response::empty(204);
    }
    if (request.path == "/_sandbox/clock" && request.method == "GET")
      return Response::json(200, {{"now", iso_time(clock_.now())}});
    if (request.path == "/_sandbox/clock" && request.method == "POST") {
      auto body = request.json();
      if (!body || !body->is_object() || !(*body)["advance_seconds"].is_number_integer())
        return Response::json(400, {{"error", "advance_seconds: expected an integer"}});
      clock_.advance(std::chrono::seconds((*body)["advance_seconds"].get<std::int64_t>()));
      return Response::json(200, {{"now", iso_time(clock_.now())}});
    }
    if (request.path == "/_sandbox/reset" && request.method == "POST") {
      reset();
      return Response::json(200, {{"ok", true}});
    }
    std::lock_guard lock(state_mutex_);
    if (auto answer = emulator_->control(request)) return answer;
    return Response::json(404, {{"error", "no such sandbox control endpoint: " + request.method +
                                              " " + request.path}});
  }

  std::optional<Fault> fault;
  {
    std::lock_guard lock(state_mutex_);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (!it->matches(request)) continue;
      fault = *it;
      if (it->times > 0 && --it->times == 0) faults_.erase(it);
      break;
    }
  }
  if (fault && fault->delay_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));

  std::lock_guard lock(state_mutex_);
  SeenRequest seen;
  seen.method = request.method;
  seen.path = request.path;
  seen.target = request.target;
  seen.at = iso_time(clock_.now());
  if (fault) seen.spoilt = fault->answer;
  if (fault && fault->drop) {
    log_.push_back(seen);
    return std::nullopt;
  }
  Response answer;
  if (fault && fault->status != 0) {
    answer = emulator_->fault_response(fault->status, request);
    if (fault->retry_after >= 0)
      answer.with_header("Retry-After", std::to_string(fault->retry_after));
  } else {
    try {
      answer = emulator_->handle(request, url());
    } catch (const std::exception& e) {
      answer = Response::json(500, {{"error", std::string("sandbox bug: ") + e.what()}});
    }
  }
  seen.status = answer.status;
  seen.replayed = answer.replayed;
  log_.push_back(seen);
  if (fault && fault->answer == "lost") return std::nullopt;  // carried out, never answered
  if (fault && !fault->answer.empty()) spoil(answer, *fault);
  return answer;
}

}  // namespace disputed::sandbox
