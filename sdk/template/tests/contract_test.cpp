// The SDK's contract suite against the template connector, with a tiny in-process sandbox of
// the placeholder "Example Tasks" API (README.md). When you port the template to your system,
// replace ExampleTasksSandbox by your system's sandbox (an in-process one like this, or an
// emulator on loopback) and keep the environment's shape.

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/contract.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
using nlohmann::json;

constexpr const char* kBaseUrl = "https://api.example.com/v1";

sdk::HttpResponse answer(int status, const json& body,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return {status, std::move(headers), body.dump(), ""};
}

/// The placeholder API, in memory: tasks, idempotency keys, OAuth2 tokens and fault switches.
class ExampleTasksSandbox {
 public:
  explicit ExampleTasksSandbox(std::function<sdk::Instant()> now) : now_(std::move(now)) {}

  // The token endpoint: every fetch issues a new token; only the latest is accepted.
  std::optional<sdk::AccessToken> issue_token() {
    std::lock_guard lock(mutex_);
    valid_token_ = "token-" + std::to_string(++tokens_issued_);
    return sdk::AccessToken{valid_token_, now_() + std::chrono::hours(1),
                            R"({"token_type":"Bearer"})"};
  }

  sdk::HttpResponse handle(const sdk::HttpRequest& request) {
    std::lock_guard lock(mutex_);
    if (request.url.rfind(kBaseUrl, 0) != 0) return answer(404, {{"error", "no such API"}});
    std::string target = request.url.substr(std::string(kBaseUrl).size());
    std::string path = target.substr(0, target.find('?'));
    std::map<std::string, std::string> query = parse_query(target);
    bool write = request.method != "GET";

    if (header(request, "Authorization") != "Bearer " + valid_token_ || valid_token_.empty())
      return answer(401, {{"error", "invalid_token"}});
    if (auto fault = take_fault(write)) {
      switch (fault->fault) {
        case kit::Fault::kRateLimitedWithRetryAfter:
          return answer(429, {{"error", "rate_limited"}},
                        {{"Retry-After", std::to_string(fault->retry_after.count())}});
        case kit::Fault::kServerError:
          return answer(503, {{"error", "service unavailable"}});
        case kit::Fault::kValidationError:
          return answer(422, {{"error", "validation_failed"}, {"message", "title is too long"}});
        case kit::Fault::kExpiredToken:
          valid_token_ = "expired";  // the host must fetch a new one and send again
          return answer(401, {{"error", "invalid_token"}, {"message", "token expired"}});
      }
    }
    std::string key = header(request, "Idempotency-Key");
    if (write && !key.empty()) {
      if (auto it = replies_.find(key); it != replies_.end()) {
        sdk::HttpResponse replay = it->second;
        replay.headers.emplace_back("Idempotent-Replayed", "true");
        return replay;
      }
    }
    sdk::HttpResponse response = route(request.method, path, query, request.body);
    if (write && !key.empty() && response.status < 500) replies_[key] = response;
    return response;
  }

  // ---- the agent and the test's view of the system
  void complete(const std::string& id, const std::string& resolution) {
    std::lock_guard lock(mutex_);
    if (auto* t = find(id)) {
      (*t)["status"] = "completed";
      (*t)["resolution"] = resolution;
      (*t)["completed_by"] = "agent@example.com";
      touch(*t);
    }
  }
  std::vector<json> tasks_for(const std::string& external_id) {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    for (const auto& t : tasks_)
      if (t["external_id"] == external_id) out.push_back(t);
    return out;
  }
  void inject(const kit::FaultPlan& plan) {
    std::lock_guard lock(mutex_);
    faults_.push_back(plan);
  }
  int tokens_issued() {
    std::lock_guard lock(mutex_);
    return tokens_issued_;
  }

 private:
  static std::string header(const sdk::HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }

  static std::map<std::string, std::string> parse_query(const std::string& target) {
    std::map<std::string, std::string> out;
    auto q = target.find('?');
    if (q == std::string::npos) return out;
    std::string rest = target.substr(q + 1);
    for (std::size_t start = 0; start <= rest.size();) {
      auto end = rest.find('&', start);
      std::string pair = rest.substr(start, end - start);
      auto eq = pair.find('=');
      out[disputed::sdk::kit::percent_decode(pair.substr(0, eq), true)] =
          eq == std::string::npos ? ""
                                  : disputed::sdk::kit::percent_decode(pair.substr(eq + 1), true);
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  }

  // A validation fault hits the next write (a 422 on a lookup would make no sense); the
  // others hit the next request of the call they are planned for.
  std::optional<kit::FaultPlan> take_fault(bool write) {
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (it->fault == kit::Fault::kValidationError && !write) continue;
      kit::FaultPlan plan = *it;
      if (--it->times <= 0) faults_.erase(it);
      return plan;
    }
    return std::nullopt;
  }

