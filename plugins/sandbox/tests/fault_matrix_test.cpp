// The fault matrix (issue 13): every connector (Zendesk, Salesforce, Microsoft Graph) against
// every fault its system's answers can carry, through the sandboxes' shared fault injection. Each
// cell drives the real plugin library, loaded by the real host (core/host: ABI gate, cpprestsdk
// HTTP client, OAuth2 token source) and delivered by the real sync engine (core/sync: outbox,
// back-off, Retry-After, cursors), against its sandbox on a loopback port:
//
//   1. a dispute reaches the connector's step; the step's create meets the fault once;
//   2. if that delivery did not succeed, the next attempt waits for the back-off (or the
//      Retry-After) on the engine's fake clock: one second earlier nothing is sent, at the time it
//      is; then the step has exactly one external object, and the step its reference;
//   3. the person completes it in the system; the poll meets the same fault once, and the
//      completion is applied exactly once: the dispute is resolved, a later poll applies nothing.
//
// Each cell that passes writes its row (JSON) to <build>/fault_matrix/; scripts/fault_matrix.py
// renders the rows as the table in docs/reliability.md, and the ctest entry fault_matrix.table
// fails when the committed table differs from what the cells wrote (make fault-matrix-table
// writes it).

#include <gmock/gmock.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/app/connectors.hpp"
#include "core/host/connector_host.hpp"
#include "core/sync/sync_engine.hpp"
#include "disputed/sdk/kit/codecs.hpp"
#include "plugins/msgraph/sandbox/msgraph_sandbox.hpp"
#include "plugins/msgraph/tests/graph_instance.hpp"
#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"
#include "plugins/salesforce/tests/salesforce_instance.hpp"
#include "plugins/sandbox/test_client.hpp"
#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"
#include "tests/core/engine/engine_fixture.hpp"

namespace disputed {
namespace {

namespace sb = disputed::sandbox;
using nlohmann::json;

constexpr int kRequestTimeoutMs = 1000;  // every plugin's request_timeout_ms here

// ------------------------------------------------------------------ the three systems

/// What the matrix needs to know of one system: its instance, where its create and its poll go,
/// how its objects are counted and how a person completes one.
class System {
 public:
  virtual ~System() = default;
  virtual std::string label() const = 0;     ///< "Zendesk"
  virtual std::string instance() const = 0;  ///< the connector instance's name
  virtual std::string object() const = 0;    ///< "ticket"
  virtual sb::Server& server() = 0;
  /// The connector instance's config, the server started.
  virtual json instance_config() = 0;
  /// Data the system needs before a step can go there (a Salesforce Account).
  virtual void seed() {}
  /// The request that makes the object: a fault on it hits the effect.
  virtual std::string create_method() const = 0;
  virtual std::string create_path() const = 0;
  /// Every path the poll reads ('*' prefix).
  virtual std::string api_paths() const = 0;
  /// The external objects carrying the step's task key.
  virtual std::vector<json> objects(const std::string& task_key) = 0;
  /// The person completes the object (its external ref) with the outcome "done".
  virtual void complete(const std::string& ref) = 0;
  /// Makes every access token the host holds invalid in the sandbox; false when the system has
  /// no tokens that expire (an API token).
  virtual bool expire_tokens() { return false; }
};

class ZendeskSystem final : public System {
 public:
  static constexpr std::int64_t kOutcomeField = 360000000005;
  std::string label() const override { return "Zendesk"; }
  std::string instance() const override { return "zendesk-support"; }
  std::string object() const override { return "ticket"; }
  sb::Server& server() override { return server_; }
  json instance_config() override {
    setenv("DISPUTED_TEST_ZENDESK_TOKEN", "sandbox-token", 1);
    return {{"name", instance()},
            {"plugin", "zendesk"},
            {"settings",
             {{"base_url", server_.url()},
              {"custom_fields", {{"outcome", kOutcomeField}}},
              {"role_groups", {{"finance", 77}}},
              {"request_timeout_ms", kRequestTimeoutMs}}},
            {"auth", {{"username", "agent@example.com/token"}}},
            {"secrets", {{"password", "env:DISPUTED_TEST_ZENDESK_TOKEN"}}},
            {"allowed_hosts", {"127.0.0.1:*"}},
            {"max_attempts", 8}};
  }
  std::string create_method() const override { return "POST"; }
  std::string create_path() const override { return "/api/v2/tickets"; }
  std::string api_paths() const override { return "/api/v2/*"; }
  std::vector<json> objects(const std::string& task_key) override {
    return server_.with_emulator([&](sb::Emulator& e) {
      return static_cast<sb::zendesk::ZendeskEmulator&>(e).tickets_with_external_id(task_key);
    });
  }
  void complete(const std::string& ref) override {
    server_.clock().advance(std::chrono::seconds(2));  // a later second than the last poll saw
    json solve = {
        {"ticket",
         {{"status", "solved"}, {"custom_fields", {{{"id", kOutcomeField}, {"value", "done"}}}}}}};
    auto answer = sb::http_call(
        "PUT", server_.url() + "/api/v2/tickets/" + ref, solve.dump(),
        {{"Authorization",
          "Basic " + sdk::kit::base64_encode("lead@example.com/token:sandbox-token")}});
    ASSERT_EQ(answer.status, 200) << answer.body;
  }

