#pragma once
/// @file The connector contract test kit: one GoogleTest suite that proves a plugin keeps the
/// promises the host relies on (see connector.hpp and docs/plugin-guide.md). A plugin's test
/// implements ContractEnvironment around its sandbox and instantiates the suite once:
///
///   class MyEnvironment : public disputed::sdk::testkit::ContractEnvironment { ... };
///   DISPUTED_CONTRACT_TESTS(MySystem, [] { return std::make_unique<MyEnvironment>(); })
///
/// Every test gets a fresh environment from the factory (then reset()), loads the plugin with
/// dlopen as the host does, and opens a connector on environment.host() with good_settings().
/// Tests that need something the plugin or its sandbox does not have (no auth, no poll, a fault
/// it cannot inject) are skipped with the reason, never passed silently.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "disputed/sdk/connector.hpp"
#include "disputed/sdk/host.hpp"

namespace disputed::sdk::testkit {

/// A failure the environment's external system (its sandbox) can be told to produce.
enum class Fault {
  kRateLimitedWithRetryAfter,  ///< HTTP 429 with Retry-After: <retry_after seconds>
  kServerError,                ///< HTTP 5xx (e.g. 503 without Retry-After)
  kValidationError,            ///< HTTP 4xx saying the content is invalid (e.g. 422)
  kExpiredToken,               ///< the current OAuth2 access token is answered with 401 once
};

/// "rate_limited_with_retry_after", "server_error", "validation_error", "expired_token".
const char* to_string(Fault fault) noexcept;

/// Which connector call's requests a fault hits.
enum class Call { kApply, kPoll };

/// One injected failure: the next `times` requests that `during` makes fail with `fault`.
/// A sandbox that cannot tell calls apart may fail the next requests whatever the call.
struct FaultPlan {
  Fault fault = Fault::kServerError;
  Call during = Call::kApply;
  int times = 1;
  std::chrono::seconds retry_after{0};  ///< for kRateLimitedWithRetryAfter
};

/// Settings the plugin must refuse, and the field (a JSON pointer into the settings object, e.g.
/// "/base_url") whose problem must be named, either by the manifest's config_schema (the host
/// checks that first) or by Connector::validate().
struct BadSettings {
  std::string settings_json;
  std::string field;
  std::string why;  ///< shown when the check fails, e.g. "base_url must be https"
};

/// What the external system shows of one task, in the terms the contract speaks of. The
/// environment maps its system's states onto these.
struct TaskState {
  enum class Lifecycle {
    kMissing,    ///< no task with this key
    kOpen,       ///< waiting for the person
    kCompleted,  ///< completed by the person in the external system
    kClosed,     ///< closed on disputed's behalf (an update with "status": "completed")
    kCancelled,  ///< cancelled or deleted on disputed's behalf (a cancel)
  };
  Lifecycle lifecycle = Lifecycle::kMissing;
  int notes = 0;        ///< comments or notes disputed added (remind and escalate add one each)
  bool urgent = false;  ///< raised to the system's highest priority (escalate)
  std::string detail;   ///< anything that helps read a failure (the raw record), optional
};

/// "missing", "open", "completed", "closed", "cancelled".
const char* to_string(TaskState::Lifecycle lifecycle) noexcept;

/// What a plugin's test provides so the suite can drive the plugin against its sandbox. The
/// environment owns the sandbox, the hosts and any temporary files; it outlives every connector
/// the suite creates on its hosts. Its functions may fail the test with GoogleTest assertions
/// (ADD_FAILURE) when the sandbox itself misbehaves.
class ContractEnvironment {
 public:
  virtual ~ContractEnvironment() = default;

  /// The plugin library to test (lib<name>.so, as add_connector_plugin() builds it).
  virtual std::filesystem::path plugin_library() const = 0;
  /// The plugin's manifest.json source file (compared with the one embedded in the library).
  virtual std::filesystem::path manifest_file() const = 0;

  /// Settings (JSON text of the instance's `settings` object) that work against the sandbox.
  virtual std::string good_settings() const = 0;
  /// Settings that must be refused, each with the field that must be named. At least one.
  virtual std::vector<BadSettings> bad_settings() const = 0;

  /// A host whose credentials the sandbox accepts. Owned by the environment.
  virtual Host& host() = 0;
  /// A host whose credentials the sandbox refuses (wrong secret, revoked token); nullptr only
  /// for plugins whose manifest says auth kind "none" and that present no credentials of their
  /// own (Host::plugin_secret).
  virtual Host* host_with_bad_credentials() { return nullptr; }