  json* find(const std::string& id) {
    for (auto& t : tasks_)
      if (t["id"] == id) return &t;
    return nullptr;
  }

  void touch(json& task) {
    task["version"] = task["version"].get<int>() + 1;
    task["updated_at"] = disputed::sdk::kit::format_timestamp(now_());
  }

  sdk::HttpResponse route(const std::string& method, const std::string& path,
                          const std::map<std::string, std::string>& query,
                          const std::string& body_text) {
    json body = json::parse(body_text.empty() ? "{}" : body_text, nullptr, false);
    if (body.is_discarded())
      return answer(400, {{"error", "bad_request"}, {"message", "body is not JSON"}});
    if (method == "GET" && path == "/me")
      return answer(200, {{"id", "disputed-client"}, {"name", "disputed"}});
    if (method == "GET" && path == "/tasks") return list(query);
    if (method == "POST" && path == "/tasks") return create(body);
    if (path.rfind("/tasks/", 0) == 0) {
      std::string rest = path.substr(7);
      bool comments = rest.size() > 9 && rest.ends_with("/comments");
      json* task = find(comments ? rest.substr(0, rest.size() - 9) : rest);
      if (!task) return answer(404, {{"error", "not_found"}});
      if (method == "GET" && !comments) return answer(200, *task);
      if (method == "PATCH" && !comments) {
        for (const char* field : {"status", "priority", "resolution", "resolution_note"})
          if (body.contains(field) && body[field].is_string()) (*task)[field] = body[field];
        touch(*task);
        return answer(200, *task);
      }
      if (method == "POST" && comments) {
        (*task)["comment_count"] = (*task)["comment_count"].get<int>() + 1;
        touch(*task);
        return answer(201, {{"id", "c" + std::to_string((*task)["comment_count"].get<int>())}});
      }
    }
    return answer(405, {{"error", "method_not_allowed"}});
  }

  sdk::HttpResponse create(const json& body) {
    std::string title =
        body.value("title", json()).is_string() ? body["title"].get<std::string>() : "";
    std::string external_id =
        body.value("external_id", json()).is_string() ? body["external_id"].get<std::string>() : "";
    if (title.empty() || external_id.empty())
      return answer(
          422, {{"error", "validation_failed"}, {"message", "title and external_id are required"}});
    for (const auto& t : tasks_)
      if (t["external_id"] == external_id)
        return answer(409, {{"error", "duplicate_external_id"}, {"existing_id", t["id"]}});
    std::string id = std::to_string(1000 + tasks_.size() + 1);
    json task = {{"id", id},
                 {"external_id", external_id},
                 {"project", body.value("project", json(""))},
                 {"title", title},
                 {"status", "open"},
                 {"priority", "normal"},
                 {"resolution", ""},
                 {"completed_by", ""},
                 {"comment_count", 0},
                 {"version", 0},
                 {"url", "https://tasks.example.com/t/" + id}};
    touch(task);
    tasks_.push_back(task);
    return answer(201, task);
  }

  // Filter by external_id, or list changes since `updated_since` (inclusive), oldest first,
  // ties by id, 100 per page.
  sdk::HttpResponse list(const std::map<std::string, std::string>& query) {
    std::vector<json> found;
    for (const auto& t : tasks_) {
      if (query.count("external_id") && t["external_id"] != query.at("external_id")) continue;
      if (query.count("updated_since") &&
          t["updated_at"].get<std::string>() < query.at("updated_since"))
        continue;
      found.push_back(t);
    }
    std::stable_sort(found.begin(), found.end(), [](const json& a, const json& b) {
      auto ka =
          std::make_pair(a["updated_at"].get<std::string>(), std::stoi(a["id"].get<std::string>()));
      auto kb =
          std::make_pair(b["updated_at"].get<std::string>(), std::stoi(b["id"].get<std::string>()));
      return ka < kb;
    });
    std::size_t size = query.count("page_size") ? std::stoul(query.at("page_size")) : 100;
    std::size_t offset = query.count("page_token") ? std::stoul(query.at("page_token")) : 0;
    json page = json::array();
    for (std::size_t i = offset; i < found.size() && i < offset + size; ++i)
      page.push_back(found[i]);
    json next = offset + size < found.size() ? json(std::to_string(offset + size)) : json(nullptr);
    return answer(200, {{"tasks", page}, {"next_page_token", next}});
  }

