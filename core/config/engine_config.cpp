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
  if (auto server = config.raw.find("server");
      server != config.raw.end() && server->contains("listen"))
    config.listen = server->at("listen").get<std::string>();
  return config;
}

}  // namespace disputed::config
