#include "core/app/commands/api_key.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

#include "core/app/cli.hpp"
#include "core/app/commands/commands.hpp"
#include "core/engine/views_json.hpp"
#include "core/store/migrations.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int failed(const domain::Error& e, bool json_output, std::ostream& err) {
  if (json_output)
    err << engine::to_json(e).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  else
    err << "error: " << e.describe() << "\n";
  return kExitFailed;
}

}  // namespace

int run_api_key_command(const Args& args, engine::Operations& operations, bool json_output,
                        std::ostream& out, std::ostream& err) {
  std::string sub = args.positional(0, "a subcommand (create, list, revoke)");
  if (sub == "create") {
    std::string name = args.positional(1, "the key's name (e.g. crm-portal)");
    args.expect_positionals(2);
    std::string role = args.required("role");
    auto made = operations.create_api_key(name, role);
    if (!made) return failed(made.error(), json_output, err);
    const auto& k = made->record;
    if (json_output) {
      out << json{{"name", k.name},
                  {"role", k.role},
                  {"key", made->key},
                  {"key_prefix", k.key_prefix},
                  {"created_at", domain::format_instant(k.created_at)}}
                 .dump(2, ' ', false, json::error_handler_t::replace)
          << "\n";
    } else {
      out << "API key '" << k.name << "' (" << k.role
          << ") created. It is shown only now; store it safely:\n\n  " << made->key
          << "\n\nUse it as: Authorization: Bearer <key>\n";
    }
    return kExitOk;
  }
  if (sub == "list") {
    args.expect_positionals(1);
    auto keys = operations.api_keys();
    if (json_output) {
      json items = json::array();
      for (const auto& k : keys) items.push_back(engine::to_json(k));
      out << json{{"items", items}}.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
      return kExitOk;
    }
    if (keys.empty()) {
      out << "no API keys (make one with: disputed api-key create NAME --role ROLE)\n";
      return kExitOk;
    }
    auto pad = [](const std::string& s, std::size_t w) {
      return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' ');
    };
    out << pad("NAME", 24) << pad("ROLE", 12) << pad("KEY", 12) << pad("CREATED", 22)
        << pad("LAST USED", 22) << "REVOKED\n";
    for (const auto& k : keys)
      out << pad(k.name, 24) << pad(k.role, 12) << pad(k.key_prefix + "…", 12)
          << pad(domain::format_instant(k.created_at), 22)
          << pad(k.last_used_at ? domain::format_instant(*k.last_used_at) : "-", 22)
          << (k.revoked_at ? domain::format_instant(*k.revoked_at) : "-") << "\n";
    return kExitOk;
  }
  if (sub == "revoke") {
    std::string name = args.positional(1, "the key's name");
    args.expect_positionals(2);
    auto revoked = operations.revoke_api_key(name);
    if (!revoked) return failed(revoked.error(), json_output, err);
    if (json_output)
      out << json{{"name", name}, {"revoked_at", domain::format_instant(revoked.value())}}.dump(
                 2, ' ', false, json::error_handler_t::replace)
          << "\n";
    else
      out << "API key '" << name << "' revoked; requests with it are now refused (401)\n";
    return kExitOk;
  }
  throw UsageError("unknown api-key subcommand '" + sub + "' (create, list, revoke)");
}

namespace {

int api_key(Context& ctx, const Args& args) {
  // Keys need the database and the time, not the workflows.
  auto cfg = config::load_engine_config(ctx.config_file);
  store::Database db(database_path(ctx, cfg));
  store::require_current_schema(db);
  domain::FakeClock clock(ctx.now_override ? *ctx.now_override : domain::SystemClock().now());
  engine::Operations operations(db, clock);
  return run_api_key_command(args, operations, ctx.json_output, ctx.out, ctx.err);
}

}  // namespace

Command api_key_command() {
  return {{"api-key"},
          {{"api-key create NAME --role R",
            "a key for the REST API (admin|controller|viewer|integration)"},
           {"api-key list | revoke NAME", "the REST API's keys"}},
          "Usage: disputed api-key create NAME --role admin|controller|viewer|integration\n"
          "       disputed api-key list\n"
          "       disputed api-key revoke NAME\n\n"
          "Keys for the REST API (Authorization: Bearer <key>). The key is printed once, at "
          "creation;\n"
          "only its SHA-256 is stored. viewer reads; integration also adds notes and upserts "
          "invoices;\n"
          "controller also runs disputes; admin may do everything. A revoked key is refused at "
          "once.\n",
          {},
          {"role"},
          api_key};
}

}  // namespace disputed::app
