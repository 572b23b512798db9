// The only file of core/net that includes cpprestsdk.
#include "core/net/http_client.hpp"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <system_error>

#include "core/domain/json_nesting.hpp"
#include "core/net/credentials.hpp"
#include "core/net/redaction.hpp"

namespace disputed::net {

namespace {

namespace http = web::http;
namespace client = web::http::client;

using Clock = std::chrono::steady_clock;

// RFC 9110 §5.6.2 token characters: method and header names.
bool is_token(std::string_view text) noexcept {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

// CR, LF or NUL in a value would let a plugin smuggle headers.
bool is_header_value(std::string_view text) noexcept {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

// The body, read piece by piece; nullopt as soon as it passes `limit` bytes.
std::optional<std::string> read_limited(http::http_response& answer, std::size_t limit) {
  auto stream = answer.body();
  std::string body;
  if (!stream) return body;
  for (;;) {
    // Bytes (a char buffer read through the unsigned-char stream is undefined behaviour in
    // cpprestsdk); the vector can grow ahead of what was read, hence the min below.
    concurrency::streams::container_buffer<std::vector<unsigned char>> piece;
    const std::size_t n = stream.read(piece, 64 * 1024).get();
    if (n == 0) return body;
    if (body.size() + n > limit) return std::nullopt;
    const auto& bytes = piece.collection();
    body.append(bytes.begin(), bytes.begin() + std::min(n, bytes.size()));
  }
}

bool looks_like_json(std::string_view body) {
  auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (body[first] == '{' || body[first] == '[');
}

long long ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  HostAllowList allow_list;
  Authenticator* auth = nullptr;
  sdk::Logger* log = nullptr;

  mutable std::mutex metrics_mutex;
  HttpMetrics metrics;

  // One cpprestsdk client per origin and timeout keeps connections alive between requests.
  std::mutex clients_mutex;
  std::map<std::string, std::shared_ptr<client::http_client>> clients;
  static constexpr std::size_t kMaxClients = 32;

  void write_log(sdk::LogLevel level, const std::string& line) noexcept {
    try {
      log->log(level, line);
    } catch (...) {  // a logger that throws must not turn a request into a crash
    }
  }

  template <class F>
  void count(F&& update) {
    std::lock_guard lock(metrics_mutex);
    update(metrics);
  }

  domain::Result<Url> check(const std::string& text) const {
    auto url = parse_url(text);
    if (!url) return url.error();
    if (!allow_list.allows(url.value()))
      return domain::Error::invalid("host " + url->host_port() +
                                    " is not in the allowed hosts of this connector (" +
                                    join(allow_list.entries()) + ")");
    if (url->scheme == "http" && !options.allow_plain_http && !is_loopback_host(url->host))
      return domain::Error::invalid("plain http to " + url->host_port() +
                                    " would send credentials in clear text; use https");
    return url;
  }

  sdk::HttpResponse refuse(const sdk::HttpRequest& request, const std::string& why) {
    count([](HttpMetrics& m) { ++m.refused; });
    // The request is unchecked here: keep its text from forging log lines.
    write_log(sdk::LogLevel::kWarn, printable(is_token(request.method) ? request.method : "?") +
                                        " " + printable(redact_url(request.url)) +
                                        " -> refused: " + why);
    sdk::HttpResponse response;
    response.error = "refused: " + why;
    response.failure = sdk::HttpResponse::Failure::kRefused;
    return response;
  }

  static std::string origin_of(const Url& url) {
    // Built from our own parse of the URL, so cpprestsdk connects to exactly the host the
    // allow-list approved.
    const std::string host =
        url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    return url.scheme + "://" + host + ":" + std::to_string(url.port);
  }

  std::shared_ptr<client::http_client> client_for(const Url& url,
                                                  std::chrono::milliseconds timeout) {
    const std::string origin = origin_of(url);
    const std::string key = origin + "|" + std::to_string(timeout.count());
    std::lock_guard lock(clients_mutex);
    if (auto it = clients.find(key); it != clients.end()) return it->second;
    if (clients.size() >= kMaxClients) clients.clear();  // in-flight requests hold their own ref
    auto created = new_client(origin, timeout);
    clients.emplace(key, created);
    return created;
  }

  std::shared_ptr<client::http_client> new_client(const std::string& origin,
                                                  std::chrono::milliseconds timeout) {
    client::http_client_config config;
    config.set_timeout(timeout);
    config.set_validate_certificates(true);
    config.set_max_redirects(0);  // a redirect must not lead around the allow-list
    config.set_proxy(options.proxy.empty() ? web::web_proxy(web::web_proxy::disabled)
                                           : web::web_proxy(web::uri(options.proxy)));
    return std::make_shared<client::http_client>(web::uri(origin), config);
  }

  // cpprestsdk re-sends a request whose answer fails on a reused keep-alive connection —
  // including after our own timeout — so a POST that did reach the system could arrive twice.
  // Requests that are not idempotent therefore go on a connection of their own, which is
  // never "reused", and close it afterwards.
  static bool idempotent(const std::string& method) {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
           method == "OPTIONS";
  }

  // One network attempt; logs one line and counts it.
  sdk::HttpResponse attempt(const sdk::HttpRequest& request, const Url& url,
                            const std::string& authorization, std::chrono::milliseconds timeout,
                            const char* note) {
    sdk::HttpResponse response;
    const auto started = Clock::now();
    bool timed_out = false;
    try {
      http::http_request message(request.method);
      message.set_request_uri(web::uri(url.target));
      bool has_user_agent = false;
      for (const auto& [name, value] : request.headers) {
        if (!authorization.empty() && iequals(name, "Authorization")) continue;  // ours wins
        if (iequals(name, "User-Agent")) has_user_agent = true;
        message.headers().add(name, value);
      }
      if (!authorization.empty()) message.headers().add("Authorization", authorization);
      if (!has_user_agent) message.headers().add("User-Agent", options.user_agent);
      // The byte-vector overload: set_body(std::string) reads a streambuf<char> through a
      // streambuf<uint8_t> (undefined behaviour inside cpprestsdk, flagged by UBSan). It adds
      // Content-Type: application/octet-stream only when the plugin set none.
      if (!request.body.empty())
        message.set_body(std::vector<unsigned char>(request.body.begin(), request.body.end()));

      const bool fresh_connection = !idempotent(request.method);
      if (fresh_connection) message.headers().add("Connection", "close");
      auto client =
          fresh_connection ? new_client(origin_of(url), timeout) : client_for(url, timeout);
      // Cancelled when the body passes the limit: that closes the connection, so a chunked
      // answer without Content-Length cannot stream more than the limit into memory.
      pplx::cancellation_token_source cancel;
      auto answer = client->request(message, cancel.get_token()).get();
      const auto declared = answer.headers().content_length();
      if (declared > options.max_response_bytes) {
        cancel.cancel();
        response.error =
            "response body of " + std::to_string(declared) + " bytes exceeds the limit";
        response.failure = sdk::HttpResponse::Failure::kConnection;
      } else if (auto body = read_limited(answer, options.max_response_bytes)) {
        response.status = answer.status_code();
        response.body = std::move(*body);
        for (const auto& [name, value] : answer.headers())
          response.headers.emplace_back(name, value);
        // A vendor answer nested without bound would cost every plugin's JSON parser, copy and
        // dump a level of recursion each; the host refuses it for all plugins alike.
        if (looks_like_json(response.body) && domain::json_too_deep_at(response.body)) {
          response = {};
          response.error = "answer refused: JSON nested deeper than " +
                           std::to_string(domain::kMaxJsonDepth) + " levels";
          response.failure = sdk::HttpResponse::Failure::kConnection;
        }
      } else {
        cancel.cancel();
        response.error = "response body exceeds the limit of " +
                         std::to_string(options.max_response_bytes) + " bytes";
        response.failure = sdk::HttpResponse::Failure::kConnection;
      }
    } catch (const http::http_exception& e) {
      // cpprestsdk reports its own timer firing as timed_out; a cancelled socket read after the
      // deadline can come back as another error, hence the elapsed-time check.
      timed_out = e.error_code() == std::errc::timed_out ||
                  Clock::now() - started >= timeout - std::chrono::milliseconds(20);
      response.error = timed_out ? "timeout after " + std::to_string(timeout.count()) + " ms"
                                 : std::string("connection failed: ") + e.what();
      response.failure = timed_out ? sdk::HttpResponse::Failure::kTimeout
                                   : sdk::HttpResponse::Failure::kConnection;
    } catch (const std::exception& e) {
      response.error = std::string("request failed: ") + e.what();
      response.failure = sdk::HttpResponse::Failure::kConnection;
    }
    if (response.status == 0 && response.error.empty()) response.error = "no response";
    if (response.status == 0 && response.failure == sdk::HttpResponse::Failure::kNone)
      response.failure = sdk::HttpResponse::Failure::kConnection;

    const auto latency = Clock::now() - started;
    count([&](HttpMetrics& m) {
      ++m.requests;
      m.total_latency += std::chrono::duration_cast<std::chrono::milliseconds>(latency);
      ++m.by_status[response.status];
      const int cls = response.status / 100;
      ++m.by_class[cls >= 1 && cls <= 5 ? cls : 0];
      if (response.status == 0) {
        ++m.no_response;
        if (timed_out) ++m.timeouts;
      }
    });

    std::string line = request.method + " " + redact_url(request.url) + " -> ";
    if (response.status == 0) {
      line += "no response (" + std::to_string(ms(latency)) + " ms): " + response.error;
    } else {
      line += std::to_string(response.status) + " (" + std::to_string(ms(latency)) + " ms)";
    }
    line += note;
    write_log(response.status == 0 || response.status >= 400 ? sdk::LogLevel::kWarn
                                                             : sdk::LogLevel::kInfo,
              line);
    return response;
  }

  sdk::HttpResponse send(const sdk::HttpRequest& request) {
    if (!is_token(request.method)) return refuse(request, "invalid method");
    auto url = check(request.url);
    if (!url) return refuse(request, url.error().message);
    for (const auto& [name, value] : request.headers) {
      if (!is_token(name) || !is_header_value(value))
        return refuse(request, "header \"" + (is_token(name) ? name : std::string("?")) +
                                   "\" has an invalid name or value");
      // Framing and routing are the client's: a plugin-set Host could reach another virtual
      // host behind an allowed address, a Content-Length could desynchronise the connection.
      for (const char* managed : {"Host", "Content-Length", "Transfer-Encoding"}) {
        if (iequals(name, managed))
          return refuse(request, "header \"" + name + "\" is set by the host, not the plugin");
      }
    }
    try {
      web::uri target(url->target);  // what attempt() will send; cpprestsdk is stricter than us
    } catch (const web::uri_exception&) {
      return refuse(request,
                    "malformed URL path or query (percent-encode characters such as "
                    "{ } | [ ] \" and space)");
    }
    if (request.timeout.count() <= 0) return refuse(request, "timeout must be positive");
    const auto timeout = std::min(request.timeout, options.max_timeout);

    std::string authorization;
    const bool authenticated =
        request.authenticate && auth != nullptr && auth->kind() != AuthKind::kNone;
    if (authenticated) {
      auto header = auth->authorization();
      if (!header) {
        count([](HttpMetrics& m) { ++m.auth_unavailable; });
        write_log(sdk::LogLevel::kWarn, request.method + " " + redact_url(request.url) +
                                            " -> not sent: " + header.error().message);
        sdk::HttpResponse response;
        response.error = header.error().message;
        response.failure = sdk::HttpResponse::Failure::kNoCredential;
        return response;
      }
      authorization = std::move(header).value();
    }

    auto response = attempt(request, url.value(), authorization, timeout, "");
    if (response.status == 401 && authenticated && auth->renew_after_unauthorized(authorization)) {
      auto renewed = auth->authorization();
      if (renewed && !renewed.value().empty()) {
        count([](HttpMetrics& m) { ++m.retries_after_401; });
        return attempt(request, url.value(), renewed.value(), timeout, " [retry with a new token]");
      }
      // No new token: the 401 stands; say why once.
      write_log(sdk::LogLevel::kWarn,
                request.method + " " + redact_url(request.url) + " -> 401 not retried: " +
                    (renewed ? std::string("no credential") : renewed.error().message));
    }
    return response;
  }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

domain::Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpClientOptions options,
                                                               Authenticator* auth,
                                                               sdk::Logger& log) {
  try {
    auto allow_list = HostAllowList::parse(options.allowed_hosts);
    if (!allow_list) return allow_list.error();
    if (!options.proxy.empty()) {
      auto proxy = parse_url(options.proxy);
      if (!proxy)
        return domain::Error::invalid("proxy: " + proxy.error().message, "proxy",
                                      proxy.error().message);
    }
    if (options.max_timeout.count() <= 0)
      return domain::Error::invalid("max_timeout must be positive", "max_timeout", "not positive");
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->allow_list = std::move(allow_list).value();
    impl->auth = auth;
    impl->log = &log;
    return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
  } catch (const std::exception& e) {
    return domain::Error::internal(std::string("cannot create HTTP client: ") + e.what());
  }
}

sdk::HttpResponse HttpClient::send(const sdk::HttpRequest& request) {
  try {
    return impl_->send(request);
  } catch (const std::exception& e) {
    sdk::HttpResponse response;
    response.error = std::string("request failed: ") + e.what();
    return response;
  } catch (...) {
    sdk::HttpResponse response;
    response.error = "request failed";
    return response;
  }
}

domain::Status HttpClient::check_url(const std::string& url) const {
  try {
    auto checked = impl_->check(url);
    if (!checked) return checked.error();
    return domain::Ok{};
  } catch (const std::exception& e) {
    return domain::Error::internal(e.what());
  }
}

const HostAllowList& HttpClient::allowed_hosts() const noexcept { return impl_->allow_list; }

HttpMetrics HttpClient::metrics() const {
  std::lock_guard lock(impl_->metrics_mutex);
  return impl_->metrics;
}

FormPostAnswer post_form_once(const std::string& url, const std::string& form,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              std::chrono::milliseconds timeout, bool verify_tls,
                              std::size_t max_body_bytes) {
  FormPostAnswer answer;
  const auto started = Clock::now();
  try {
    client::http_client_config config;
    config.set_timeout(timeout);
    config.set_validate_certificates(verify_tls);
    config.set_max_redirects(0);
    config.set_proxy(web::web_proxy(web::web_proxy::disabled));
    web::uri target(url);
    client::http_client client(
        web::uri_builder(target).set_path("").set_query("").set_fragment("").to_uri(), config);
    http::http_request message(http::methods::POST);
    message.set_request_uri(
        web::uri_builder().set_path(target.path()).set_query(target.query()).to_uri());
    for (const auto& [name, value] : headers) message.headers().add(name, value);
    message.headers().add("Connection", "close");  // a POST is never re-sent on a reused one
    message.set_body(std::vector<unsigned char>(form.begin(), form.end()));
    message.headers().set_content_type("application/x-www-form-urlencoded");
    pplx::cancellation_token_source cancel;
    auto response = client.request(message, cancel.get_token()).get();
    if (auto body = read_limited(response, max_body_bytes)) {
      answer.status = response.status_code();
      answer.body = std::move(*body);
    } else {
      cancel.cancel();
      answer.error = "the answer is larger than " + std::to_string(max_body_bytes) + " bytes";
    }
  } catch (const http::http_exception& e) {
    answer.timed_out = e.error_code() == std::errc::timed_out ||
                       Clock::now() - started >= timeout - std::chrono::milliseconds(20);
    answer.error = e.what();
  } catch (const std::exception& e) {
    answer.error = e.what();
  }
  return answer;
}

}  // namespace disputed::net
