// disputed plugins: the connector plugins found, and whether each passes the ABI gate.

#include "core/app/commands/commands.hpp"
#include "core/app/commands/connector_runtime.hpp"
#include "core/host/plugin_catalog.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int plugins(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  auto cfg = config::load_engine_config(ctx.config_file);
  auto dirs =
      host::plugin_search_path(configured_plugin_dirs(cfg), ctx.env("DISPUTED_PLUGIN_PATH"));
  host::PluginCatalog catalog(dirs);
  json items = json::array();
  for (const auto& [id, entry] : catalog.entries()) {
    auto loaded = catalog.load(id);
    items.push_back({{"id", id},
                     {"name", entry.manifest.name},
                     {"version", entry.manifest.version},
                     {"status", entry.manifest.status},
                     {"library", entry.library.string()},
                     {"loadable", loaded.ok()},
                     {"problem", loaded.ok() ? "" : loaded.error().message}});
  }
  if (ctx.json_output) {
    json searched = json::array();
    for (const auto& d : dirs) searched.push_back(d.string());
    print_json(ctx.out, {{"searched", searched}, {"items", items}});
    return kExitOk;
  }
  if (items.empty()) {
    ctx.out << "no plugins found in:";
    for (const auto& d : dirs) ctx.out << " " << d.string();
    ctx.out << "\n";
  }
  for (const auto& i : items)
    ctx.out << pad(i["id"], 14) << pad(i["version"], 9) << pad(i["status"], 7)
            << (i["loadable"].get<bool>() ? std::string("ok  ") + i["library"].get<std::string>()
                                          : "REFUSED: " + i["problem"].get<std::string>())
            << "\n";
  return kExitOk;
}

}  // namespace

Command plugins_command() {
  return {{"plugins"},
          {{"plugins", "connector plugins found, and whether each passes the ABI gate"}},
          "Usage: disputed plugins\n\nLists the connector plugins found (config plugin_dirs, "
          "<binary>/../plugins,\n$DISPUTED_PLUGIN_PATH) and whether each passes the ABI gate, or "
          "why it is refused.\n",
          {},
          {},
          plugins};
}

}  // namespace disputed::app
