// The contract checks. Each TEST_P proves one promise of connector.hpp that the host relies on;
// its name says which. They all live in this one file so that the linker keeps them together
// (see detail::link_contract_checks).

#include "disputed/sdk/testkit/contract.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "disputed/sdk/batch_applier.hpp"
#include "disputed/sdk/kit/message_contract.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"

namespace disputed::sdk::testkit {

using nlohmann::json;
using namespace std::chrono_literals;

const char* to_string(Fault fault) noexcept {
  switch (fault) {
    case Fault::kRateLimitedWithRetryAfter:
      return "rate_limited_with_retry_after";
    case Fault::kServerError:
      return "server_error";
    case Fault::kValidationError:
      return "validation_error";
    case Fault::kExpiredToken:
      return "expired_token";
  }
  return "?";
}

const char* to_string(TaskState::Lifecycle lifecycle) noexcept {
  switch (lifecycle) {
    case TaskState::Lifecycle::kMissing:
      return "missing";
    case TaskState::Lifecycle::kOpen:
      return "open";
    case TaskState::Lifecycle::kCompleted:
      return "completed";
    case TaskState::Lifecycle::kClosed:
      return "closed";
    case TaskState::Lifecycle::kCancelled:
      return "cancelled";
  }
  return "?";
}

void PrintTo(const ContractSuite& suite, std::ostream* out) { *out << suite.name; }

bool detail::link_contract_checks() noexcept { return true; }

namespace {

const char* name_of(ApplyResult::Status s) {
  switch (s) {
    case ApplyResult::Status::kApplied:
      return "applied";
    case ApplyResult::Status::kAlreadyApplied:
      return "already-applied";
    case ApplyResult::Status::kRetryable:
      return "retryable";
    case ApplyResult::Status::kRateLimited:
      return "rate-limited";
    case ApplyResult::Status::kAuthFailed:
      return "auth-failed";
    case ApplyResult::Status::kRejected:
      return "rejected";
  }
  return "?";
}

const char* name_of(PollResult::Status s) {
  switch (s) {
    case PollResult::Status::kOk:
      return "ok";
    case PollResult::Status::kRetryable:
      return "retryable";
    case PollResult::Status::kRateLimited:
      return "rate-limited";
    case PollResult::Status::kAuthFailed:
      return "auth-failed";
  }
  return "?";
}

const char* name_of(CheckResult::Category c) {
  switch (c) {
    case CheckResult::Category::kNone:
      return "none";
    case CheckResult::Category::kAuth:
      return "auth";
    case CheckResult::Category::kPermission:
      return "permission";
    case CheckResult::Category::kNetwork:
      return "network";
    case CheckResult::Category::kConfig:
      return "config";
  }
  return "?";
}

std::string describe(const ApplyResult& r) {
  std::ostringstream out;
  out << name_of(r.status);
  if (r.retry_after.count()) out << " (retry after " << r.retry_after.count() << " s)";
  if (!r.external_ref.empty()) out << " external_ref=" << r.external_ref;
  if (!r.message.empty()) out << ": " << r.message;
  return out.str();
}

std::string describe(const PollResult& r) {
  std::ostringstream out;
  out << name_of(r.status) << ", " << r.events.size() << " event(s), next_cursor '" << r.next_cursor
      << "'";
  if (r.retry_after.count()) out << ", retry after " << r.retry_after.count() << " s";
  if (!r.message.empty()) out << ": " << r.message;
  return out.str();
}

std::string describe(const CheckResult& r) {
  return std::string(r.ok ? "ok" : "not ok") + ", category " + name_of(r.category) +
         (r.message.empty() ? "" : ": " + r.message) +
         (r.remedy.empty() ? "" : " (remedy: " + r.remedy + ")");
}

std::string describe(const TaskState& s) {
  return std::string(to_string(s.lifecycle)) + ", " + std::to_string(s.notes) + " note(s)" +
         (s.urgent ? ", urgent" : "") + (s.detail.empty() ? "" : " [" + s.detail + "]");
}

template <class Items>
std::string join_lines(const Items& items) {
  std::string out;
  for (const auto& item : items) out += "\n  " + item;
  return out;
}

// The connector call in progress on this thread. An exception escaping a noexcept function ends
// the process in std::terminate before any catch could see it, so the kit cannot turn it into
// a failed assertion; it can only say, before the abort, which call broke the promise.
thread_local const char* current_call = nullptr;
std::terminate_handler previous_terminate = nullptr;

[[noreturn]] void on_terminate() {
  if (current_call) {
    std::string what = "an exception";
    if (auto e = std::current_exception()) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        what = std::string("exception: ") + x.what();
      } catch (...) {
        what = "an exception not derived from std::exception";
      }
    }
    std::cerr
        << "\nCONTRACT VIOLATION: " << what << " escaped Connector::" << current_call
        << "(). Every Connector function is noexcept: the host process ends here (std::terminate). "
           "Catch inside the plugin and answer with a value.\n"
        << std::flush;
  }
  if (previous_terminate) previous_terminate();
  std::abort();
}

class CallScope {
 public:
  explicit CallScope(const char* name) : previous_(current_call) { current_call = name; }
  ~CallScope() { current_call = previous_; }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  const char* previous_;
};

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// "2025-01-10T16:00:00Z"
std::string iso(Instant t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(t - day);
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return out;
}

// Keys unique per process and test, so a sandbox that keeps state between tests (a shared
// emulator) never sees an old task under a new test's key.
std::string unique_dispute_ref() {
  static std::atomic<int> counter{0};
  return "KIT-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

const char* const kOutcome = "approved";

}  // namespace

// ------------------------------------------------------------------------------------------
// The fixture's shared state and helpers.

struct ConnectorContract::Fixture {
  ContractSuite suite;
  std::unique_ptr<ContractEnvironment> env;
  std::string manifest_text;
  json manifest;  // the manifest file, parsed; null when unreadable
  std::shared_ptr<PluginUnderTest> plugin;
  std::string setup_error;  // why there is no opened connector
  ConnectorPtr
      connector;  // opened on env->host() with good settings; declared after env: destroyed first

