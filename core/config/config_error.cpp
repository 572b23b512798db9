#include "core/config/config_error.hpp"

#include <utility>

namespace disputed::config {

namespace {
std::string compose(const std::string& file, const std::string& key_path,
                    const std::string& problem) {
  std::string out;
  for (const std::string* part : {&file, &key_path, &problem}) {
    if (part->empty()) continue;
    if (!out.empty()) out += ": ";
    out += *part;
  }
  return out;
}
}  // namespace

ConfigError::ConfigError(std::string file, std::string key_path, std::string problem)
    : std::runtime_error(compose(file, key_path, problem)),
      file_(std::move(file)),
      key_path_(std::move(key_path)),
      problem_(std::move(problem)) {}

std::string pointer_append(const std::string& pointer, const std::string& token) {
  std::string out = pointer;
  out += '/';
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string pointer_append(const std::string& pointer, std::size_t index) {
  return pointer + '/' + std::to_string(index);
}

}  // namespace disputed::config
