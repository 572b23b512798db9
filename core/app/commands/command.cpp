#include "core/app/commands/command.hpp"

#include <ostream>

#include "core/engine/views_json.hpp"
#include "core/store/migrations.hpp"
#include "core/workflow/loader.hpp"

namespace disputed::app {

std::filesystem::path database_path(const Context& ctx, const config::EngineConfig& config) {
  return ctx.db_override ? std::filesystem::path(*ctx.db_override) : config.database_path;
}

store::DatabaseOptions database_options(const config::EngineConfig& config) {
  store::DatabaseOptions options;
  options.synchronous =
      config.synchronous == "full" ? store::Synchronous::kFull : store::Synchronous::kNormal;
  options.busy_timeout_ms = config.busy_timeout_ms;
  options.cache_kib = std::int64_t(config.cache_mib) * 1024;
  options.reader_cache_kib = std::int64_t(config.reader_cache_mib) * 1024;
  options.mmap_bytes = std::int64_t(config.mmap_mib) << 20;
  options.memory_map = config.mmap_mib > 0;
  options.wal_limit_bytes = std::int64_t(config.wal_limit_mib) << 20;
  return options;
}

Engine open_engine(const Context& ctx, bool require_schema) {
  Engine e;
  e.config = config::load_engine_config(ctx.config_file);
  e.definitions = workflow::load_definitions(e.config);
  e.db =
      std::make_unique<store::Database>(database_path(ctx, e.config), database_options(e.config));
  if (require_schema) store::require_current_schema(*e.db);
  if (ctx.now_override && ctx.clock_speed > 0)
    e.clock = std::make_unique<domain::ScaledClock>(*ctx.now_override, ctx.clock_speed);
  else if (ctx.now_override)
    e.clock = std::make_unique<domain::FakeClock>(*ctx.now_override);
  else
    e.clock = std::make_unique<domain::SystemClock>();
  e.session = std::make_unique<engine::Session>(*e.db, e.definitions, *e.clock);
  return e;
}

void print_json(std::ostream& out, const nlohmann::json& j) {
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

int fail(Context& ctx, const domain::Error& error) {
  if (ctx.json_output)
    print_json(ctx.err, engine::to_json(error));
  else
    ctx.err << "error: " << error.describe() << "\n";
  return kExitFailed;
}

std::string pad(const std::string& s, std::size_t width) {
  // Width in bytes is fine for our mostly-ASCII columns; never truncate data.
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

std::string local_time(const workflow::Definitions& defs, domain::Instant t) {
  return defs.calendar.format_local(t);
}

}  // namespace disputed::app
