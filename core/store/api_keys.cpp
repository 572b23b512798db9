#include "core/store/api_keys.hpp"

#include <stdexcept>

namespace disputed::store {

namespace {

using domain::format_instant;

std::optional<domain::Instant> optional_instant(const Statement& s, int col) {
  auto text = s.optional_text(col);
  if (!text) return std::nullopt;
  auto t = domain::parse_instant(*text);
  if (!t) throw std::runtime_error("corrupt timestamp in database: '" + *text + "'");
  return t;
}

constexpr const char* kColumns =
    "SELECT id, name, role, key_hash, key_prefix, created_at, last_used_at, revoked_at FROM "
    "api_keys ";

ApiKeyRecord read_key(const Statement& s) {
  ApiKeyRecord k;
  k.id = s.int64(0);
  k.name = s.text(1);
  k.role = s.text(2);
  k.key_hash = s.text(3);
  k.key_prefix = s.text(4);
  k.created_at = *optional_instant(s, 5);
  k.last_used_at = optional_instant(s, 6);
  k.revoked_at = optional_instant(s, 7);
  return k;
}

}  // namespace

bool ApiKeyStore::insert(ApiKeyRecord& key) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO api_keys (name, role, key_hash, key_prefix, created_at) VALUES (?,?,?,?,?)");
  s.bind(1, key.name)
      .bind(2, key.role)
      .bind(3, key.key_hash)
      .bind(4, key.key_prefix)
      .bind(5, format_instant(key.created_at));
  try {
    s.run();
  } catch (const SqliteError& e) {
    if (!e.is_unique_violation()) throw;
    return false;
  }
  key.id = db_.last_insert_rowid();
  return true;
}

std::optional<ApiKeyRecord> ApiKeyStore::find_active_by_hash(const std::string& key_hash) {
  Statement& s =
      db_.prepare_cached(std::string(kColumns) + "WHERE key_hash = ? AND revoked_at IS NULL");
  s.bind(1, key_hash);
  std::optional<ApiKeyRecord> out;
  if (s.step()) out = read_key(s);
  s.reset();
  return out;
}

std::vector<ApiKeyRecord> ApiKeyStore::list() {
  Statement& s = db_.prepare_cached(std::string(kColumns) + "ORDER BY id");
  std::vector<ApiKeyRecord> out;
  while (s.step()) out.push_back(read_key(s));
  s.reset();
  return out;
}

bool ApiKeyStore::revoke(const std::string& name, domain::Instant at) {
  Statement& s = db_.prepare_cached(
      "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
  s.bind(1, format_instant(at)).bind(2, name);
  s.run();
  return db_.changes() > 0;
}

void ApiKeyStore::touch(std::int64_t id, domain::Instant at) {
  Statement& s = db_.prepare_cached("UPDATE api_keys SET last_used_at = ? WHERE id = ?");
  s.bind(1, format_instant(at)).bind(2, id);
  s.run();
}

}  // namespace disputed::store
