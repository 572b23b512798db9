#pragma once
// The table of commands: every command of `disputed`, each made in its own file. commands.cpp
// composes them, in the order `disputed --help` lists them.

#include <vector>

#include "core/app/commands/command.hpp"

namespace disputed::app {

/// Every command, in the order of `disputed --help`.
const std::vector<Command>& command_table();

Command migrate_command();                // migrate.cpp
Command import_command();                 // import.cpp
Command invoice_command();                // invoice.cpp
std::vector<Command> dispute_commands();  // dispute.cpp: dispute open, list, show, ...
Command tasks_command();                  // tasks.cpp
Command tick_command();                   // tick.cpp
Command events_command();                 // events.cpp
Command categories_command();             // categories.cpp
Command config_command();                 // config_check.cpp
Command plugins_command();                // plugins.cpp
Command connectors_command();             // connectors.cpp
Command dead_letters_command();           // dead_letters.cpp
Command sync_command();                   // sync.cpp
Command serve_command();                  // serve.cpp
Command api_key_command();                // api_key.cpp
Command user_command();                   // user.cpp

}  // namespace disputed::app
