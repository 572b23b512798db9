#pragma once
// A blocking HTTP/1.1 client for tests against a server on 127.0.0.1: one request per
// connection (Connection: close), so it needs no parsing beyond the status line, headers and
// the body up to the end of the stream.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <stdexcept>
#include <string>

namespace disputed::testing {

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

inline HttpAnswer http_call(int port, const std::string& method, const std::string& target,
                            const std::map<std::string, std::string>& headers = {},
                            const std::string& body = "", int timeout_ms = 10000) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(std::uint16_t(port));
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("http_call: cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  std::string request = method + " " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST")
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) before reading everything
    sent += std::size_t(n);
  }
  std::string raw;
  char buf[16384];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, std::size_t(n));
    // Stop at a complete Content-Length body (some servers keep the connection open).
    auto end = raw.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = raw.substr(0, end);
      for (auto& c : head) c = char(std::tolower(static_cast<unsigned char>(c)));
      auto cl = head.find("content-length:");
      if (cl != std::string::npos && raw.size() >= end + 4 + std::stoul(head.substr(cl + 15)))
        break;
    }
  }
  ::close(fd);
  HttpAnswer a;
  auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos)
    throw std::runtime_error("http_call: no HTTP answer");
  a.status = std::stoi(raw.substr(9, 3));
  std::size_t line = raw.find("\r\n") + 2;
  while (line < end) {
    auto next = raw.find("\r\n", line);
    std::string h = raw.substr(line, next - line);
    auto colon = h.find(':');
    if (colon != std::string::npos) {
      std::string name = h.substr(0, colon);
      for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(value.begin());
      a.headers[name] = value;
    }
    line = next + 2;
  }
  a.body = raw.substr(end + 4);
  if (auto cl = a.headers.find("content-length"); cl != a.headers.end())
    a.body.resize(std::stoul(cl->second));
  return a;
}

}  // namespace disputed::testing
