#include "core/web/http_fetch.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "core/net/url.hpp"

namespace disputed::web {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kMaxAnswerBytes = 1 << 20;

template <class Stream>
FetchResponse exchange(Stream& stream, asio::io_context& io, const net::Url& url,
                       const std::string& method, const std::map<std::string, std::string>& headers,
                       const std::string& body, std::chrono::steady_clock::time_point deadline) {
  http::request<http::string_body> request{http::string_to_verb(method), url.target, 11};
  request.set(http::field::host, url.host_port());
  request.set(http::field::user_agent, "disputed");
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  FetchResponse out;
  beast::error_code failure;
  bool done = false;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      failure = ec;
      done = true;
      return;
    }
    http::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) {
      failure = read_ec;
      done = true;
    });
  });
  io.run_until(deadline);
  if (!done) {
    out.error = "timeout";
    return out;
  }
  if (failure) {
    out.error = "no answer: " + failure.message();
    return out;
  }
  out.status = int(parser.get().result_int());
  out.body = parser.get().body();
  return out;
}

}  // namespace

FetchResponse fetch(const std::string& method, const std::string& url_text,
                    const std::map<std::string, std::string>& headers, const std::string& body,
                    std::chrono::milliseconds timeout) {
  FetchResponse out;
  auto url = net::parse_url(url_text);
  if (!url) {
    out.error = "refused: " + url.error().message;
    return out;
  }
  if (url->scheme == "http" && !net::is_loopback_host(url->host)) {
    out.error = "refused: plain http is only for loopback (use https): " + url->host_port();
    return out;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    std::optional<asio::ip::tcp::resolver::results_type> endpoints;
    beast::error_code failure;
    resolver.async_resolve(url->host, std::to_string(url->port),
                           [&](beast::error_code ec, asio::ip::tcp::resolver::results_type r) {
                             failure = ec;
                             if (!ec) endpoints = r;
                           });
    io.run_until(deadline);
    if (!endpoints) {
      out.error = failure ? "cannot resolve " + url->host + ": " + failure.message()
                          : "timeout resolving " + url->host;
      return out;
    }
    io.restart();
    if (url->scheme == "http") {
      beast::tcp_stream stream(io);
      bool connected = false;
      stream.async_connect(*endpoints, [&](beast::error_code ec, const auto&) {
        failure = ec;
        connected = !ec;
      });
      io.run_until(deadline);
      if (!connected) {
        out.error = "connection failed: " + (failure ? failure.message() : "timeout");
        return out;
      }
      io.restart();
      out = exchange(stream, io, url.value(), method, headers, body, deadline);
    } else {
      asio::ssl::context tls(asio::ssl::context::tls_client);
      tls.set_default_verify_paths();
      tls.set_verify_mode(asio::ssl::verify_peer);
      SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
      beast::ssl_stream<beast::tcp_stream> stream(io, tls);
      SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str());
      stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
      bool ready = false;
      beast::get_lowest_layer(stream).async_connect(
          *endpoints, [&](beast::error_code ec, const auto&) {
            if (ec) {
              failure = ec;
              return;
            }
            stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code hs) {
              failure = hs;
              ready = !hs;
            });
          });
      io.run_until(deadline);
      if (!ready) {
        out.error = "TLS connection failed: " + (failure ? failure.message() : "timeout");
        return out;
      }
      io.restart();
      out = exchange(stream, io, url.value(), method, headers, body, deadline);
    }
  } catch (const std::exception& e) {
    out.status = 0;
    out.error = std::string("request failed: ") + e.what();
  }
  if (out.status == 0 && out.error == "timeout")
    out.error = "timeout after " + std::to_string(timeout.count()) + " ms";
  return out;
}

}  // namespace disputed::web
