// disputed migrate: create or upgrade the database schema.

#include "core/app/commands/commands.hpp"
#include "core/store/migrations.hpp"

namespace disputed::app {

namespace {

int migrate(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  auto cfg = config::load_engine_config(ctx.config_file);
  std::filesystem::path db_path = database_path(ctx, cfg);
  store::Database db(db_path);
  int before = store::schema_version(db);
  auto applied = store::migrate(db);
  if (ctx.json_output) {
    print_json(ctx.out, {{"database", db_path.string()},
                         {"from", before},
                         {"to", store::schema_version(db)},
                         {"applied", applied}});
  } else if (applied.empty()) {
    ctx.out << "database " << db_path.string() << " is at schema version " << before
            << " (current)\n";
  } else {
    ctx.out << "database " << db_path.string() << " migrated from schema version " << before
            << " to " << store::schema_version(db) << "\n";
  }
  return kExitOk;
}

}  // namespace

Command migrate_command() {
  return {{"migrate"},
          {{"migrate", "create or upgrade the database schema"}},
          "Usage: disputed migrate\n\nApplies every pending schema migration (forward only).\n",
          {},
          {},
          migrate};
}

}  // namespace disputed::app
