// SqliteStorage: the schema of server.db and its migrations (PRAGMA
// user_version). Later versions' SQL lives with the code that uses it.
#include "sqlite_storage.h"

namespace ccfield::server {

namespace {

// Schema 1. Values are JSON text so that their JSON type survives.
constexpr const char* kV1 = R"sql(
CREATE TABLE server_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO server_meta(key, value) VALUES('server_version', 0);
CREATE TABLE changes(
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  device_id TEXT NOT NULL,
  device_seq INTEGER NOT NULL,
  device_time TEXT NOT NULL,
  author TEXT NOT NULL,
  created INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  clock_flag TEXT NOT NULL,
  user_id TEXT NOT NULL,
  UNIQUE(device_id, device_seq)
);
CREATE INDEX changes_by_version ON changes(version);
CREATE INDEX changes_by_field ON changes(record_id, field, version);
CREATE TABLE records(
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_version INTEGER NOT NULL DEFAULT 0,
  deleted_by_device TEXT NOT NULL DEFAULT ''
);
CREATE TABLE fields(
  record_id TEXT NOT NULL REFERENCES records(id),
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  author TEXT NOT NULL,
  device_time TEXT NOT NULL,
  PRIMARY KEY(record_id, field)
);
CREATE TABLE conflicts(
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  field TEXT NOT NULL,
  base TEXT NOT NULL,
  winner TEXT NOT NULL,
  loser TEXT NOT NULL,
  winner_device TEXT NOT NULL,
  loser_device TEXT NOT NULL,
  winner_author TEXT NOT NULL,
  loser_author TEXT NOT NULL,
  loser_time TEXT NOT NULL,
  winner_version INTEGER NOT NULL,
  resolved INTEGER NOT NULL,
  resolved_by INTEGER NOT NULL
);
CREATE INDEX conflicts_by_version ON conflicts(version);
CREATE INDEX conflicts_by_field ON conflicts(record_id, field, resolved);
CREATE TABLE users(
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE devices(
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  registered_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  last_sync_ms INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tokens(
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  device_id TEXT NOT NULL REFERENCES devices(id),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_by_user ON tokens(user_id);
CREATE INDEX tokens_by_device ON tokens(device_id);
CREATE TABLE memberships(
  user_id TEXT NOT NULL REFERENCES users(id),
  workspace_id TEXT NOT NULL,
  role TEXT NOT NULL,
  member_id TEXT NOT NULL,
  PRIMARY KEY(user_id, workspace_id)
);
CREATE TABLE login_throttle(
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start_ms INTEGER NOT NULL,
  locked_until_ms INTEGER NOT NULL,
  lock_count INTEGER NOT NULL
);
CREATE TABLE forms(
  key TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  version INTEGER NOT NULL
);
)sql";

}  // namespace

Status SqliteStorage::Migrate() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("PRAGMA user_version"));
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  int current = row ? static_cast<int>(q.Int(0)) : 0;
  q = sql::Stmt();
  if (current > kServerSchemaVersion) {
    return Status::Corrupt(path_ + " was written by a newer ccfield-server (schema " + std::to_string(current) +
                           "); update the server");
  }
  while (current < kServerSchemaVersion) {
    int next = current + 1;
    CCF_ASSIGN_OR_RETURN(sql::Txn txn, sql::Txn::Begin(db_.get()));
    Status st;
    if (next == 1) st = db_->Exec(kV1);
    // Version 2: the device secret (hash) binds a device id to the device
    // that registered it (docs/security.md).
    if (next == 2) st = db_->Exec("ALTER TABLE devices ADD COLUMN secret_hash TEXT NOT NULL DEFAULT ''");
    // Version 3: users can be disabled (admin disable-user).
    if (next == 3) st = db_->Exec(PeopleSchemaSql());
    // Version 4: quota usage, device cursors, history expiry (docs/retention.md).
    if (next == 4) st = db_->Exec(RetentionSchemaSql());
    // Version 5: photo blob uploads and claims (docs/sync-protocol.md, "Photos: blobs").
    if (next == 5) st = db_->Exec(BlobSchemaSql());
    // Version 6: the photo size each workspace's devices send (admin set-photo-size).
    if (next == 6) st = db_->Exec(PhotoSizeSchemaSql());
    // Version 7: the user the server authenticated for each side of a
    // conflict, so devices list a conflict to those involved (issue 14).
    if (next == 7) {
      st = db_->Exec("ALTER TABLE conflicts ADD COLUMN winner_user TEXT NOT NULL DEFAULT '';"
                     "ALTER TABLE conflicts ADD COLUMN loser_user TEXT NOT NULL DEFAULT ''");
    }
    // Version 8: the history keeps one row per entry (what one push changed
    // in one record), its fields in one JSON object (issue 14, docs/sync-v2.md).
    if (next == 8) st = db_->Exec(EntrySchemaSql());
    if (st.ok()) st = db_->Exec("PRAGMA user_version = " + std::to_string(next));
    if (st.ok()) st = txn.Commit();
    if (!st.ok()) {
      return st.WithContext("upgrading " + path_ + " to schema " + std::to_string(next));
    }
    current = next;
  }
  return Status::Ok();
}

}  // namespace ccfield::server