  bool has_capability(const std::string& capability) const {
    if (!manifest.is_object() || !manifest.contains("capabilities") ||
        !manifest["capabilities"].is_array())
      return false;
    for (const auto& c : manifest["capabilities"])
      if (c == capability) return true;
    return false;
  }

  std::string auth_kind() const {
    try {
      return manifest.at("auth").at("kind").get<std::string>();
    } catch (const std::exception&) {
      return "none";
    }
  }

  std::string config_schema() const {
    return manifest.is_object() && manifest.contains("config_schema")
               ? manifest["config_schema"].dump()
               : "{}";
  }

  // ---- calls, each marked for the terminate handler
  static std::vector<ConfigProblem> validate(Connector& c, const std::string& settings) {
    CallScope scope("validate");
    return c.validate(settings);
  }
  static OpenResult open(Connector& c, const std::string& settings, Host& host) {
    CallScope scope("open");
    return c.open(settings, host);
  }
  static CheckResult check(Connector& c) {
    CallScope scope("check");
    return c.check();
  }
  static ApplyResult apply(Connector& c, const Action& action) {
    CallScope scope("apply");
    return c.apply(action);
  }
  static PollResult poll(Connector& c, const PollRequest& request) {
    CallScope scope("poll");
    return c.poll(request);
  }
  ApplyResult apply(const Action& action) { return apply(*connector, action); }
  PollResult poll(const PollRequest& request) { return poll(*connector, request); }

  /// A new connector opened on `host` with the good settings; empty (and `error`) on failure.
  ConnectorPtr open_connector(Host& host, std::string& error) {
    ConnectorPtr c = plugin->create();
    if (!c) {
      error = "the plugin's factory returned no connector (its constructor threw?)";
      return c;
    }
    OpenResult r = open(*c, env->good_settings(), host);
    if (!r.ok) {
      error = "open() with good settings failed: " + r.message;
      c.reset();
    }
    return c;
  }

  // ---- actions shaped like the engine's (core/engine/dispute_service.cpp)
  std::string new_task_key() { return unique_dispute_ref() + "-1"; }

  static std::string dispute_of(const std::string& task_key) {
    return task_key.substr(0, task_key.rfind('-'));
  }

  json step_payload(const std::string& task_key) {
    Instant deadline = env->host().clock().now() + 96h;
    return {{"task_key", task_key},
            {"dispute", dispute_of(task_key)},
            {"step", "check"},
            {"title", "Check the price agreement"},
            {"assignee", env->assignee()},
            {"deadline_at", iso(deadline)}};
  }

  Action create_action(const std::string& task_key) {
    Instant deadline = env->host().clock().now() + 96h;
    json payload = step_payload(task_key);
    payload.erase("title");
    payload.update(json{
        {"subject", "Check the price agreement — " + dispute_of(task_key) + " (Acme B.V.)"},
        {"instructions", "Compare the invoiced price with the contract and choose an outcome."},
        {"assignee_kind", "person"},
        {"deadline_local_date", iso(deadline).substr(0, 10)},
        {"time_zone", "Europe/Amsterdam"},
        {"outcomes", {kOutcome, "rejected"}},
        {"category", "price"},
        {"customer", {{"id", "C-1001"}, {"name", "Acme B.V."}}},
        {"description", "Customer says the unit price should be 9.50, not 10.00."},
        {"currency", "EUR"},
        {"disputed_amount", "125.00"},
        {"invoices", json::array({{{"number", "INV-1001"}, {"disputed_amount", "125.00"}}})}});
    return make(Action::Kind::kCreate, task_key, task_key + ":create", "", payload.dump());
  }

  Action update_action(const std::string& task_key, const std::string& ref) {
    json payload = {{"task_key", task_key},
                    {"status", "completed"},
                    {"outcome", kOutcome},
                    {"comment", "Handled in disputed by the credit controller."}};
    return make(Action::Kind::kUpdate, task_key, task_key + ":complete", ref, payload.dump());
  }

  Action cancel_action(const std::string& task_key, const std::string& ref) {
    json payload = {
        {"task_key", task_key}, {"dispute", dispute_of(task_key)}, {"reason", "dispute withdrawn"}};
    return make(Action::Kind::kCancel, task_key, task_key + ":cancel", ref, payload.dump());
  }

  Action remind_action(const std::string& task_key, const std::string& ref) {
    json payload = step_payload(task_key);
    payload["note"] = "Reminder: 'Check the price agreement' is due in 2 working days";
    return make(Action::Kind::kRemind, task_key, task_key + ":remind-1", ref, payload.dump());
  }

  Action escalate_action(const std::string& task_key, const std::string& ref) {
    json payload = step_payload(task_key);
    payload["note"] =
        "Escalated to manager@example.com: 'Check the price agreement' is 2 working day(s) overdue";
    payload["escalated_to"] = "manager@example.com";
    payload["priority"] = "urgent";
    return make(Action::Kind::kEscalate, task_key, task_key + ":escalate", ref, payload.dump());
  }

  // ---- messages shaped like the engine's (kit::MessagePayload)
  static std::string message_id(const std::string& key) {
    return "<" + key + ".contract@disputes.example.test>";
  }

  Action message_action(const std::string& key, const std::string& to) {
    kit::MessagePayload m;
    m.kind = "task_assigned";
    m.idempotency_key = key + ":assigned";
    m.message_id = message_id(key);
    m.date = iso(env->host().clock().now());
    m.from = {"disputes@example.test", "Credit control"};
    m.to = {{to, ""}};
    m.subject = "Check the price agreement — " + dispute_of(key) + " (Acme B.V.)";
    m.text = "Compare the invoiced price with the contract and choose an outcome.";
    m.html = "<p>Compare the invoiced price with the contract and choose an outcome.</p>";
    m.headers = {{"Auto-Submitted", "auto-generated"}};
    m.dispute = dispute_of(key);
    return make(Action::Kind::kMessage, key, m.idempotency_key, "",
                kit::serialise_message_payload(m));
  }

  static Action make(Action::Kind kind, const std::string& task_key, const std::string& action_key,
                     const std::string& ref, std::string payload) {
    Action a;
    a.kind = kind;
    a.task_key = task_key;
    a.action_key = action_key;
    a.external_ref = ref;
    a.payload_json = std::move(payload);
    a.attempt = 1;
    return a;
  }

