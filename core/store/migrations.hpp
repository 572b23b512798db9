#pragma once
// Versioned, forward-only schema migrations, tracked in PRAGMA user_version.

#include <string>
#include <vector>

#include "core/store/sqlite.hpp"

namespace disputed::store {

struct Migration {
  int version;
  std::string description;
  std::string sql;
};

/// Every migration, in order; the last one's version is the schema this binary needs.
const std::vector<Migration>& migrations();
int latest_schema_version();
int schema_version(Database& db);

/// Applies every pending migration, each in its own transaction. Returns the versions applied.
/// Throws SchemaError when the database is newer than this binary.
std::vector<int> migrate(Database& db);

/// Thrown when the database schema does not match this binary.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Start-up check: throws SchemaError naming both versions when the schema is newer than this
/// binary (refuse to run) or older (tell the operator to run `disputed migrate`).
void require_current_schema(Database& db);

}  // namespace disputed::store
