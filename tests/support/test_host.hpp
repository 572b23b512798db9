#pragma once
// A minimal sdk::Host for tests of plugins that make no HTTP calls (the fakesystem plugin):
// in-memory key-value store, a clock over a domain::Clock, log lines kept for assertions, and an
// HTTP client that refuses every request.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/domain/time.hpp"
#include "disputed/sdk/host.hpp"

namespace disputed::testing {

class TestHost final : public sdk::Host,
                       sdk::HttpClient,
                       sdk::Logger,
                       sdk::Clock,
                       sdk::KeyValueStore {
 public:
  explicit TestHost(const domain::Clock& clock, std::string name = "test")
      : clock_(clock), name_(std::move(name)) {}

  sdk::HttpClient& http() override { return *this; }
  sdk::TokenSource* tokens() override { return nullptr; }
  sdk::Logger& log() override { return *this; }
  const sdk::Clock& clock() override { return *this; }
  sdk::KeyValueStore& store() override { return *this; }
  std::string instance_name() const override { return name_; }
  bool cancelled() const override { return false; }

  sdk::HttpResponse send(const sdk::HttpRequest& r) override {
    sdk::HttpResponse out;
    out.error = "TestHost refuses HTTP (" + r.url + ")";
    return out;
  }
  void log(sdk::LogLevel, const std::string& message) override {
    std::lock_guard lock(mutex_);
    lines.push_back(message);
  }
  sdk::Instant now() const override { return clock_.now(); }
  std::optional<std::string> get(const std::string& key) override {
    auto it = kv_.find(key);
    return it == kv_.end() ? std::nullopt : std::optional(it->second);
  }
  void put(const std::string& key, const std::string& value) override { kv_[key] = value; }
  void erase(const std::string& key) override { kv_.erase(key); }

  std::vector<std::string> lines;

 private:
  const domain::Clock& clock_;
  std::string name_;
  std::mutex mutex_;
  std::map<std::string, std::string> kv_;
};

}  // namespace disputed::testing