  /// Creates a task for `task_key`; its external ref, or empty after reporting why.
  std::string create_task(const std::string& task_key) {
    ApplyResult r = apply(create_action(task_key));
    if (r.status != ApplyResult::Status::kApplied || r.external_ref.empty()) {
      ADD_FAILURE() << "creating a task for " << task_key << " answered " << describe(r)
                    << " (expected applied with an external_ref)";
      return {};
    }
    return r.external_ref;
  }

  static PollRequest poll_request(const std::string& cursor, std::vector<OpenRef> open_refs,
                                  bool reconcile = false) {
    PollRequest r;
    r.cursor = cursor;
    r.open_refs = std::move(open_refs);
    r.reconcile = reconcile;
    return r;
  }

  static std::vector<TaskEvent> completions(const PollResult& r, const std::string& task_key) {
    std::vector<TaskEvent> out;
    for (const auto& e : r.events)
      if (e.kind == TaskEvent::Kind::kCompleted && e.task_key == task_key) out.push_back(e);
    return out;
  }

  /// Fails unless the thread count returns to `expected` within a second (a thread that exits
  /// after its call returned may need a moment to leave /proc). `note` is added on failure.
  static void expect_threads(std::size_t expected, const std::string& when,
                             const std::string& note) {
    std::size_t now = count_threads();
    for (int i = 0; i < 100 && now != expected; ++i) {
      std::this_thread::sleep_for(10ms);
      now = count_threads();
    }
    EXPECT_EQ(now, expected) << "threads " << when << ": " << now << ", before: " << expected
                             << " (a plugin must start no thread that outlives a call)" << note;
  }
};

ConnectorContract::ConnectorContract() : fixture_(std::make_unique<Fixture>()) {}
ConnectorContract::~ConnectorContract() = default;

void ConnectorContract::SetUp() {
  static std::once_flag terminate_installed;
  std::call_once(terminate_installed,
                 [] { previous_terminate = std::set_terminate(on_terminate); });

  Fixture& f = *fixture_;
  f.suite = GetParam();
  ASSERT_TRUE(f.suite.factory) << "DISPUTED_CONTRACT_TESTS(" << f.suite.name
                               << ", ...) was given no factory";
  f.env = f.suite.factory();
  ASSERT_NE(f.env, nullptr) << "the environment factory of " << f.suite.name << " returned nullptr";
  f.env->reset();
  f.manifest_text = read_text(f.env->manifest_file());
  f.manifest = json::parse(f.manifest_text, nullptr, false);
  if (f.manifest.is_discarded()) f.manifest = nullptr;
  // Loading and opening failures are kept, not asserted: the manifest and descriptor checks
  // must still report what is wrong with a plugin that cannot open.
  f.plugin = PluginUnderTest::load(f.env->plugin_library(), &f.setup_error);
  if (f.plugin) f.connector = f.open_connector(f.env->host(), f.setup_error);
}

void ConnectorContract::TearDown() {
  Fixture& f = *fixture_;
  f.connector.reset();  // before the environment: its host must outlive the connector
  f.env.reset();
}

#define DISPUTED_REQUIRE_OPEN_CONNECTOR()                                  \
  do {                                                                     \
    if (!f.connector) FAIL() << "no connector to test: " << f.setup_error; \
  } while (false)

#define DISPUTED_REQUIRE_CAPABILITY(name)                                                         \
  do {                                                                                            \
    if (!f.has_capability(name)) GTEST_SKIP() << "the manifest's capabilities lack \"" name "\""; \
  } while (false)

#define DISPUTED_REQUIRE_FAULT(fault)                                       \
  do {                                                                      \
    if (!f.env->supports(fault))                                            \
      GTEST_SKIP() << "the environment cannot inject " << to_string(fault); \
  } while (false)

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ConnectorContract);

// ------------------------------------------------------------------------------------------
// The ABI gate and the manifest: what the host checks before it creates anything.

TEST_P(ConnectorContract, DescriptorPassesTheHostsAbiGate) {
  Fixture& f = *fixture_;
  ASSERT_NE(f.plugin, nullptr) << f.setup_error;
  auto problems = f.plugin->descriptor_problems();
  EXPECT_TRUE(problems.empty()) << "the host would refuse " << f.plugin->path() << ":"
                                << join_lines(problems);
}

TEST_P(ConnectorContract, ManifestIsValidAndEqualToTheEmbeddedOne) {
  Fixture& f = *fixture_;
  ASSERT_FALSE(f.manifest_text.empty())
      << "cannot read the manifest file " << f.env->manifest_file();
  auto problems = manifest_problems(f.manifest_text);
  EXPECT_TRUE(problems.empty()) << f.env->manifest_file()
                                << " breaks the manifest schema:" << join_lines(problems);
  ASSERT_NE(f.plugin, nullptr) << f.setup_error;
  const disputed_plugin_descriptor* d = f.plugin->descriptor();
  ASSERT_TRUE(d && d->manifest_json) << "the plugin embeds no manifest";
  json embedded = json::parse(d->manifest_json, nullptr, false);
  ASSERT_FALSE(embedded.is_discarded()) << "the manifest embedded in the plugin is not JSON";
  if (embedded != f.manifest) {
    std::string differing;
    for (const auto& [key, value] :
         f.manifest.is_object() ? f.manifest.items() : json::object().items())
      if (embedded.value(key, json()) != value) differing += " '" + key + "'";
    ADD_FAILURE() << "the manifest built into the plugin differs from " << f.env->manifest_file()
                  << " (keys:" << differing << "); rebuild the plugin after editing its manifest";
  }
  if (f.manifest.is_object() && f.manifest.contains("sdk_abi")) {
    EXPECT_EQ(f.manifest["sdk_abi"].value("major", -1), int(d->abi_major))
        << "manifest sdk_abi.major disagrees with the descriptor (the host refuses the plugin)";
  }
}

TEST_P(ConnectorContract, ManifestBesideTheLibraryIsTheOneTheHostReads) {
  Fixture& f = *fixture_;
  auto beside = manifest_beside(f.env->plugin_library());
  std::string text = read_text(beside);
  ASSERT_FALSE(text.empty())
      << "the host reads " << beside
      << " to find the plugin; add_connector_plugin() copies manifest.json there";
  EXPECT_EQ(json::parse(text, nullptr, false), f.manifest)
      << beside << " differs from " << f.env->manifest_file();
}

