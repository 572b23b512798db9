#pragma once
// The one exception type for configuration problems. Thrown only while starting up: a bad
// configuration stops the engine with a message that names the file and the key path.

#include <stdexcept>
#include <string>

namespace disputed::config {

class ConfigError : public std::runtime_error {
 public:
  /// `key_path` is a JSON pointer ("/steps/2/outcomes/0/next"), empty when the problem concerns
  /// the whole file (not found, syntax error). what() reads "<file>: <key path>: <problem>",
  /// leaving out empty parts.
  ConfigError(std::string file, std::string key_path, std::string problem);

  const std::string& file() const { return file_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string key_path_;
  std::string problem_;
};

/// Appends one reference token to a JSON pointer, escaping '~' and '/' as RFC 6901 requires:
/// pointer_append("/steps", "a/b") == "/steps/a~1b".
std::string pointer_append(const std::string& pointer, const std::string& token);
/// The same for an array index: pointer_append("/steps", 2) == "/steps/2".
std::string pointer_append(const std::string& pointer, std::size_t index);

}  // namespace disputed::config