  /// Acts as the person in the external system: completes the task `external_ref` (the id
  /// apply() returned) so that the plugin reports `outcome` as the event's outcome.
  virtual void complete_externally(const std::string& external_ref, const std::string& outcome) = 0;
  /// How many external tasks exist for `task_key` (cancelled and closed ones included).
  virtual int count_tasks(const std::string& task_key) = 0;
  /// The task for `task_key` as the external system shows it.
  virtual TaskState task_state(const std::string& task_key) = 0;

  /// Whether inject() can produce `fault` (both during apply and during poll).
  virtual bool supports(Fault fault) const = 0;
  /// Makes the sandbox fail as planned. Called only for supported faults.
  virtual void inject(const FaultPlan& plan) = 0;
  /// OAuth2 tokens the host has fetched so far, when the environment can count them; lets the
  /// expired-token check prove the token was refreshed exactly once.
  virtual std::optional<int> token_fetches() const { return std::nullopt; }

  /// The assignee put in actions (a person the sandbox knows, e.g. an e-mail address).
  virtual std::string assignee() const { return "agent@example.com"; }

  /// For a plugin with the capability "message" (a mail transport): how many messages carrying
  /// this Message-ID ("<...>") the system received; nullopt when the environment cannot tell
  /// (the message checks are then skipped).
  virtual std::optional<int> count_messages(const std::string& message_id) {
    (void)message_id;
    return std::nullopt;
  }
  /// A recipient the system refuses for good (an SMTP 550, a Graph 4xx), to prove such a
  /// refusal is a dead letter; empty when the system has none.
  virtual std::string refused_recipient() const { return {}; }

  /// Brings the sandbox to an empty state (no tasks, no faults). Called before each test, before
  /// any connector is created.
  virtual void reset() = 0;
};

/// Makes a fresh environment for one test. May return nullptr only to fail the test.
using EnvironmentFactory = std::function<std::unique_ptr<ContractEnvironment>()>;

/// The parameter of the suite: a name for messages and the environment factory.
struct ContractSuite {
  std::string name;
  EnvironmentFactory factory;
};

/// Prints the suite's name (GoogleTest prints parameters in test listings and failures).
void PrintTo(const ContractSuite& suite, std::ostream* out);

/// The contract suite's fixture. Use DISPUTED_CONTRACT_TESTS instead of naming it. Each test
/// owns one environment and one opened connector; the connector is destroyed before the
/// environment (the host must outlive it).
class ConnectorContract : public ::testing::TestWithParam<ContractSuite> {
 protected:
  /// GoogleTest creates one fixture per test; SetUp() makes the environment, loads the plugin and
  /// opens the connector (failures to load or open are reported by the tests that need them).
  ConnectorContract();
  ~ConnectorContract() override;
  void SetUp() override;
  void TearDown() override;

  struct Fixture;  // the helpers the checks share, defined beside them in contract.cpp
  std::unique_ptr<Fixture> fixture_;
};

namespace detail {
/// Defined in the same object file as the checks; referencing it from the test that
/// instantiates the suite makes the linker keep them (they live in a static library).
bool link_contract_checks() noexcept;
}  // namespace detail

}  // namespace disputed::sdk::testkit

/// Instantiates every contract check for one environment. `Name` (an identifier) prefixes the
/// test names: Name/ConnectorContract.<Check>/0. `Factory` is anything convertible to
/// EnvironmentFactory. Use at namespace scope, once per environment.
// GoogleTest pastes the suite name into identifiers, so it must be unqualified here: an alias
// in a namespace of the instantiation's own names the kit's fixture.
#define DISPUTED_CONTRACT_TESTS(Name, Factory)                                                    \
  namespace disputed_contract_tests_##Name {                                                      \
    using ConnectorContract = ::disputed::sdk::testkit::ConnectorContract;                        \
    INSTANTIATE_TEST_SUITE_P(Name, ConnectorContract,                                             \
                             ::testing::Values(::disputed::sdk::testkit::ContractSuite{           \
                                 #Name, ::disputed::sdk::testkit::EnvironmentFactory(Factory)})); \
    [[maybe_unused]] static const bool linked =                                                   \
        ::disputed::sdk::testkit::detail::link_contract_checks();                                 \
  }                                                                                               \
  static_assert(true, "DISPUTED_CONTRACT_TESTS is used like a declaration, with a semicolon")