  std::mutex mutex_;
  std::function<sdk::Instant()> now_;
  std::vector<json> tasks_;
  std::map<std::string, sdk::HttpResponse> replies_;
  std::deque<kit::FaultPlan> faults_;
  std::string valid_token_;
  int tokens_issued_ = 0;
};

sdk::testing::FakeHostOptions host_options() {
  sdk::testing::FakeHostOptions options;
  options.instance_name = "template-contract";
  options.auth_kind = "oauth2_client_credentials";
  options.allowed_hosts = {"api.example.com", "auth.example.com"};
  return options;
}

class TemplateEnvironment final : public kit::ContractEnvironment {
 public:
  TemplateEnvironment()
      : sandbox_(std::make_shared<ExampleTasksSandbox>([this] { return host_->clock().now(); })) {
    auto handler = [sandbox = sandbox_](const sdk::HttpRequest& r) { return sandbox->handle(r); };
    host_ = std::make_unique<sdk::testing::FakeHost>(
        host_options(), handler,
        [sandbox = sandbox_](std::string&) { return sandbox->issue_token(); });
    bad_host_ =
        std::make_unique<sdk::testing::FakeHost>(host_options(), handler, [](std::string& error) {
          error = "token endpoint https://auth.example.com/oauth/token answered 401 invalid_client";
          return std::optional<sdk::AccessToken>();
        });
  }

  std::filesystem::path plugin_library() const override { return TEMPLATE_CONNECTOR_PLUGIN; }
  std::filesystem::path manifest_file() const override { return TEMPLATE_CONNECTOR_MANIFEST; }

  std::string good_settings() const override {
    return json{{"base_url", kBaseUrl}, {"project", "AR"}}.dump();
  }
  std::vector<kit::BadSettings> bad_settings() const override {
    return {
        {R"({"project": "AR"})", "/base_url", "the base URL is required"},
        {R"({"base_url": "ftp://api.example.com", "project": "AR"})", "/base_url", "https only"},
        {R"({"base_url": "http://api.example.com/v1", "project": "AR"})", "/base_url",
         "plain http off loopback"},
        {R"({"base_url": "https://api.example.com/v1", "project": "has space"})", "/project",
         "not an id"},
        {R"({"base_url": "https://api.example.com/v1", "project": "AR", "colour": 1})", "/colour",
         "unknown key"}};
  }

  sdk::Host& host() override { return *host_; }
  sdk::Host* host_with_bad_credentials() override { return bad_host_.get(); }

  void complete_externally(const std::string& external_ref, const std::string& outcome) override {
    host_->advance(std::chrono::seconds(1));  // the agent acts a moment later
    sandbox_->complete(external_ref, outcome);
  }
  int count_tasks(const std::string& task_key) override {
    return int(sandbox_->tasks_for(task_key).size());
  }
  kit::TaskState task_state(const std::string& task_key) override {
    kit::TaskState state;
    auto tasks = sandbox_->tasks_for(task_key);
    if (tasks.empty()) return state;
    const json& t = tasks.front();
    std::string status = t["status"];
    using L = kit::TaskState::Lifecycle;
    state.lifecycle = status == "open"        ? L::kOpen
                      : status == "completed" ? L::kCompleted
                      : status == "closed"    ? L::kClosed
                      : status == "cancelled" ? L::kCancelled
                                              : L::kMissing;
    state.notes = t["comment_count"];
    state.urgent = t["priority"] == "urgent";
    state.detail = t.dump();
    return state;
  }

  bool supports(kit::Fault) const override { return true; }
  void inject(const kit::FaultPlan& plan) override { sandbox_->inject(plan); }
  std::optional<int> token_fetches() const override { return host_->token_fetches(); }

  void reset() override {}  // every test gets a new environment, so a new sandbox

 private:
  std::shared_ptr<ExampleTasksSandbox> sandbox_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  std::unique_ptr<sdk::testing::FakeHost> bad_host_;
};

}  // namespace

DISPUTED_CONTRACT_TESTS(Template, [] { return std::make_unique<TemplateEnvironment>(); });
