#pragma once
// The engine over one SQLite connection: the dispute commands and queries (DisputeService), the
// operations (dead letters, connector status, API keys, health), the connector ledger (what
// the sync engine reads and records) and the web app's accounts and sessions. This is the door to
// storage for everything above the engine: the REST API, the CLI and the sync engine use a Session,
// never the store.
//
// A Session is not thread-safe (nor is its connection). A serving process has one writer session,
// owned by the CommandWriter's thread, and one read session per reader (ReaderPool).

#include "core/engine/connector_ledger.hpp"
#include "core/engine/dispute_service.hpp"
#include "core/engine/link_actions.hpp"
#include "core/engine/operations.hpp"
#include "core/engine/web_accounts.hpp"

namespace disputed::engine {

class Session {
 public:
  /// `db`, `definitions` and `clock` outlive the session.
  Session(store::Database& db, const workflow::Definitions& definitions, const domain::Clock& clock)
      : db_(db),
        disputes_(db, definitions, clock),
        operations_(db, clock),
        connectors_(db, disputes_, clock),
        accounts_(db),
        links_(db, disputes_, clock) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  DisputeService& disputes() { return disputes_; }
  Operations& operations() { return operations_; }
  ConnectorLedger& connectors() { return connectors_; }
  /// The web app's local accounts, browser sessions and sign-ins.
  WebAccounts& accounts() { return accounts_; }
  /// What the one-click links from mail may do, once.
  LinkActions& links() { return links_; }
  const workflow::Definitions& definitions() const { return disputes_.definitions(); }

  /// The connection, for the engine's own transaction control (the CommandWriter's batches, a
  /// reader's snapshot) and for reporting, which runs its queries on a read session's connection.
  store::Database& database() { return db_; }

 private:
  store::Database& db_;
  DisputeService disputes_;
  Operations operations_;
  ConnectorLedger connectors_;
  WebAccounts accounts_;
  LinkActions links_;
};

/// One read transaction: every query made while it lives sees the same snapshot of the database
/// (in WAL mode the writer may commit between two statements otherwise). Reads only.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Session& session) : transaction_(session.database()) {}
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  store::ReadTransaction transaction_;
};

}  // namespace disputed::engine