// ------------------------------------------------------------------------------------------
// Settings and credentials.

TEST_P(ConnectorContract, GoodSettingsAreAccepted) {
  Fixture& f = *fixture_;
  ASSERT_NE(f.plugin, nullptr) << f.setup_error;
  std::string settings = f.env->good_settings();
  for (const auto& [field, problem] : settings_problems(f.config_schema(), settings))
    ADD_FAILURE() << "the manifest's config_schema refuses the good settings at '" << field
                  << "': " << problem;
  ConnectorPtr fresh = f.plugin->create();  // validate() may be called before open()
  ASSERT_TRUE(fresh) << "the plugin's factory returned no connector";
  for (const auto& p : Fixture::validate(*fresh, settings))
    ADD_FAILURE() << "validate() refuses the good settings at '" << p.field << "': " << p.problem;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
}

TEST_P(ConnectorContract, BadSettingsAreRejectedNamingTheField) {
  Fixture& f = *fixture_;
  ASSERT_NE(f.plugin, nullptr) << f.setup_error;
  auto bad = f.env->bad_settings();
  ASSERT_FALSE(bad.empty()) << "the environment lists no bad settings";
  ConnectorPtr fresh = f.plugin->create();
  ASSERT_TRUE(fresh) << "the plugin's factory returned no connector";
  for (const auto& b : bad) {
    // The host checks the config schema first, then validate(): either may name the field.
    std::string said;
    bool named = false;
    for (const auto& [field, problem] : settings_problems(f.config_schema(), b.settings_json)) {
      said += "\n  config_schema: '" + field + "': " + problem;
      named = named || field == b.field;
    }
    for (const auto& p : Fixture::validate(*fresh, b.settings_json)) {
      said += "\n  validate(): '" + p.field + "': " + p.problem;
      named = named || p.field == b.field;
      EXPECT_FALSE(p.problem.empty())
          << "validate() named '" << p.field << "' without saying what is wrong";
      EXPECT_TRUE(p.field.empty() || p.field.front() == '/')
          << "validate() field '" << p.field << "' is not a JSON pointer (\"/key/sub\")";
    }
    EXPECT_TRUE(named) << "settings " << b.settings_json
                       << (b.why.empty() ? "" : " (" + b.why + ")") << " must be refused naming '"
                       << b.field << "'; got:" << (said.empty() ? " nothing" : said);
  }
}

TEST_P(ConnectorContract, CheckSucceedsWithGoodCredentials) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  CheckResult r = Fixture::check(*f.connector);
  EXPECT_TRUE(r.ok) << describe(r);
  EXPECT_EQ(r.category, CheckResult::Category::kNone) << describe(r);
}

TEST_P(ConnectorContract, CheckReportsAnAuthProblemWithBadCredentials) {
  Fixture& f = *fixture_;
  // Auth kind "none" with credentials of the plugin's own (an SMTP password, "use": "plugin")
  // is tested when the environment offers a host holding wrong ones.
  if (f.auth_kind() == "none" && !f.env->host_with_bad_credentials())
    GTEST_SKIP() << "the plugin's auth kind is \"none\"";
  ASSERT_NE(f.plugin, nullptr) << f.setup_error;
  Host* bad = f.env->host_with_bad_credentials();
  ASSERT_NE(bad, nullptr) << "auth kind \"" << f.auth_kind()
                          << "\": the environment must provide host_with_bad_credentials()";
  std::string error;
  ConnectorPtr c = f.open_connector(*bad, error);
  ASSERT_TRUE(c)
      << error << " (open() must not depend on the credentials: check() is where they are proven)";
  CheckResult r = Fixture::check(*c);
  EXPECT_FALSE(r.ok) << describe(r);
  EXPECT_EQ(r.category, CheckResult::Category::kAuth) << describe(r);
  EXPECT_FALSE(r.message.empty()) << "check() must say what is wrong";
  EXPECT_FALSE(r.remedy.empty()) << "check() must say what an operator should do";
}

TEST_P(ConnectorContract, ApplyAndPollWithBadCredentialsAnswerAuthFailed) {
  Fixture& f = *fixture_;
  // Auth kind "none" with credentials of the plugin's own (an SMTP password, "use": "plugin")
  // is tested when the environment offers a host holding wrong ones.
  if (f.auth_kind() == "none" && !f.env->host_with_bad_credentials())
    GTEST_SKIP() << "the plugin's auth kind is \"none\"";
  ASSERT_NE(f.plugin, nullptr) << f.setup_error;
  Host* bad = f.env->host_with_bad_credentials();
  ASSERT_NE(bad, nullptr) << "auth kind \"" << f.auth_kind()
                          << "\": the environment must provide host_with_bad_credentials()";
  std::string error;
  ConnectorPtr c = f.open_connector(*bad, error);
  ASSERT_TRUE(c) << error;
  std::string key = f.new_task_key();
  if (f.has_capability("create")) {
    ApplyResult r = Fixture::apply(*c, f.create_action(key));
    EXPECT_EQ(r.status, ApplyResult::Status::kAuthFailed)
        << describe(r)
        << " (the host marks the instance failing and holds its actions; retrying would not help)";
    EXPECT_EQ(f.env->count_tasks(key), 0);
  }
  if (f.has_capability("message")) {
    Action m = f.message_action(key, f.env->assignee());
    ApplyResult r = Fixture::apply(*c, m);
    EXPECT_EQ(r.status, ApplyResult::Status::kAuthFailed) << describe(r);
    if (auto n = f.env->count_messages(f.message_id(key))) {
      EXPECT_EQ(*n, 0);
    }
  }
  if (f.has_capability("poll")) {
    PollResult p = Fixture::poll(*c, Fixture::poll_request("", {}));
    EXPECT_EQ(p.status, PollResult::Status::kAuthFailed) << describe(p);
  }
}

// ------------------------------------------------------------------------------------------
// Exactly-once effect of actions.

