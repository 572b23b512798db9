#include "core/store/migrations.hpp"

namespace disputed::store {

namespace {

// Amounts are INTEGER counts of 1/10000 (domain::Decimal units); instants are ISO-8601 UTC text.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE invoices (
  number            TEXT PRIMARY KEY,
  customer_id       TEXT NOT NULL,
  customer_name     TEXT NOT NULL,
  customer_email    TEXT NOT NULL DEFAULT '',
  customer_language TEXT NOT NULL DEFAULT 'en',
  amount_units      INTEGER NOT NULL CHECK (amount_units > 0),
  currency          TEXT NOT NULL,
  issue_date        TEXT NOT NULL,
  due_date          TEXT NOT NULL,
  original_due_date TEXT NOT NULL,
  account_manager   TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
CREATE INDEX invoices_customer ON invoices(customer_id);

-- The workflow a dispute runs, frozen when it starts: editing configs never changes running disputes.
CREATE TABLE workflow_snapshots (
  hash        TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  definition  TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE disputes (
  id              INTEGER PRIMARY KEY,
  ref             TEXT NOT NULL UNIQUE,
  category        TEXT NOT NULL,
  workflow_hash   TEXT NOT NULL REFERENCES workflow_snapshots(hash),
  status          TEXT NOT NULL,
  channel         TEXT NOT NULL,
  description     TEXT NOT NULL,
  reported_by     TEXT NOT NULL,
  contact_name    TEXT NOT NULL DEFAULT '',
  contact_email   TEXT NOT NULL DEFAULT '',
  contact_phone   TEXT NOT NULL DEFAULT '',
  customer_id     TEXT NOT NULL,
  customer_name   TEXT NOT NULL,
  currency        TEXT NOT NULL,
  disputed_units  INTEGER NOT NULL,
  opened_at       TEXT NOT NULL,
  due_at          TEXT NOT NULL,
  resolved_at     TEXT,
  resolution      TEXT,
  resolution_note TEXT NOT NULL DEFAULT '',
  closed_at       TEXT,
  reopen_count    INTEGER NOT NULL DEFAULT 0,
  updated_at      TEXT NOT NULL
);
CREATE INDEX disputes_status ON disputes(status, category);
CREATE INDEX disputes_customer ON disputes(customer_id);
CREATE INDEX disputes_opened ON disputes(opened_at);

CREATE TABLE dispute_invoices (
  dispute_id     INTEGER NOT NULL REFERENCES disputes(id),
  invoice_number TEXT NOT NULL REFERENCES invoices(number),
  disputed_units INTEGER NOT NULL CHECK (disputed_units > 0),
  PRIMARY KEY (dispute_id, invoice_number)
);
CREATE INDEX dispute_invoices_invoice ON dispute_invoices(invoice_number);

CREATE TABLE steps (
  id            INTEGER PRIMARY KEY,
  dispute_id    INTEGER NOT NULL REFERENCES disputes(id),
  step_key      TEXT NOT NULL,
  title         TEXT NOT NULL,
  assignee_kind TEXT NOT NULL,
  assignee      TEXT NOT NULL,
  target        TEXT NOT NULL,
  task_key      TEXT NOT NULL UNIQUE,
  status        TEXT NOT NULL,
  assigned_at   TEXT NOT NULL,
  deadline_at   TEXT NOT NULL,
  completed_at  TEXT,
  completed_by  TEXT,
  outcome       TEXT,
  comment       TEXT,
  escalated_at  TEXT,
  escalated_to  TEXT,
  external_ref  TEXT
);
CREATE INDEX steps_dispute ON steps(dispute_id, id);
CREATE INDEX steps_open ON steps(status, assignee);

CREATE TABLE timers (
  id       INTEGER PRIMARY KEY,
  step_id  INTEGER NOT NULL REFERENCES steps(id),
  kind     TEXT NOT NULL,
  ordinal  INTEGER NOT NULL DEFAULT 0,
  fire_at  TEXT NOT NULL,
  fired_at TEXT
);
CREATE INDEX timers_due ON timers(fire_at) WHERE fired_at IS NULL;
CREATE INDEX timers_step ON timers(step_id);

CREATE TABLE holds (
  id             INTEGER PRIMARY KEY,
  invoice_number TEXT NOT NULL REFERENCES invoices(number),
  dispute_id     INTEGER NOT NULL REFERENCES disputes(id),
  placed_at      TEXT NOT NULL,
  released_at    TEXT,
  release_reason TEXT,
  new_due_date   TEXT
);
CREATE UNIQUE INDEX holds_active ON holds(invoice_number, dispute_id) WHERE released_at IS NULL;
CREATE INDEX holds_invoice ON holds(invoice_number, id);
CREATE INDEX holds_dispute ON holds(dispute_id, id);

CREATE TABLE dossier (
  id         INTEGER PRIMARY KEY,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  kind       TEXT NOT NULL,
  channel    TEXT NOT NULL DEFAULT '',
  direction  TEXT NOT NULL,
  summary    TEXT NOT NULL,
  payload    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX dossier_dispute ON dossier(dispute_id, id);
CREATE TRIGGER dossier_no_update BEFORE UPDATE ON dossier
  BEGIN SELECT RAISE(ABORT, 'the dossier is append-only'); END;
CREATE TRIGGER dossier_no_delete BEFORE DELETE ON dossier
  BEGIN SELECT RAISE(ABORT, 'the dossier is append-only'); END;

-- The ordered feed the collection (dunning) system follows with a cursor (seq).
CREATE TABLE collection_events (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  at             TEXT NOT NULL,
  kind           TEXT NOT NULL,
  invoice_number TEXT NOT NULL,
  dispute_ref    TEXT NOT NULL,
  due_date       TEXT,
  payload        TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER collection_events_no_update BEFORE UPDATE ON collection_events
  BEGIN SELECT RAISE(ABORT, 'the collection event feed is append-only'); END;
CREATE TRIGGER collection_events_no_delete BEFORE DELETE ON collection_events
  BEGIN SELECT RAISE(ABORT, 'the collection event feed is append-only'); END;

-- What must be mirrored into another system or sent, written in the same transaction as the
-- change that caused it; consumed by the sync dispatcher.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  action_key      TEXT NOT NULL UNIQUE,
  target          TEXT NOT NULL,
  kind            TEXT NOT NULL,
  dispute_id      INTEGER REFERENCES disputes(id),
  step_id         INTEGER REFERENCES steps(id),
  task_key        TEXT,
  payload         TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending',
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  done_at         TEXT
);
CREATE INDEX outbox_pending ON outbox(state, next_attempt_at, id);
CREATE INDEX outbox_task ON outbox(task_key, id);
)sql";

// The sync engine's bookkeeping: what each connector instance has seen and done.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE outbox ADD COLUMN external_ref TEXT;
CREATE INDEX outbox_target_due ON outbox(target, state, next_attempt_at, id);
CREATE INDEX steps_target_open ON steps(target, status);

CREATE TABLE connector_cursors (
  instance   TEXT PRIMARY KEY,
  cursor     TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- External events applied once: a re-poll after a crash finds them here and changes nothing.
CREATE TABLE applied_events (
  instance   TEXT NOT NULL,
  task_key   TEXT NOT NULL,
  event_id   TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  PRIMARY KEY (instance, task_key, event_id)
);

CREATE TABLE connector_status (
  instance      TEXT PRIMARY KEY,
  state         TEXT NOT NULL,
  last_poll_at  TEXT,
  last_apply_at TEXT,
  last_error    TEXT,
  retries       INTEGER NOT NULL DEFAULT 0,
  applied       INTEGER NOT NULL DEFAULT 0,
  events        INTEGER NOT NULL DEFAULT 0,
  updated_at    TEXT NOT NULL
);

CREATE TABLE plugin_kv (
  instance TEXT NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (instance, key)
);
)sql";

// v2 (REST API, reports): API keys — only the SHA-256 of a key is stored, the key itself is
// shown once when it is made — and indexes for the report queries.
// The link a person opens to reach a step's external task (a ticket's agent URL, a Task's
// Lightning page, the To Do web app).
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE steps ADD COLUMN external_url TEXT;
)sql";

constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('admin', 'controller', 'viewer', 'integration')),
  key_hash     TEXT NOT NULL UNIQUE,
  key_prefix   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;

-- Covering indexes, so that a report reads narrow index entries instead of whole rows and
-- groups in index order (SQLite's sorter is slow): under 200 ms at 100,000 disputes
-- (docs/benchmarks.md). core/store/reports.cpp names them with INDEXED BY.
CREATE INDEX disputes_report ON disputes(category, status, currency, opened_at, resolved_at, due_at,
                                         resolution, disputed_units);
CREATE INDEX steps_report ON steps(dispute_id, status, step_key, assignee, assigned_at, deadline_at,
                                   completed_at, escalated_at);
)sql";

// The web app's sign-in (docs/web.md): local accounts (Argon2id hashes, never passwords),
// browser sessions stored by the SHA-256 of their id (a copy of the database holds no live
// session), and OpenID Connect sign-ins under way (state, nonce and PKCE verifier, ten minutes).
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE web_users (
  email         TEXT PRIMARY KEY,
  name          TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL CHECK (role IN ('admin', 'controller', 'viewer', 'integration')),
  password_hash TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  disabled_at   TEXT
);

CREATE TABLE web_sessions (
  id_hash      TEXT PRIMARY KEY,
  user         TEXT NOT NULL,
  name         TEXT NOT NULL DEFAULT '',
  role         TEXT NOT NULL,
  source       TEXT NOT NULL,
  csrf_token   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);

CREATE TABLE web_logins (
  id_hash       TEXT PRIMARY KEY,
  state         TEXT NOT NULL,
  nonce         TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  return_path   TEXT NOT NULL,
  created_at    TEXT NOT NULL
);
)sql";

