#pragma once
// The smtp instance's settings, read from the manifest's config_schema (which the host checks
// first) with its defaults, plus the rules a schema cannot say (TLS against the URL's scheme,
// plain text only on loopback, a username for every login).

#include <chrono>
#include <cstddef>
#include <string>

#include "disputed/sdk/kit/settings.hpp"

namespace disputed::plugins::smtp {

enum class Tls { kStartTls, kImplicit, kNone };
enum class Login { kNone, kPlain, kLogin, kXoauth2 };

struct Settings {
  std::string server;  ///< smtp://host:port or smtps://host:port, without a trailing '/'
  std::string host;    ///< the server's host name
  Tls tls = Tls::kStartTls;
  std::string ca_file;
  std::string helo_name = "localhost";
  Login login = Login::kNone;
  std::string username;
  std::string envelope_from;
  std::chrono::milliseconds timeout{30000};
  std::size_t max_message_bytes = 25 * 1024 * 1024;
};

/// Reads the settings; problems go to `in.problem()`.
Settings read_settings(const sdk::kit::Settings& in);

/// "plain", "login", "xoauth2" or "none".
const char* to_string(Login login) noexcept;

}  // namespace disputed::plugins::smtp