TEST_P(ConnectorContract, CreatingTwiceWithTheSameKeyMakesOneTask) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("create");
  std::string key = f.new_task_key();
  Action create = f.create_action(key);
  ApplyResult first = f.apply(create);
  ASSERT_EQ(first.status, ApplyResult::Status::kApplied) << describe(first);
  ASSERT_FALSE(first.external_ref.empty()) << "a create must return the external task's id";
  EXPECT_EQ(f.env->count_tasks(key), 1);

  // The host re-delivers after a timeout or crash: same keys, no external_ref known yet.
  create.attempt = 2;
  ApplyResult second = f.apply(create);
  EXPECT_EQ(second.status, ApplyResult::Status::kAlreadyApplied) << describe(second);
  EXPECT_EQ(second.external_ref, first.external_ref)
      << "the retry must name the task the first call created";
  EXPECT_EQ(f.env->count_tasks(key), 1) << "a retried create made a second task";

  // The task key, not the content, identifies a task: the same subject and text under a new
  // key (a step that runs a second time) is a new task.
  std::string other = f.new_task_key();
  Action same_content = f.create_action(other);
  json payload = json::parse(create.payload_json);
  payload["task_key"] = other;
  same_content.payload_json = payload.dump();
  ApplyResult third = f.apply(same_content);
  EXPECT_EQ(third.status, ApplyResult::Status::kApplied) << describe(third);
  EXPECT_NE(third.external_ref, first.external_ref);
  EXPECT_EQ(f.env->count_tasks(other), 1);
  EXPECT_EQ(f.env->count_tasks(key), 1);
}

// The optional BatchApplier (batch_applier.hpp): one answer per action, in order, each as apply()
// would give it, and a retried batch makes no second task.
TEST_P(ConnectorContract, ABatchAnswersEachActionAsApplyWouldAndRetriesMakeNoDuplicate) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  auto* batch = dynamic_cast<BatchApplier*>(f.connector.get());
  if (!batch) GTEST_SKIP() << "the connector does not implement sdk::BatchApplier (optional)";
  if (batch->max_batch() < 2 || !batch->batches(Action::Kind::kCreate))
    GTEST_SKIP() << "the connector does not batch creates";
  std::string existing = f.new_task_key();
  std::string ref = f.create_task(existing);
  ASSERT_FALSE(ref.empty());
  std::vector<Action> actions = {f.create_action(f.new_task_key()), f.create_action(existing),
                                 f.create_action(f.new_task_key())};
  std::vector<ApplyResult> first;
  {
    CallScope scope("apply_batch");
    first = batch->apply_batch(actions);
  }
  ASSERT_EQ(first.size(), actions.size()) << "one result per action, in order";
  EXPECT_EQ(first[0].status, ApplyResult::Status::kApplied) << describe(first[0]);
  EXPECT_EQ(first[1].status, ApplyResult::Status::kAlreadyApplied) << describe(first[1]);
  EXPECT_EQ(first[1].external_ref, ref) << "the task the earlier create made";
  EXPECT_EQ(first[2].status, ApplyResult::Status::kApplied) << describe(first[2]);
  EXPECT_NE(first[0].external_ref, first[2].external_ref);
  std::vector<ApplyResult> again;
  {
    CallScope scope("apply_batch");
    again = batch->apply_batch(actions);
  }
  ASSERT_EQ(again.size(), actions.size());
  for (std::size_t i = 0; i < actions.size(); ++i) {
    EXPECT_EQ(again[i].status, ApplyResult::Status::kAlreadyApplied) << describe(again[i]);
    EXPECT_EQ(again[i].external_ref, first[i].external_ref);
    EXPECT_EQ(f.env->count_tasks(actions[i].task_key), 1) << "a retried batch made a second task";
  }
}

TEST_P(ConnectorContract, AnUpdateClosingTheTaskIsReflected) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("update");
  std::string key = f.new_task_key();
  std::string ref = f.create_task(key);
  ASSERT_FALSE(ref.empty());
  Action update = f.update_action(key, ref);
  ApplyResult r = f.apply(update);
  EXPECT_EQ(r.status, ApplyResult::Status::kApplied) << describe(r);
  EXPECT_TRUE(r.external_ref.empty() || r.external_ref == ref)
      << "an update must echo the task's id";
  TaskState state = f.env->task_state(key);
  EXPECT_EQ(state.lifecycle, TaskState::Lifecycle::kClosed) << describe(state);

  update.attempt = 2;
  ApplyResult again = f.apply(update);
  EXPECT_TRUE(again.status == ApplyResult::Status::kApplied ||
              again.status == ApplyResult::Status::kAlreadyApplied)
      << "a retried update answered " << describe(again);
  EXPECT_EQ(f.env->task_state(key).lifecycle, TaskState::Lifecycle::kClosed);
  EXPECT_EQ(f.env->count_tasks(key), 1);
}

TEST_P(ConnectorContract, ACancelIsReflected) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("cancel");
  std::string key = f.new_task_key();
  std::string ref = f.create_task(key);
  ASSERT_FALSE(ref.empty());
  Action cancel = f.cancel_action(key, ref);
  ApplyResult r = f.apply(cancel);
  EXPECT_EQ(r.status, ApplyResult::Status::kApplied) << describe(r);
  TaskState state = f.env->task_state(key);
  EXPECT_EQ(state.lifecycle, TaskState::Lifecycle::kCancelled) << describe(state);

  cancel.attempt = 2;
  ApplyResult again = f.apply(cancel);
  EXPECT_TRUE(again.status == ApplyResult::Status::kApplied ||
              again.status == ApplyResult::Status::kAlreadyApplied)
      << "a retried cancel answered " << describe(again);
  EXPECT_EQ(f.env->task_state(key).lifecycle, TaskState::Lifecycle::kCancelled);
}

