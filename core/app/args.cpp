#include "core/app/args.hpp"

namespace disputed::app {

Args::Args(const std::vector<std::string>& tokens, const std::set<std::string>& flags,
           const std::set<std::string>& valued) {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t.rfind("--", 0) != 0 || t == "--") {
      positionals_.push_back(t);
      continue;
    }
    std::string name = t.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name)) {
      if (inline_value) throw UsageError("option --" + name + " takes no value");
      flags_.insert(name);
    } else if (valued.count(name)) {
      if (inline_value) {
        values_[name].push_back(*inline_value);
      } else {
        if (i + 1 >= tokens.size()) throw UsageError("option --" + name + " needs a value");
        values_[name].push_back(tokens[++i]);
      }
    } else {
      throw UsageError("unknown option --" + name + " (see --help)");
    }
  }
}

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  if (it->second.size() > 1) throw UsageError("option --" + name + " given more than once");
  return it->second.front();
}

std::vector<std::string> Args::values(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string Args::required(const std::string& name) const {
  auto v = value(name);
  if (!v) throw UsageError("option --" + name + " is required (see --help)");
  return *v;
}

std::string Args::positional(std::size_t index, const std::string& what) const {
  if (index >= positionals_.size()) throw UsageError("missing " + what + " (see --help)");
  return positionals_[index];
}

void Args::expect_positionals(std::size_t count) const {
  if (positionals_.size() > count)
    throw UsageError("unexpected argument '" + positionals_[count] + "' (see --help)");
}

}  // namespace disputed::app