 private:
  sb::Server server_{sb::make_zendesk_sandbox({})};
};

class SalesforceSystem final : public System {
  template <class F>
  auto emulator(F&& f) {
    return server_.with_emulator(
        [&](sb::Emulator& e) { return f(static_cast<sb::salesforce::SalesforceEmulator&>(e)); });
  }
  std::string session(const std::string& email) {
    return emulator(
        [&](sb::salesforce::SalesforceEmulator& e) { return e.session_for(email, server_.url()); });
  }

 public:
  std::string label() const override { return "Salesforce"; }
  std::string instance() const override { return "salesforce"; }
  std::string object() const override { return "Task"; }
  sb::Server& server() override { return server_; }
  json instance_config() override {
    return testing::salesforce_instance(server_.url(),
                                        {{"api_version", "v62.0"},
                                         {"account_number_field", "Customer_Number__c"},
                                         {"time_zone", "Europe/Amsterdam"},
                                         {"request_timeout_ms", kRequestTimeoutMs}});
  }
  void seed() override {
    // The fixture's customer C1 as an Account owned by the rep, made by an administrator.
    auto made = sb::http_call("POST", server_.url() + "/services/data/v62.0/sobjects/Account",
                              json{{"Name", "Acme BV"},
                                   {"Customer_Number__c", "C1"},
                                   {"OwnerId", emulator([](sb::salesforce::SalesforceEmulator& e) {
                                      return e.user_id("rep@example.com");
                                    })}}
                                  .dump(),
                              {{"Authorization", "Bearer " + session("manager@example.com")}});
    ASSERT_EQ(made.status, 201) << made.body;
  }
  std::string create_method() const override { return "PATCH"; }
  std::string create_path() const override {
    return "/services/data/v62.0/sobjects/Task/Dispute_Action_Id__c/*";
  }
  std::string api_paths() const override { return "/services/data/*"; }
  std::vector<json> objects(const std::string& task_key) override {
    return emulator(
        [&](sb::salesforce::SalesforceEmulator& e) { return e.tasks_with_key(task_key); });
  }
  void complete(const std::string& ref) override {
    auto answer =
        sb::http_call("PATCH", server_.url() + "/services/data/v62.0/sobjects/Task/" + ref,
                      json{{"Status", "Completed"}, {"Dispute_Outcome__c", "done"}}.dump(),
                      {{"Authorization", "Bearer " + session("rep@example.com")}});
    ASSERT_EQ(answer.status, 204) << answer.body;
  }
  bool expire_tokens() override {
    return sb::http_call("POST", server_.url() + "/_sandbox/expire-sessions").status == 200;
  }

