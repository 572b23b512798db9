#include "core/engine/operations.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include "core/store/migrations.hpp"
#include "core/store/sync_store.hpp"

namespace disputed::engine {

using domain::Error;

namespace {

constexpr std::string_view kKeyPrefix = "dsp_";

std::string base64url(const unsigned char* data, std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < n; i += 3) {
    unsigned v = unsigned(data[i]) << 16 | unsigned(data[i + 1]) << 8 | data[i + 2];
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (n - i == 1) {
    unsigned v = unsigned(data[i]) << 16;
    for (int shift : {18, 12}) out += kAlphabet[(v >> shift) & 63];
  } else if (n - i == 2) {
    unsigned v = unsigned(data[i]) << 16 | unsigned(data[i + 1]) << 8;
    for (int shift : {18, 12, 6}) out += kAlphabet[(v >> shift) & 63];
  }
  return out;
}

bool valid_key_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '@';
  });
}

template <class T, class F>
Result<T> in_transaction(store::Database& db, F&& write) {
  try {
    store::Transaction tx(db);
    Result<T> result = write();
    if (result.ok()) tx.commit();
    return result;
  } catch (const store::SqliteError& e) {
    return Error::internal(std::string("storage error: ") + e.what());
  }
}

}  // namespace

const std::vector<std::string>& api_key_roles() {
  static const std::vector<std::string> roles = {"admin", "controller", "viewer", "integration"};
  return roles;
}

std::string generate_api_key() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
  return std::string(kKeyPrefix) + base64url(bytes, sizeof bytes);
}

std::string hash_api_key(std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL EVP_Digest(SHA-256) failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::vector<ConnectorState> Operations::connectors(
    const std::vector<ConnectorInstance>& configured) {
  store::SyncStore sync(db_);
  std::vector<ConnectorState> out;
  for (const auto& c : configured) {
    auto st = sync.status(c.name);
    ConnectorState s;
    s.name = c.name;
    s.plugin = c.plugin;
    s.state = c.paused ? "paused" : st.state;
    s.last_poll_at = st.last_poll_at;
    s.last_apply_at = st.last_apply_at;
    s.last_error = st.last_error;
    s.applied = st.applied;
    s.events = st.events;
    s.retries = st.retries;
    s.pending = sync.count_rows(c.name, "pending");
    s.dead_letters = sync.count_rows(c.name, "dead");
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<DeadLetter> Operations::dead_letters(const std::string& instance, int limit) {
  std::vector<DeadLetter> out;
  for (auto& r : store::SyncStore(db_).dead_letters(instance, limit)) {
    DeadLetter d;
    d.id = r.id;
    d.action_key = std::move(r.action_key);
    d.instance = std::move(r.target);
    d.kind = std::move(r.kind);
    d.task_key = std::move(r.task_key);
    d.attempts = r.attempts;
    d.last_error = std::move(r.last_error);
    d.created_at = r.created_at;
    d.payload_json = std::move(r.payload_json);
    out.push_back(std::move(d));
  }
  return out;
}

Result<domain::Ok> Operations::replay_dead_letter(const std::string& id_or_key) {
  return in_transaction<domain::Ok>(db_, [&]() -> Result<domain::Ok> {
    if (!store::SyncStore(db_).replay(id_or_key, clock_.now()))
      return Error::not_found("no dead letter " + id_or_key);
    return domain::Ok{};
  });
}

Result<NewApiKey> Operations::create_api_key(const std::string& name, const std::string& role) {
  if (!valid_key_name(name))
    return Error::invalid("invalid key name", "name",
                          "'" + name + "': use 1 to 64 letters, digits, '.', '_', '-' or '@'");
  const auto& roles = api_key_roles();
  if (std::find(roles.begin(), roles.end(), role) == roles.end())
    return Error::invalid("unknown role", "role",
                          "'" + role + "' is not one of admin, controller, viewer, integration");
  NewApiKey made;
  made.key = generate_api_key();
  made.record.name = name;
  made.record.role = role;
  made.record.key_hash = hash_api_key(made.key);
  made.record.key_prefix = made.key.substr(0, kKeyPrefix.size() + 6);
  made.record.created_at = clock_.now();
  return in_transaction<NewApiKey>(db_, [&]() -> Result<NewApiKey> {
    if (!store::ApiKeyStore(db_).insert(made.record))
      return Error::conflict("an active API key is already called '" + name +
                             "' (revoke it first)");
    return made;
  });
}

std::vector<ApiKeyRecord> Operations::api_keys() { return store::ApiKeyStore(db_).list(); }

Result<domain::Instant> Operations::revoke_api_key(const std::string& name) {
  domain::Instant now = clock_.now();
  return in_transaction<domain::Instant>(db_, [&]() -> Result<domain::Instant> {
    if (!store::ApiKeyStore(db_).revoke(name, now))
      return Error::not_found("no active API key is called '" + name + "'");
    return now;
  });
}

std::optional<ApiKeyRecord> Operations::active_api_key(std::string_view key) {
  if (key.substr(0, kKeyPrefix.size()) != kKeyPrefix) return std::nullopt;
  return store::ApiKeyStore(db_).find_active_by_hash(hash_api_key(key));
}

Result<domain::Ok> Operations::note_api_key_use(std::int64_t id, domain::Instant at) {
  return in_transaction<domain::Ok>(db_, [&]() -> Result<domain::Ok> {
    store::ApiKeyStore(db_).touch(id, at);
    return domain::Ok{};
  });
}

int Operations::schema_version() { return store::schema_version(db_); }

Gauges Operations::gauges() { return store::ReportStore(db_).gauges(clock_.now()); }

}  // namespace disputed::engine
