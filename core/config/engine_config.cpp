#include "core/config/engine_config.hpp"

#include "core/config/config_error.hpp"
#include "core/config/json_file.hpp"
#include "core/config/json_schema.hpp"

namespace disputed::config {

std::filesystem::path EngineConfig::resolve(std::string_view reference) const {
  std::filesystem::path p{std::string(reference)};
  return (p.is_absolute() ? p : dir / p).lexically_normal();
}

EngineConfig load_engine_config(const std::filesystem::path& file) {
  EngineConfig config;
  config.file = std::filesystem::absolute(file).lexically_normal();
  config.dir = config.file.parent_path();
  config.raw = read_json_file(file);
  embedded_schema("disputed").validate_or_throw(config.raw, file.string());

  const auto& database = config.raw.at("database");
  std::string path = database.at("path").get<std::string>();
  // The database is data, not configuration: like any command-line tool, a relative path means
  // "here", the directory the engine was started in. ":memory:" is SQLite's in-memory database.
  config.database_path = path == ":memory:" ? std::filesystem::path(path)
                                            : std::filesystem::absolute(path).lexically_normal();
  config.synchronous = database.value("synchronous", std::string("normal"));
  config.busy_timeout_ms = database.value("busy_timeout_ms", 5000);
  config.cache_mib = database.value("cache_mib", config.cache_mib);
  config.reader_cache_mib = database.value("reader_cache_mib", config.reader_cache_mib);
  config.mmap_mib = database.value("mmap_mib", config.mmap_mib);
  config.readers = database.value("readers", config.readers);
  config.wal_limit_mib = database.value("wal_limit_mib", config.wal_limit_mib);
  if (auto server = config.raw.find("server"); server != config.raw.end()) {
    if (server->contains("listen")) config.listen = server->at("listen").get<std::string>();
    config.max_body_bytes = server->value("max_body_bytes", config.max_body_bytes);
    config.server_threads = server->value("threads", config.server_threads);
    if (auto t = server->find("tls"); t != server->end())
      config.tls = TlsConfig{config.resolve(t->at("certificate_file").get<std::string>()),
                             config.resolve(t->at("private_key_file").get<std::string>())};
    if (auto l = server->find("limits"); l != server->end()) {
      ServerLimits& limits = config.limits;
      limits.max_header_bytes = l->value("max_header_bytes", limits.max_header_bytes);
      limits.max_connections = l->value("max_connections", limits.max_connections);
      limits.header_timeout_seconds =
          l->value("header_timeout_seconds", limits.header_timeout_seconds);
      limits.body_timeout_seconds = l->value("body_timeout_seconds", limits.body_timeout_seconds);
      limits.idle_timeout_seconds = l->value("idle_timeout_seconds", limits.idle_timeout_seconds);
    }
    if (auto o = server->find("oauth2"); o != server->end()) {
      OAuth2Config oauth2;
      oauth2.issuer = o->at("issuer").get<std::string>();
      oauth2.audience = o->at("audience").get<std::string>();
      oauth2.jwks_uri = o->value("jwks_uri", std::string());
      if (o->contains("jwks_file"))
        oauth2.jwks_file = config.resolve(o->at("jwks_file").get<std::string>());
      oauth2.role_claim = o->at("role_claim").get<std::string>();
      oauth2.roles = o->at("roles").get<std::map<std::string, std::string>>();
      oauth2.actor_claim = o->value("actor_claim", std::string());
      oauth2.jwks_min_refresh_seconds =
          o->value("jwks_min_refresh_seconds", oauth2.jwks_min_refresh_seconds);
      config.oauth2 = std::move(oauth2);
    }
  }
  return config;
}

}  // namespace disputed::config
