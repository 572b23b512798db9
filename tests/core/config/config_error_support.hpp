#pragma once
// Test helper for config and workflow tests: catch the ConfigError a call throws.

#include <gtest/gtest.h>

#include "core/config/config_error.hpp"

namespace disputed::testing {

/// Runs `f` and returns the ConfigError it throws; fails the test when it throws nothing.
template <class F>
config::ConfigError config_error_from(F&& f) {
  try {
    f();
  } catch (const config::ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return config::ConfigError("", "", "no error");
}

}  // namespace disputed::testing
