#include "core/app/commands/commands.hpp"

namespace disputed::app {

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = [] {
    std::vector<Command> t = {migrate_command(), import_command(), invoice_command()};
    for (auto& c : dispute_commands()) t.push_back(std::move(c));
    for (auto&& c :
         {tasks_command(), tick_command(), events_command(), categories_command(), config_command(),
          plugins_command(), connectors_command(), dead_letters_command(), sync_command(),
          serve_command(), api_key_command(), user_command()})
      t.push_back(c);
    return t;
  }();
  return table;
}

}  // namespace disputed::app