// One-click links from mail (docs/messaging.md): every link used, once — its id (jti) is the
// key, written in the transaction of what it did —, the customers' feedback scores, and who
// asked for no more optional messages of a kind (RFC 8058 one-click unsubscribe).
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE link_uses (
  jti        TEXT PRIMARY KEY,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  action     TEXT NOT NULL CHECK (action IN ('outcome', 'information', 'feedback', 'unsubscribe')),
  task_key   TEXT NOT NULL DEFAULT '',
  value      TEXT NOT NULL,
  recipient  TEXT NOT NULL,
  comment    TEXT NOT NULL DEFAULT '',
  used_at    TEXT NOT NULL
);
CREATE INDEX link_uses_dispute ON link_uses(dispute_id);

CREATE TABLE feedback (
  id         INTEGER PRIMARY KEY,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment    TEXT NOT NULL DEFAULT '',
  respondent TEXT NOT NULL,
  given_at   TEXT NOT NULL
);
CREATE INDEX feedback_dispute ON feedback(dispute_id);

CREATE TABLE unsubscribes (
  recipient TEXT NOT NULL,
  kind      TEXT NOT NULL,
  at        TEXT NOT NULL,
  PRIMARY KEY (recipient, kind)
);
)sql";

}  // namespace

// The date promised to the customer, watched (docs/configuration.md, notifications.promise):
// a timer before it and one at it. Open disputes of an older database get the one at the date
// (the early warning needs the business calendar, which SQL does not have).
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE promise_timers (
  id         INTEGER PRIMARY KEY,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  stage      TEXT NOT NULL CHECK (stage IN ('before', 'due')),
  due_at     TEXT NOT NULL,
  fire_at    TEXT NOT NULL,
  fired_at   TEXT
);
CREATE INDEX promise_timers_due ON promise_timers(fire_at) WHERE fired_at IS NULL;
CREATE INDEX promise_timers_dispute ON promise_timers(dispute_id);
INSERT INTO promise_timers (dispute_id, stage, due_at, fire_at)
  SELECT id, 'due', due_at, due_at FROM disputes WHERE status IN ('open', 'in_progress');
)sql";

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "invoices, disputes, steps, timers, holds, dossier, collection feed, outbox", kSchemaV1},
      {2, "REST API keys; report indexes", kSchemaV2},
      {3, "sync engine: poll cursors, applied events, connector status, plugin state", kSchemaV3},
      {4, "external task links on steps", kSchemaV4},
      {5, "web app: local accounts, browser sessions, OpenID Connect sign-ins", kSchemaV5},
      {6, "one-click links used, feedback scores, unsubscribes", kSchemaV6},
      {7, "the date promised to the customer watched: promise timers", kSchemaV7},
  };
  return all;
}

