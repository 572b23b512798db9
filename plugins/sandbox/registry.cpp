#include "plugins/sandbox/registry.hpp"

namespace disputed::sandbox {

namespace {
// A function-local static: registrations run during static initialisation of other files.
std::map<std::string, Factory>& factories() {
  static std::map<std::string, Factory> all;
  return all;
}
}  // namespace

bool register_sandbox(const std::string& name, Factory factory) {
  return factories().emplace(name, std::move(factory)).second;
}

std::vector<std::string> registered_sandboxes() {
  std::vector<std::string> names;
  for (const auto& [name, _] : factories()) names.push_back(name);
  return names;
}

std::unique_ptr<Emulator> make_sandbox(const std::string& name, const Options& options) {
  auto it = factories().find(name);
  return it == factories().end() ? nullptr : it->second(options);
}

}  // namespace disputed::sandbox
