#pragma once
/// @file The former name of the kit's fake host: SandboxHost is sdk::testing::FakeHost (see
/// disputed/sdk/testing/fake_host.hpp). Kept so that tests written for SDK 1.x still build.

#include "disputed/sdk/testing/fake_host.hpp"

namespace disputed::sdk::testkit {

using SandboxHost = ::disputed::sdk::testing::FakeHost;
using SandboxHostOptions = ::disputed::sdk::testing::FakeHostOptions;
using ::disputed::sdk::testing::SandboxHandler;
using ::disputed::sdk::testing::TokenIssuer;

}  // namespace disputed::sdk::testkit