int latest_schema_version() { return migrations().back().version; }

int schema_version(Database& db) {
  Statement& s = db.prepare_cached("PRAGMA user_version");
  s.step();
  int v = int(s.int64(0));
  s.reset();
  return v;
}

std::vector<int> migrate(Database& db) {
  int current = schema_version(db);
  if (current > latest_schema_version())
    throw SchemaError("database " + db.file().string() + " has schema version " +
                      std::to_string(current) + ", newer than this binary supports (" +
                      std::to_string(latest_schema_version()) + "); upgrade disputed");
  std::vector<int> applied;
  for (const Migration& m : migrations()) {
    if (m.version <= current) continue;
    Transaction tx(db);
    db.exec(m.sql);
    db.exec("PRAGMA user_version = " + std::to_string(m.version));
    tx.commit();
    applied.push_back(m.version);
  }
  return applied;
}

void require_current_schema(Database& db) {
  int current = schema_version(db);
  int latest = latest_schema_version();
  if (current > latest)
    throw SchemaError("database " + db.file().string() + " has schema version " +
                      std::to_string(current) + ", newer than this binary supports (" +
                      std::to_string(latest) + "); refusing to run: upgrade disputed");
  if (current < latest)
    throw SchemaError("database " + db.file().string() + " has schema version " +
                      std::to_string(current) + ", this binary needs " + std::to_string(latest) +
                      ": run `disputed migrate` first");
}

}  // namespace disputed::store