 private:
  sb::Server server_{sb::make_salesforce_sandbox({})};
};

class GraphSystem final : public System {
 public:
  std::string label() const override { return "Microsoft Graph"; }
  std::string instance() const override { return "msgraph"; }
  std::string object() const override { return "To Do task"; }
  sb::Server& server() override { return server_; }
  json instance_config() override {
    return testing::graph_instance(
        server_.url(),
        {{"dispute_url", "https://disputed.example.com/disputes/{dispute}"},
         {"request_timeout_ms", kRequestTimeoutMs},
         {"role_users", {{"finance", "fin@example.com"}}}},
        8);
  }
  std::string create_method() const override { return "POST"; }
  std::string create_path() const override { return "/v1.0/users/fin@example.com/todo/lists/*"; }
  std::string api_paths() const override { return "/v1.0/*"; }
  std::vector<json> objects(const std::string& task_key) override {
    std::vector<json> out;
    const json all = state();  // (a temporary's member in a range-for would dangle)
    for (const auto& t : all["tasks"])
      for (const auto& l : t.value("linkedResources", json::array()))
        if (l.value("externalId", "") == task_key) out.push_back(t);
    return out;
  }
  void complete(const std::string& ref) override {
    // The plugin's ref is "user|list|task"; the person ticks it off with Graph's own PATCH.
    auto a = ref.find('|'), b = ref.find('|', a + 1);
    auto token = sb::http_call("POST", server_.url() + "/sandbox-tenant/oauth2/v2.0/token",
                               "grant_type=client_credentials&client_id=sandbox-client&client_"
                               "secret=sandbox-secret&scope=https%3A%2F%2Fgraph.microsoft.com%2F."
                               "default",
                               {{"Content-Type", "application/x-www-form-urlencoded"}})
                     .json()
                     .value("access_token", "");
    auto answer = sb::http_call("PATCH",
                                server_.url() + "/v1.0/users/" + ref.substr(0, a) + "/todo/lists/" +
                                    ref.substr(a + 1, b - a - 1) + "/tasks/" + ref.substr(b + 1),
                                R"({"status":"completed","categories":["done"]})",
                                {{"Authorization", "Bearer " + token}});
    ASSERT_EQ(answer.status, 200) << answer.body;
  }
  bool expire_tokens() override {
    return sb::http_call("POST", server_.url() + "/_sandbox/tokens/expire").status == 200;
  }