TEST_P(ConnectorContract, RemindersAndEscalationsAreReflectedOnce) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  if (!f.has_capability("remind") && !f.has_capability("escalate"))
    GTEST_SKIP() << "the manifest's capabilities lack \"remind\" and \"escalate\"";
  std::string key = f.new_task_key();
  std::string ref = f.create_task(key);
  ASSERT_FALSE(ref.empty());
  if (f.has_capability("remind")) {
    int before = f.env->task_state(key).notes;
    Action remind = f.remind_action(key, ref);
    ApplyResult r = f.apply(remind);
    EXPECT_EQ(r.status, ApplyResult::Status::kApplied) << describe(r);
    EXPECT_EQ(f.env->task_state(key).notes, before + 1) << "a reminder adds one note";
    remind.attempt = 2;
    ApplyResult again = f.apply(remind);
    EXPECT_TRUE(again.status == ApplyResult::Status::kApplied ||
                again.status == ApplyResult::Status::kAlreadyApplied)
        << describe(again);
    EXPECT_EQ(f.env->task_state(key).notes, before + 1)
        << "a retried reminder (same action_key) posted again";
  }
  if (f.has_capability("escalate")) {
    Action escalate = f.escalate_action(key, ref);
    ApplyResult r = f.apply(escalate);
    EXPECT_EQ(r.status, ApplyResult::Status::kApplied) << describe(r);
    TaskState state = f.env->task_state(key);
    EXPECT_TRUE(state.urgent) << "an escalation raises the priority: " << describe(state);
    escalate.attempt = 2;
    ApplyResult again = f.apply(escalate);
    EXPECT_TRUE(again.status == ApplyResult::Status::kApplied ||
                again.status == ApplyResult::Status::kAlreadyApplied)
        << describe(again);
    EXPECT_EQ(f.env->task_state(key).notes, state.notes)
        << "a retried escalation (same action_key) posted again";
  }
  EXPECT_EQ(f.env->count_tasks(key), 1);
}

// ------------------------------------------------------------------------------------------
// No missed, no double completion.

TEST_P(ConnectorContract, ACompletionIsReportedByTheNextPollExactlyOnce) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("poll");
  std::string key = f.new_task_key();
  std::string ref = f.create_task(key);
  ASSERT_FALSE(ref.empty());
  std::vector<OpenRef> open = {{key, ref}};

  PollResult before = f.poll(Fixture::poll_request("", open));
  ASSERT_EQ(before.status, PollResult::Status::kOk) << describe(before);
  EXPECT_TRUE(Fixture::completions(before, key).empty()) << "an open task was reported completed";

  f.env->complete_externally(ref, kOutcome);
  PollResult after = f.poll(Fixture::poll_request(before.next_cursor, open));
  ASSERT_EQ(after.status, PollResult::Status::kOk) << describe(after);
  auto events = Fixture::completions(after, key);
  ASSERT_EQ(events.size(), 1u) << "the completion must be reported exactly once: "
                               << describe(after);
  EXPECT_EQ(events[0].external_ref, ref);
  EXPECT_FALSE(events[0].event_id.empty()) << "events need a stable event_id";
  EXPECT_EQ(events[0].outcome, kOutcome);

  PollResult next = f.poll(Fixture::poll_request(after.next_cursor, open));
  ASSERT_EQ(next.status, PollResult::Status::kOk) << describe(next);
  EXPECT_TRUE(Fixture::completions(next, key).empty())
      << "a poll from the new cursor reported the completion again: " << describe(next);
}

TEST_P(ConnectorContract, APollFromTheOldCursorRepeatsTheEventWithTheSameId) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("poll");
  std::string key = f.new_task_key();
  std::string ref = f.create_task(key);
  ASSERT_FALSE(ref.empty());
  std::vector<OpenRef> open = {{key, ref}};
  PollResult before = f.poll(Fixture::poll_request("", open));
  ASSERT_EQ(before.status, PollResult::Status::kOk) << describe(before);
  f.env->complete_externally(ref, kOutcome);
  PollResult first = f.poll(Fixture::poll_request(before.next_cursor, open));
  ASSERT_EQ(first.status, PollResult::Status::kOk) << describe(first);
  auto seen = Fixture::completions(first, key);
  ASSERT_EQ(seen.size(), 1u) << describe(first);

  // The host crashed before storing the new cursor: it polls from the old one again and
  // recognises the event by its id.
  PollResult replay = f.poll(Fixture::poll_request(before.next_cursor, open));
  ASSERT_EQ(replay.status, PollResult::Status::kOk) << describe(replay);
  auto again = Fixture::completions(replay, key);
  ASSERT_EQ(again.size(), 1u) << describe(replay);
  EXPECT_EQ(again[0].event_id, seen[0].event_id) << "the same change must carry the same event_id";
}

TEST_P(ConnectorContract, ReconciliationReportsACompletionTheCursorHasPassed) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("reconcile");
  std::string key = f.new_task_key();
  std::string ref = f.create_task(key);
  ASSERT_FALSE(ref.empty());
  std::vector<OpenRef> open = {{key, ref}};
  PollResult before = f.poll(Fixture::poll_request("", open));
  ASSERT_EQ(before.status, PollResult::Status::kOk) << describe(before);
  f.env->complete_externally(ref, kOutcome);
  PollResult seen = f.poll(Fixture::poll_request(before.next_cursor, open));
  ASSERT_EQ(seen.status, PollResult::Status::kOk) << describe(seen);
  auto events = Fixture::completions(seen, key);
  ASSERT_EQ(events.size(), 1u) << describe(seen);

  // The host still waits on the task (say the event was lost): reconciliation asks directly.
  PollResult reconciled = f.poll(Fixture::poll_request(seen.next_cursor, open, true));
  ASSERT_EQ(reconciled.status, PollResult::Status::kOk) << describe(reconciled);
  auto found = Fixture::completions(reconciled, key);
  ASSERT_EQ(found.size(), 1u) << "reconciliation must report the open ref's completion: "
                              << describe(reconciled);
  EXPECT_EQ(found[0].event_id, events[0].event_id)
      << "the same change must carry the same event_id";
}

// ------------------------------------------------------------------------------------------
// Failures become the statuses the host's retry policy needs.

TEST_P(ConnectorContract, ARateLimitedApplyCarriesTheRetryAfter) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("create");
  DISPUTED_REQUIRE_FAULT(Fault::kRateLimitedWithRetryAfter);
  std::string key = f.new_task_key();
  Action create = f.create_action(key);
  f.env->inject({Fault::kRateLimitedWithRetryAfter, Call::kApply, 1, 7s});
  ApplyResult r = f.apply(create);
  EXPECT_EQ(r.status, ApplyResult::Status::kRateLimited) << describe(r);
  EXPECT_EQ(r.retry_after, 7s) << "the host waits exactly what the system asked: " << describe(r);
  create.attempt = 2;
  ApplyResult retry = f.apply(create);
  EXPECT_EQ(retry.status, ApplyResult::Status::kApplied) << describe(retry);
  EXPECT_EQ(f.env->count_tasks(key), 1);
}

