#pragma once
// The SDK's one fake host (sdk::testing::FakeHost) as the engine's tests use it: its clock
// follows the engine's domain::Clock, and it sends no HTTP (the fakesystem plugin needs none).

#include <string>

#include "core/domain/time.hpp"
#include "disputed/sdk/testing/fake_host.hpp"

namespace disputed::testing {

class TestHost final : public sdk::testing::FakeHost {
 public:
  explicit TestHost(const domain::Clock& clock, std::string name = "test")
      : FakeHost(options(clock, std::move(name))) {}

 private:
  static sdk::testing::FakeHostOptions options(const domain::Clock& clock, std::string name) {
    sdk::testing::FakeHostOptions o;
    o.instance_name = std::move(name);
    o.clock = [&clock] { return clock.now(); };
    return o;
  }
};

}  // namespace disputed::testing
