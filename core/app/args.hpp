#pragma once
// Command-line parsing: options may appear anywhere after the command words; every option must
// be known to the command, or it is a usage error naming it.

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace disputed::app {

/// A mistake in how the command was called (exit code 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  /// `flags` take no value; `valued` take one (repeatable). Both without the leading "--".
  Args(const std::vector<std::string>& tokens, const std::set<std::string>& flags,
       const std::set<std::string>& valued);

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  /// The value, or a UsageError saying the option is required.
  std::string required(const std::string& name) const;
  /// The n-th positional argument, or a UsageError naming what is missing.
  std::string positional(std::size_t index, const std::string& what) const;
  /// Fails when there are more positionals than `count`.
  void expect_positionals(std::size_t count) const;

 private:
  std::vector<std::string> positionals_;
  std::set<std::string> flags_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace disputed::app