TEST_P(ConnectorContract, ARateLimitedPollCarriesTheRetryAfter) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("poll");
  DISPUTED_REQUIRE_FAULT(Fault::kRateLimitedWithRetryAfter);
  f.env->inject({Fault::kRateLimitedWithRetryAfter, Call::kPoll, 1, 11s});
  PollResult r = f.poll(Fixture::poll_request("", {}));
  EXPECT_EQ(r.status, PollResult::Status::kRateLimited) << describe(r);
  EXPECT_EQ(r.retry_after, 11s) << describe(r);
  PollResult retry = f.poll(Fixture::poll_request("", {}));
  EXPECT_EQ(retry.status, PollResult::Status::kOk) << describe(retry);
}

TEST_P(ConnectorContract, AServerErrorMakesApplyRetryable) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("create");
  DISPUTED_REQUIRE_FAULT(Fault::kServerError);
  std::string key = f.new_task_key();
  Action create = f.create_action(key);
  f.env->inject({Fault::kServerError, Call::kApply, 1, 0s});
  ApplyResult r = f.apply(create);
  EXPECT_EQ(r.status, ApplyResult::Status::kRetryable)
      << describe(r) << " (retries are the host's: backoff, jitter, dead letters)";
  create.attempt = 2;
  ApplyResult retry = f.apply(create);
  EXPECT_TRUE(retry.status == ApplyResult::Status::kApplied ||
              retry.status == ApplyResult::Status::kAlreadyApplied)
      << describe(retry);
  EXPECT_EQ(f.env->count_tasks(key), 1);
}

TEST_P(ConnectorContract, AServerErrorMakesPollRetryable) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("poll");
  DISPUTED_REQUIRE_FAULT(Fault::kServerError);
  f.env->inject({Fault::kServerError, Call::kPoll, 1, 0s});
  PollResult r = f.poll(Fixture::poll_request("", {}));
  EXPECT_EQ(r.status, PollResult::Status::kRetryable) << describe(r);
  PollResult retry = f.poll(Fixture::poll_request("", {}));
  EXPECT_EQ(retry.status, PollResult::Status::kOk) << describe(retry);
}

TEST_P(ConnectorContract, AValidationErrorIsRejected) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("create");
  DISPUTED_REQUIRE_FAULT(Fault::kValidationError);
  std::string key = f.new_task_key();
  f.env->inject({Fault::kValidationError, Call::kApply, 1, 0s});
  ApplyResult r = f.apply(f.create_action(key));
  EXPECT_EQ(r.status, ApplyResult::Status::kRejected)
      << describe(r) << " (retrying cannot fix the content: the host dead-letters it at once)";
  EXPECT_FALSE(r.message.empty())
      << "a rejection must carry the system's message for the dead-letter list";
  EXPECT_EQ(f.env->count_tasks(key), 0);
}

TEST_P(ConnectorContract, AnExpiredTokenIsRefreshedOnceWithoutFailing) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("create");
  DISPUTED_REQUIRE_FAULT(Fault::kExpiredToken);
  ASSERT_FALSE(f.create_task(f.new_task_key()).empty());  // a token is in use now
  std::optional<int> before = f.env->token_fetches();
  std::string key = f.new_task_key();
  f.env->inject({Fault::kExpiredToken, Call::kApply, 1, 0s});
  ApplyResult r = f.apply(f.create_action(key));
  EXPECT_EQ(r.status, ApplyResult::Status::kApplied)
      << describe(r) << " (an expired token is not an auth failure)";
  EXPECT_EQ(f.env->count_tasks(key), 1);
  std::optional<int> after = f.env->token_fetches();
  if (before && after) {
    EXPECT_EQ(*after - *before, 1) << "the token must be fetched again exactly once";
  }
  if (f.has_capability("poll")) {
    f.env->inject({Fault::kExpiredToken, Call::kPoll, 1, 0s});
    PollResult p = f.poll(Fixture::poll_request("", {}));
    EXPECT_EQ(p.status, PollResult::Status::kOk) << describe(p);
  }
}

// ------------------------------------------------------------------------------------------
// Messages (capability "message"): the transport's promises.

TEST_P(ConnectorContract, AMessageIsSentAndARetryCarriesTheSameMessageId) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("message");
  std::string key = f.new_task_key();
  if (!f.env->count_messages(Fixture::message_id(key)))
    GTEST_SKIP() << "the environment cannot count received messages";
  Action message = f.message_action(key, f.env->assignee());
  ApplyResult first = f.apply(message);
  ASSERT_EQ(first.status, ApplyResult::Status::kApplied) << describe(first);
  EXPECT_EQ(f.env->count_messages(Fixture::message_id(key)), 1);
  // The host re-delivers after a crash before its commit: whatever reaches the recipient again
  // is the same message (the same Message-ID), never a new one.
  message.attempt = 2;
  ApplyResult second = f.apply(message);
  EXPECT_TRUE(second.status == ApplyResult::Status::kApplied ||
              second.status == ApplyResult::Status::kAlreadyApplied)
      << describe(second);
  EXPECT_GE(*f.env->count_messages(Fixture::message_id(key)), 1);
}

TEST_P(ConnectorContract, APermanentlyRefusedMessageIsRejectedWithTheSystemsWords) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  DISPUTED_REQUIRE_CAPABILITY("message");
  std::string refused = f.env->refused_recipient();
  if (refused.empty()) GTEST_SKIP() << "the environment has no recipient its system refuses";
  std::string key = f.new_task_key();
  ApplyResult r = f.apply(f.message_action(key, refused));
  EXPECT_EQ(r.status, ApplyResult::Status::kRejected)
      << describe(r) << " (a permanent refusal is a dead letter, not a retry)";
  EXPECT_FALSE(r.message.empty()) << "the dead letter must say why";
  if (auto n = f.env->count_messages(Fixture::message_id(key))) {
    EXPECT_EQ(*n, 0);
  }
}

