// disputed connectors [--check]: connector instances with their state; --check proves
// credentials and permissions.

#include "core/app/commands/commands.hpp"
#include "core/app/commands/connector_runtime.hpp"
#include "core/engine/views_json.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int connectors(Context& ctx, const Args& args) {
  args.expect_positionals(0);
  Engine e = open_engine(ctx);
  auto configs = host::read_instance_configs(connectors_dir(e.config));
  std::unique_ptr<Connectors> opened;
  if (args.flag("check")) opened = std::make_unique<Connectors>(open_connectors(ctx, e, ctx.err));
  std::vector<engine::ConnectorInstance> instances;
  for (const auto& c : configs) instances.push_back({c.name, c.plugin, c.paused});
  json items = json::array();
  for (const auto& st : e.operations().connectors(instances)) {
    json item = engine::to_json(st);
    if (opened) {
      auto check = opened->host->find(st.name)->connector->check();
      static const char* kCategories[] = {"none", "auth", "permission", "network", "config"};
      item["check"] = {{"ok", check.ok},
                       {"category", kCategories[int(check.category)]},
                       {"message", check.message},
                       {"remedy", check.remedy}};
    }
    items.push_back(item);
  }
  if (ctx.json_output) {
    print_json(ctx.out, {{"items", items}});
    return kExitOk;
  }
  if (items.empty())
    ctx.out << "no connector instances configured (" << connectors_dir(e.config).string() << ")\n";
  for (const auto& i : items) {
    ctx.out << pad(i["name"], 20) << pad(i["plugin"], 12) << pad(i["state"], 10) << "pending "
            << i["pending"] << ", dead " << i["dead_letters"] << ", applied " << i["applied"]
            << ", events " << i["events"] << ", retries " << i["retries"];
    if (!i["last_error"].is_null())
      ctx.out << "\n    last error: " << i["last_error"].get<std::string>();
    if (i.contains("check"))
      ctx.out << "\n    check: "
              << (i["check"]["ok"].get<bool>()
                      ? "ok"
                      : i["check"]["category"].get<std::string>() + ": " +
                            i["check"]["message"].get<std::string>() + " — " +
                            i["check"]["remedy"].get<std::string>());
    ctx.out << "\n";
  }
  return kExitOk;
}

}  // namespace

Command connectors_command() {
  return {{"connectors"},
          {{"connectors [--check]",
            "connector instances: state, pending, dead letters; --check proves credentials"}},
          "Usage: disputed connectors [--check]\n\nConnector instances from configs/connectors/: "
          "state (running, degraded, failing, paused),\nlast poll and apply, pending actions, "
          "dead letters, retries. --check loads each plugin and\nproves credentials and "
          "permissions, with a category and a remedy.\n",
          {"check"},
          {},
          connectors};
}

}  // namespace disputed::app