 private:
  json state() { return sb::http_call("GET", server_.url() + "/_sandbox/state").json(); }
  sb::Server server_{sb::make_msgraph_sandbox(
      {{"users", "alex@example.com,sam@example.com,fin@example.com,fay@example.com"}})};
};

std::unique_ptr<System> make_system(const std::string& name) {
  if (name == "zendesk") return std::make_unique<ZendeskSystem>();
  if (name == "salesforce") return std::make_unique<SalesforceSystem>();
  return std::make_unique<GraphSystem>();
}

// ------------------------------------------------------------------ the faults

struct FaultKind {
  std::string id;        ///< the test name's part, e.g. "RetryAfter429"
  std::string title;     ///< the table's words
  std::string injected;  ///< how the sandbox makes it
  json fault;            ///< POST /_sandbox/faults without method and path; null: tokens expire
};

const std::vector<FaultKind>& fault_kinds() {
  static const std::vector<FaultKind> kinds = {
      {"RetryAfter429",
       "429 with Retry-After",
       "429, `Retry-After: 30`, in the system's words",
       {{"status", 429}, {"retry_after", 30}}},
      {"Error500", "500", "500 in the system's words", {{"status", 500}}},
      {"Unavailable503", "503", "503 in the system's words", {{"status", 503}}},
      {"Timeout",
       "timeout",
       "answered 1.5 s late (the plugin waits 1 s), carried out after the client gave up",
       {{"delay_ms", 1500}}},
      {"DroppedConnection",
       "dropped connection",
       "connection closed before the request is read",
       {{"drop", true}}},
      {"LostResponse",
       "lost response after the effect",
       "carried out, then the connection closed without the answer",
       {{"answer", "lost"}}},
      {"ExpiredToken", "401 with an expired token",
       "every token the sandbox issued refused from now on (Zendesk's API token cannot expire: "
       "one 401)",
       nullptr},
      {"MalformedJson",
       "malformed JSON",
       "carried out; the answer's first half only",
       {{"answer", "malformed_json"}}},
      {"TruncatedBody",
       "truncated body",
       "carried out; `Content-Length` of the whole answer, half sent, connection closed",
       {{"answer", "truncated"}}},
      {"OversizedBody",
       "oversized body",
       "carried out; the answer padded to 65 MiB (the engine reads at most 64 MiB)",
       {{"answer", "oversized"}}},
      {"WrongContentType",
       "wrong content type",
       "carried out; an HTML page as `text/html` instead of the answer",
       {{"answer", "wrong_content_type"}}},
      {"SlowTrickle",
       "slow trickle",
       "carried out; the answer in 16 pieces 150 ms apart (2.4 s against the 1 s timeout)",
       {{"answer", "trickle"}, {"trickle_ms", 150}}},
  };
  return kinds;
}

struct Cell {
  std::string system;  ///< "zendesk", "salesforce", "msgraph"
  FaultKind fault;
};

// How ctest lists a cell (instead of the parameter's bytes).
void PrintTo(const Cell& cell, std::ostream* out) { *out << cell.system << " x " << cell.fault.id; }

std::string cell_name(const ::testing::TestParamInfo<Cell>& info) {
  std::string system = info.param.system;
  system[0] = char(std::toupper(static_cast<unsigned char>(system[0])));
  return system + "_" + info.param.fault.id;
}

std::vector<Cell> all_cells() {
  std::vector<Cell> cells;
  for (const char* system : {"zendesk", "salesforce", "msgraph"})
    for (const auto& f : fault_kinds()) cells.push_back({system, f});
  return cells;
}

// ------------------------------------------------------------------ the cell

class FaultMatrix : public engine::testing_support::EngineTest,
                    public ::testing::WithParamInterface<Cell> {
 protected:
  void SetUp() override {
    system_ = make_system(GetParam().system);
    defs_.workflows["price"].steps["book"].target = system_->instance();
    defs_.connector_instances = {system_->instance()};
    EngineTest::SetUp();
    std::filesystem::remove(row_path());  // a cell that fails leaves no row behind
    system_->server().start();
    json config = system_->instance_config();
    dir_.write("connectors/" + system_->instance() + ".json", config.dump(2));
    sync_db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    sync_ = std::make_unique<sync::SyncEngine>(*sync_db_, defs_, clock_);
    host_ = std::make_unique<host::ConnectorHost>(
        std::vector<std::filesystem::path>{PLUGIN_DIR}, clock_,
        [this](sdk::LogLevel, const std::string& line) { host_log_ += "\n  " + line; },
        sync_->plugin_states());
    host_->open(host::read_instance_configs(dir_ / "connectors"));
    app::register_connectors(*host_, *sync_);
    system_->seed();
    // As a running engine: the instance checked at start, so the host holds its token before
    // any fault (the expired-token cell expires that one).
    auto check = host_->find(system_->instance())->connector->check();
    ASSERT_TRUE(check.ok) << check.message;
  }
  void TearDown() override {
    if (HasFailure())
      std::cerr << "sandbox requests:" << requests() << "\nhost log:" << host_log_ << "\n";
    if (sync_) sync_->stop();
    host_.reset();  // the connectors, before the sync engine that keeps their state
    sync_.reset();
    system_->server().stop();
  }

  std::string instance() const { return system_->instance(); }
  std::string requests() {
    std::string out;
    for (const auto& r : system_->server().requests())
      out += "\n  " + r.at + " " + r.method + " " + r.target + " -> " + std::to_string(r.status) +
             (r.spoilt.empty() ? "" : " (" + r.spoilt + ")");
    return out;
  }
  std::size_t requests_seen() { return system_->server().requests().size(); }
  /// Whether the sandbox's log shows the cell's fault at work from request `from` on (a delay
  /// leaves no mark: true).
  bool fault_seen(std::size_t from) {
    const json& f = GetParam().fault.fault;
    auto log = system_->server().requests();
    for (std::size_t i = from; i < log.size(); ++i) {
      const auto& r = log[i];
      if (f.is_null()            ? r.status == 401
          : f.contains("status") ? r.status == f["status"].get<int>()
          : f.contains("drop")   ? r.status == 0
          : f.contains("answer") ? r.spoilt == f["answer"].get<std::string>()
                                 : true)
        return true;
    }
    return false;
  }

  /// The cell's fault, once, on requests of `method` to `path`. For the expired token: every
  /// token the host holds is refused from now on (or, for an API token, one 401).
  void inject(const std::string& method, const std::string& path) {
    const auto& kind = GetParam().fault;
    if (kind.fault.is_null() && system_->expire_tokens()) return;
    json f = kind.fault.is_null() ? json{{"status", 401}} : kind.fault;
    f["method"] = method;
    f["path"] = path;
    auto added =
        sb::http_call("POST", system_->server().url() + "/_sandbox/faults", f.dump()).status;
    ASSERT_EQ(added, 201);
  }

  struct OutboxRow {
    std::string state, last_error;
    int attempts = 0;
    domain::Instant next_attempt_at{};
  };
  OutboxRow create_row() {
    auto& s = db_->prepare_cached(
        "SELECT state, attempts, next_attempt_at, COALESCE(last_error, '') FROM outbox "
        "WHERE target = ? AND kind = 'create'");
    s.bind(1, instance());
    OutboxRow row;
    if (s.step()) {
      row.state = s.text(0);
      row.attempts = int(s.int64(1));
      row.next_attempt_at = *domain::parse_instant(s.text(2));
      row.last_error = s.text(3);
    }
    s.reset();
    return row;
  }
  int completions(const std::string& ref) {
    auto shown = service_->show(ref);
    if (!shown) return -1;
    const auto& dossier = shown->dossier;
    return int(std::count_if(dossier.begin(), dossier.end(),
                             [](const auto& e) { return e.kind == "step_completed"; }));
  }
  std::filesystem::path row_path() const {
    return std::filesystem::path(DISPUTED_BINARY_DIR) / "fault_matrix" /
           (GetParam().system + "-" + GetParam().fault.id + ".json");
  }

  std::unique_ptr<System> system_;
  std::unique_ptr<store::Database> sync_db_;
  std::unique_ptr<host::ConnectorHost> host_;
  std::unique_ptr<sync::SyncEngine> sync_;
  std::string host_log_;
};

TEST_P(FaultMatrix, NothingLostNothingTwiceBackOffHonoured) {
  const auto& kind = GetParam().fault;
  auto v = open();
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
  ASSERT_TRUE(complete(v.dispute.ref, "approve", "approved").ok());
  const std::string ref = v.dispute.ref;
  const std::string key = service_->show(ref)->steps.back().task_key;
  json row = {{"system", system_->label()},
              {"fault", kind.title},
              {"fault_index", std::find_if(fault_kinds().begin(), fault_kinds().end(),
                                           [&](const FaultKind& k) { return k.id == kind.id; }) -
                                  fault_kinds().begin()},
              {"injected", kind.injected}};

  // 1. The create meets the fault.
  inject(system_->create_method(), system_->create_path());
  auto first = sync_->dispatch_once(instance());
  system_->server().wait_idle();  // an answer held back (timeout) is carried out by now
  ASSERT_TRUE(fault_seen(0)) << "the fault did not happen";
  ASSERT_EQ(first.dead, 0);
  ASSERT_LE(system_->objects(key).size(), 1u) << "a duplicate in the first attempt";
  std::string first_answer;
  if (first.applied == 1) {
    // Only a renewed token (the host's one retry after a 401) may get through at once.
    ASSERT_TRUE(kind.fault.is_null()) << "the fault had no effect on the delivery";
    first_answer = "applied";
    row["retry"] = "the host renewed the token after the 401 and sent the request again at once";
  } else {
    ASSERT_EQ(first.retried, 1) << "applied " << first.applied << ", already "
                                << first.already_applied << ", limited " << first.rate_limited;
    auto r = create_row();
    ASSERT_EQ(r.state, "pending");
    ASSERT_EQ(r.attempts, 1);
    first_answer = r.last_error.substr(0, r.last_error.find(':'));
    // 2. The back-off: nothing is sent before the next attempt is due, and it is sent then.
    auto wait = std::chrono::duration_cast<std::chrono::seconds>(r.next_attempt_at - clock_.now());
    if (kind.id == "RetryAfter429")
      EXPECT_GE(wait.count(), 30) << "the Retry-After is honoured";
    else
      EXPECT_GE(wait.count(), 2) << "the back-off of the first retry (2 s, jitter rounds off)";
    clock_.advance(wait - std::chrono::seconds(1));
    auto before = requests_seen();
    auto early = sync_->dispatch_once(instance());
    EXPECT_EQ(early.applied + early.already_applied + early.retried, 0);
    EXPECT_EQ(requests_seen(), before) << "a request went out before the back-off ended";
    clock_.advance(std::chrono::seconds(1));
    auto second = sync_->dispatch_once(instance());
    EXPECT_GT(requests_seen(), before);
    EXPECT_EQ(second.applied + second.already_applied, 1)
        << "retried " << second.retried << ": " << create_row().last_error;
    row["retry"] = "after " + std::to_string(wait.count()) + " s, " +
                   (second.already_applied ? "found the " + system_->object() + " made before"
                                           : "made the " + system_->object());
  }
  row["first_answer"] = first_answer;
  auto made = system_->objects(key);
  ASSERT_EQ(made.size(), 1u) << "one " << system_->object() << " for the step " << key;
  auto step = service_->show(ref)->steps.back();
  ASSERT_TRUE(step.external_ref) << "the step knows its " << system_->object();
  EXPECT_EQ(create_row().state, "done");
  clock_.advance(std::chrono::minutes(10));  // past any back-off; within the tokens' lifetime
  auto later = sync_->dispatch_once(instance());
  EXPECT_EQ(later.applied + later.already_applied + later.retried, 0) << "nothing left to send";

  // 3. The person completes it; the poll meets the same fault, and the completion is applied
  //    exactly once.
  system_->complete(*step.external_ref);
  ASSERT_FALSE(HasFatalFailure());
  const auto poll_from = requests_seen();
  inject("GET", system_->api_paths());
  int polls = 0, applied = 0;
  for (; polls < 4 && service_->show(ref)->dispute.status != domain::DisputeStatus::kResolved;
       ++polls) {
    auto poll = sync_->poll_once(instance());
    system_->server().wait_idle();
    applied += poll.applied;
    clock_.advance(std::chrono::minutes(1));
  }
  EXPECT_EQ(service_->show(ref)->dispute.status, domain::DisputeStatus::kResolved);
  EXPECT_EQ(applied, 1);
  EXPECT_TRUE(fault_seen(poll_from)) << "the poll met no fault" << requests();
  auto again = sync_->poll_once(instance(), /*reconcile=*/true);
  EXPECT_TRUE(again.ok) << again.error;
  EXPECT_EQ(again.applied, 0) << "a completion applied twice";
  EXPECT_EQ(completions(ref), 3) << "check, approve and the connector's step, each once";
  EXPECT_EQ(system_->objects(key).size(), 1u);
  row["completion"] = "applied once";  // (on the first poll or the next: the HTTP client
                                       // resends a GET whose kept-alive connection failed)

  if (!HasFailure()) {
    std::filesystem::create_directories(row_path().parent_path());
    std::ofstream(row_path()) << row.dump() << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, FaultMatrix, ::testing::ValuesIn(all_cells()), cell_name);

}  // namespace
}  // namespace disputed