TEST_P(ConnectorContract, AMessageToAPluginThatSendsNoneIsRejected) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  if (f.has_capability("message")) GTEST_SKIP() << "the plugin sends messages";
  ApplyResult r = f.apply(f.message_action(f.new_task_key(), f.env->assignee()));
  EXPECT_EQ(r.status, ApplyResult::Status::kRejected) << describe(r);
}

// ------------------------------------------------------------------------------------------
// Robustness: nothing throws, nothing is left running.

TEST_P(ConnectorContract, GarbageInputGetsAnAnswerNotACrash) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  const std::vector<std::string> not_objects = {
      "",     "not json", "{\"unterminated\": ", "[1, 2]", "42",
      "null", "\"text\"", "\xff\xfe garbage"};
  // Any exception that escapes ends the process (see on_terminate); returning is the check.
  ConnectorPtr fresh = f.plugin->create();
  ASSERT_TRUE(fresh);
  for (const auto& settings : not_objects)
    EXPECT_FALSE(Fixture::validate(*fresh, settings).empty())
        << "validate() accepted settings " << settings;

  for (const auto& payload : not_objects) {
    Action message = f.message_action(f.new_task_key(), f.env->assignee());
    message.payload_json = payload;
    ApplyResult m = f.apply(message);
    EXPECT_EQ(m.status, ApplyResult::Status::kRejected)
        << "a message whose payload is " << (payload.empty() ? "empty" : payload) << " answered "
        << describe(m) << " (retrying cannot fix a payload)";
  }
  if (!f.has_capability("create")) return;  // a transport keeps no tasks: nothing more to feed
  for (const auto& payload : not_objects) {
    Action create = f.create_action(f.new_task_key());
    create.payload_json = payload;
    ApplyResult r = f.apply(create);
    EXPECT_EQ(r.status, ApplyResult::Status::kRejected)
        << "a create whose payload is " << (payload.empty() ? "empty" : payload) << " answered "
        << describe(r) << " (retrying cannot fix a payload)";
  }

  std::string key = f.new_task_key();
  std::string ref = f.create_task(key);
  ASSERT_FALSE(ref.empty());
  const std::vector<std::string> odd_payloads = {
      "{\"subject\": 42, \"outcomes\": \"approved\", \"deadline_at\": \"yesterday\", \"invoices\": "
      "{}}",
      "{\"status\": 5, \"note\": [], \"priority\": {}, \"assignee\": null}", "{}"};
  std::vector<Action> actions;
  for (const auto& payload : odd_payloads) {
    Action create = f.create_action(f.new_task_key());
    create.payload_json = payload;
    actions.push_back(create);
  }
  for (const auto& payload : not_objects) {
    for (Action a : {f.update_action(key, ref), f.cancel_action(key, ref),
                     f.remind_action(key, ref), f.escalate_action(key, ref)}) {
      a.action_key += "-garbage";
      a.payload_json = payload;
      actions.push_back(a);
    }
  }
  // A task the system never had, under a ref it never issued.
  for (Action a :
       {f.update_action(f.new_task_key(), "no-such-task"),
        f.cancel_action(f.new_task_key(), "../../x"), f.remind_action(f.new_task_key(), "")})
    actions.push_back(a);
  for (const auto& a : actions) (void)f.apply(a);

  if (f.has_capability("poll")) {
    for (const std::string cursor :
         {"garbage", "-1", "99999999999999999999999999", "\xff\xfe", "{}"})
      (void)f.poll(Fixture::poll_request(cursor, {{key, ref}}));
    (void)f.poll(Fixture::poll_request(
        "", {{"", ""}, {f.new_task_key(), "no-such-task"}, {key, "../../x"}}, true));
  }

  // And the connector still works.
  std::string after = f.new_task_key();
  ApplyResult good = f.apply(f.create_action(after));
  EXPECT_EQ(good.status, ApplyResult::Status::kApplied)
      << "after bad input a good create answered " << describe(good)
      << " (the connector must recover)";
  EXPECT_EQ(f.env->count_tasks(after), 1);
}

TEST_P(ConnectorContract, NoThreadIsLeftBehind) {
  Fixture& f = *fixture_;
  DISPUTED_REQUIRE_OPEN_CONNECTOR();
  // One round on the fixture's connector first, so that anything the environment's host starts
  // lazily (a client pool) is already running before we count.
  std::size_t at_start = count_threads();
  if (at_start == 0) GTEST_SKIP() << "/proc/self/task cannot be read here";
  (void)Fixture::check(*f.connector);
  std::string warm = f.new_task_key();
  if (f.has_capability("create")) (void)f.apply(f.create_action(warm));
  if (f.has_capability("message")) (void)f.apply(f.message_action(warm, f.env->assignee()));
  if (f.has_capability("poll")) (void)f.poll(Fixture::poll_request("", {}));
  std::size_t baseline = count_threads();
  std::string note = baseline == at_start
                         ? std::string()
                         : "; " + std::to_string(baseline - at_start) +
                               " thread(s) appeared during a warm-up round of the same calls";
  {
    std::string error;
    ConnectorPtr c = f.open_connector(f.env->host(), error);
    ASSERT_TRUE(c) << error;
    Fixture::expect_threads(baseline, "after open()", note);
    (void)Fixture::check(*c);
    Fixture::expect_threads(baseline, "after check()", note);
    std::string key = f.new_task_key();
    ApplyResult created;
    if (f.has_capability("create")) {
      created = Fixture::apply(*c, f.create_action(key));
      Fixture::expect_threads(baseline, "after apply(create)", note);
    }
    if (f.has_capability("message")) {
      (void)Fixture::apply(*c, f.message_action(key, f.env->assignee()));
      Fixture::expect_threads(baseline, "after apply(message)", note);
    }
    if (f.has_capability("update") && !created.external_ref.empty()) {
      (void)Fixture::apply(*c, f.update_action(key, created.external_ref));
      Fixture::expect_threads(baseline, "after apply(update)", note);
    }
    if (f.has_capability("poll")) {
      (void)Fixture::poll(*c, Fixture::poll_request("", {{key, created.external_ref}}, true));
      Fixture::expect_threads(baseline, "after poll()", note);
    }
  }
  Fixture::expect_threads(baseline, "after the connector was destroyed", note);
}

}  // namespace disputed::sdk::testkit
