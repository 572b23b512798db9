#pragma once
// The engine's own config file (configs/disputed.json): where the database is and where the
// other config files are. See docs/configuration.md.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace disputed::config {

/// server.oauth2: accept JWT access tokens from an identity provider (see docs/configuration.md).
struct OAuth2Config {
  std::string issuer;
  std::string audience;
  std::string jwks_uri;             // either this
  std::filesystem::path jwks_file;  // or this (absolute)
  std::string role_claim;
  std::map<std::string, std::string>
      roles;                          // claim value -> admin | controller | viewer | integration
  std::string actor_claim;            // empty: email, else preferred_username, else sub
  int jwks_min_refresh_seconds = 60;  // at most one JWKS fetch per this, however many tokens fail
};

/// server.tls: serve HTTPS with these PEM files (absolute), reloaded on SIGHUP.
struct TlsConfig {
  std::filesystem::path certificate_file;
  std::filesystem::path private_key_file;
};

/// server.limits: what one client may send and for how long (see docs/configuration.md).
struct ServerLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_connections = 256;
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 60;
  int idle_timeout_seconds = 30;
};

struct EngineConfig {
  std::filesystem::path file;            // the config file, absolute
  std::filesystem::path dir;             // its directory: base of every relative file reference
  std::filesystem::path database_path;   // absolute (relative paths resolve against the working
                                         // directory at start-up), or ":memory:"
  std::string synchronous = "normal";    // SQLite PRAGMA synchronous: "normal" | "full"
  int busy_timeout_ms = 5000;            // SQLite busy timeout
  int cache_mib = 64;                    // database.cache_mib: the writer's page cache
  int reader_cache_mib = 16;             // database.reader_cache_mib: each reader's page cache
  int mmap_mib = 256;                    // database.mmap_mib: the writer's memory map (0: none)
  int readers = 0;                       // database.readers; 0: as many as server_threads
  int wal_limit_mib = 64;                // database.wal_limit_mib: the log is truncated past it
  std::optional<std::string> listen;     // server.listen ("host:port") when configured
  std::size_t max_body_bytes = 1 << 20;  // server.max_body_bytes
  int server_threads = 8;                // server.threads
  std::optional<OAuth2Config> oauth2;    // server.oauth2
  std::optional<TlsConfig> tls;          // server.tls
  ServerLimits limits;                   // server.limits
  nlohmann::json raw;                    // the whole validated document

  /// `reference` (a file or directory named in this config) as an absolute path: relative
  /// references resolve against `dir`.
  std::filesystem::path resolve(std::string_view reference) const;
};

/// Reads `file` and validates it against disputed.schema.json. Throws ConfigError naming the
/// file and key path on any problem. Does not open the files it references (see
/// workflow::load_definitions).
EngineConfig load_engine_config(const std::filesystem::path& file);

}  // namespace disputed::config
