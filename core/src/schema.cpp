#include "schema.h"

#include <atomic>

#include "ccfield/core/store.h"
#include "sqlite_db.h"
#include "store_internal.h"
#include "testing_hooks.h"

namespace ccfield {
namespace {

// Version 1: records, forms, change log. Never edit a released step; add one.
constexpr const char* kV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE forms(
  key TEXT PRIMARY KEY,             -- "drainage_flood@1.0"
  form_id TEXT NOT NULL,
  version TEXT NOT NULL,
  definition TEXT NOT NULL          -- JSON (docs/forms.md)
);
CREATE TABLE workspaces(
  id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  name TEXT, country TEXT, default_language TEXT);
CREATE TABLE members(
  id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  workspace_id TEXT REFERENCES workspaces(id) DEFERRABLE INITIALLY DEFERRED, name TEXT, role TEXT);
CREATE TABLE projects(
  id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  workspace_id TEXT REFERENCES workspaces(id) DEFERRABLE INITIALLY DEFERRED,
  title TEXT, summary TEXT, topic TEXT, sdg_targets TEXT, status TEXT);
CREATE TABLE sites(
  id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  workspace_id TEXT REFERENCES workspaces(id) DEFERRABLE INITIALLY DEFERRED,
  name TEXT, kind TEXT, ward TEXT, address TEXT, lat REAL, lon REAL);
CREATE TABLE visits(
  id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  workspace_id TEXT REFERENCES workspaces(id) DEFERRABLE INITIALLY DEFERRED,
  site_id TEXT REFERENCES sites(id) DEFERRABLE INITIALLY DEFERRED,
  project_id TEXT REFERENCES projects(id) DEFERRABLE INITIALLY DEFERRED,
  form TEXT, status TEXT, started_at TEXT,
  started_utc INTEGER,              -- derived from started_at, for ordering across offsets
  ended_at TEXT,
  inspector_id TEXT REFERENCES members(id) DEFERRABLE INITIALLY DEFERRED,
  gps_lat REAL, gps_lon REAL, gps_accuracy_m REAL, gps_source TEXT, weather TEXT, condition_rating TEXT,
  follow_up_needed INTEGER, follow_up_action TEXT, follow_up_priority TEXT, follow_up_due TEXT,
  notes TEXT, language TEXT, sdg_targets TEXT,
  answers TEXT NOT NULL DEFAULT '{}'  -- JSON object: form field id -> answer
);
CREATE INDEX visits_by_started ON visits(started_utc);
CREATE INDEX visits_by_site ON visits(site_id, started_utc);
CREATE INDEX visits_by_project ON visits(project_id, started_utc);
CREATE INDEX visits_by_follow_up ON visits(follow_up_due) WHERE follow_up_needed = 1;
CREATE TABLE practices(
  id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  title TEXT, city TEXT, country TEXT, problem TEXT, solution TEXT, results TEXT, contact_role TEXT,
  topics TEXT, sdg_targets TEXT, language TEXT);
CREATE TABLE contacts(
  id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  name TEXT, role TEXT, organisation TEXT, expertise TEXT, languages TEXT);
-- One row per changed field. (device_id, device_seq) identifies a change
-- everywhere, which makes sync idempotent.
CREATE TABLE change_log(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  device_seq INTEGER NOT NULL,
  device_time TEXT NOT NULL,
  author TEXT NOT NULL,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT,                       -- JSON of the new value
  created INTEGER NOT NULL DEFAULT 0,
  UNIQUE(device_id, device_seq)
);
CREATE INDEX change_log_by_record ON change_log(record_id, seq);
)sql";

// Version 2: full-text search. search_docs maps records to FTS rowids so an
// entry is replaced by rowid (fast) rather than by scanning UNINDEXED columns.
constexpr const char* kV2 = R"sql(
CREATE TABLE search_docs(
  docid INTEGER PRIMARY KEY,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE search_fts USING fts5(
  title, body,
  tokenize = "unicode61 remove_diacritics 2"
);
)sql";

// Version 3: sync state. Each own change gets its base (the server version of
// the field it was made on) and a state; field_versions remembers the server
// version of every field this device has; conflicts come from the server.
constexpr const char* kV3 = R"sql(
ALTER TABLE change_log ADD COLUMN base_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE change_log ADD COLUMN sync_state TEXT NOT NULL DEFAULT 'waiting';
ALTER TABLE change_log ADD COLUMN server_version INTEGER;
ALTER TABLE change_log ADD COLUMN reject_reason TEXT;
CREATE INDEX change_log_by_state ON change_log(sync_state, device_seq);
CREATE TABLE field_versions(
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY(record_id, field)
) WITHOUT ROWID;
CREATE TABLE conflicts(
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  workspace_id TEXT,
  field TEXT NOT NULL,
  base TEXT, winner TEXT, loser TEXT,          -- JSON values
  winner_device TEXT, loser_device TEXT, winner_author TEXT, loser_author TEXT, loser_time TEXT,
  winner_version INTEGER NOT NULL DEFAULT 0,
  resolved INTEGER NOT NULL DEFAULT 0,
  resolved_by INTEGER NOT NULL DEFAULT 0,
  resolving_locally INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conflicts_by_record ON conflicts(record_id, field);
)sql";

// Version 4: editor drafts, outside the change log (see Store::SaveDraft).
constexpr const char* kV4 = R"sql(
CREATE TABLE drafts(key TEXT PRIMARY KEY, body TEXT NOT NULL, saved_at TEXT NOT NULL);
)sql";

// Version 5: partial indexes for the home screen's questions, which otherwise
// read every visit (measured 300 ms at 100k visits): visits in progress, open
// follow-ups in due order, and the count of live visits.
constexpr const char* kV5 = R"sql(
CREATE INDEX visits_in_progress ON visits(started_utc) WHERE status = 'draft' AND deleted = 0;
CREATE INDEX visits_open_follow_ups ON visits(follow_up_due IS NULL, follow_up_due, follow_up_priority)
  WHERE follow_up_needed = 1 AND deleted = 0;
CREATE INDEX visits_live ON visits(id) WHERE deleted = 0;
)sql";

// Version 6: demo data is local. demo_records lists the records of the demo
// data set and everything made in its workspaces; their change-log entries
// are in state 'demo' and never sent. Existing demo records are found from
// the data set compiled in (MarkDemoRecords).
//
// record_state counts, per record, its change-log entries in the states a
// person must see (unsent = waiting or sent, refused, demo), kept by triggers
// in the same transaction as every change-log write, so lists and Home read
// one small row per record instead of the unsent change log (2.5 M rows on
// a store that never synced). A record with all three at zero has no row.
constexpr const char* kV6 = R"sql(
CREATE TABLE demo_records(record_id TEXT PRIMARY KEY, record_type TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE record_state(
  record_id TEXT PRIMARY KEY,
  record_type TEXT NOT NULL,
  unsent INTEGER NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  demo INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX record_state_by_type ON record_state(record_type);
)sql";

// Created after MarkDemoRecords, then record_state is filled from the log
// (kV6Fill). Schema 11 creates the same triggers on its new change_log.
constexpr const char* kV6Triggers = R"sql(
CREATE TRIGGER change_log_state_insert AFTER INSERT ON change_log
WHEN NEW.sync_state IN ('waiting', 'sent', 'rejected', 'demo')
BEGIN
  INSERT INTO record_state(record_id, record_type, unsent, refused, demo)
  VALUES(NEW.record_id, NEW.record_type, NEW.sync_state IN ('waiting', 'sent'), NEW.sync_state = 'rejected',
         NEW.sync_state = 'demo')
  ON CONFLICT(record_id) DO UPDATE SET unsent = unsent + excluded.unsent, refused = refused + excluded.refused,
                                      demo = demo + excluded.demo;
END;
CREATE TRIGGER change_log_state_update AFTER UPDATE OF sync_state ON change_log
WHEN OLD.sync_state IS NOT NEW.sync_state
BEGIN
  INSERT INTO record_state(record_id, record_type, unsent, refused, demo)
  VALUES(NEW.record_id, NEW.record_type,
         (NEW.sync_state IN ('waiting', 'sent')) - (OLD.sync_state IN ('waiting', 'sent')),
         (NEW.sync_state = 'rejected') - (OLD.sync_state = 'rejected'),
         (NEW.sync_state = 'demo') - (OLD.sync_state = 'demo'))
  ON CONFLICT(record_id) DO UPDATE SET unsent = unsent + excluded.unsent, refused = refused + excluded.refused,
                                      demo = demo + excluded.demo;
  DELETE FROM record_state WHERE record_id = NEW.record_id AND unsent = 0 AND refused = 0 AND demo = 0;
END;
CREATE TRIGGER change_log_state_delete AFTER DELETE ON change_log
WHEN OLD.sync_state IN ('waiting', 'sent', 'rejected', 'demo')
BEGIN
  UPDATE record_state SET unsent = unsent - (OLD.sync_state IN ('waiting', 'sent')),
                          refused = refused - (OLD.sync_state = 'rejected'),
                          demo = demo - (OLD.sync_state = 'demo')
  WHERE record_id = OLD.record_id;
  DELETE FROM record_state WHERE record_id = OLD.record_id AND unsent = 0 AND refused = 0 AND demo = 0;
END;
)sql";
constexpr const char* kV6Fill = R"sql(
INSERT INTO record_state(record_id, record_type, unsent, refused, demo)
  SELECT record_id, min(record_type), sum(sync_state IN ('waiting', 'sent')), sum(sync_state = 'rejected'),
         sum(sync_state = 'demo')
  FROM change_log WHERE sync_state IN ('waiting', 'sent', 'rejected', 'demo') GROUP BY record_id;
)sql";

// Version 7: a shared tablet (issue 10 #5). Each own change remembers the
// account it was made under (the user name signed in, or last signed in, at
// the time; NULL when nobody had signed in yet: the first account to sign in
// claims those). A sync sends only the signed-in account's changes.
// account_workspaces holds the workspaces each account is a member of, as the
// server last said; hidden_workspaces (the one place of the rule) lists the
// workspaces whose records the current account must not see, and
// own_unsent_records the records it still sees there because its own unsent
// or refused changes are on them. Demo workspaces are never hidden. Existing
// own changes belong to the account saved in the file.
// Schema 8: who the server says pushed a received change (issue 10, 10a).
constexpr const char* kV8 = R"sql(
ALTER TABLE change_log ADD COLUMN pushed_by TEXT NOT NULL DEFAULT '';
)sql";

// Version 9: photos (issue 12). `photos` holds the photo records (synced like
// any record); the rest is this device's own bookkeeping, never synced:
// - blob_transfers: the photo queue, one row per blob to move (up or down,
//   per workspace), with the bytes done so far and the last error;
// - photo_originals: the original file of a photo taken or picked here,
//   kept in the blob directory until its send copy is on the server (and
//   after, when the person keeps originals);
// - data_usage: bytes on the wire per month, records and photos, up and down;
// - workspace_photo_sizes: the long edge of the send copies each workspace
//   asks for (the platform's setting, as the server last said).
// (Record tables of earlier steps get no new columns: tests build files of
// earlier schemas with today's record writer.)
constexpr const char* kV9 = R"sql(
CREATE TABLE workspace_photo_sizes(workspace_id TEXT PRIMARY KEY, long_edge INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE photos(
  id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  workspace_id TEXT REFERENCES workspaces(id) DEFERRABLE INITIALLY DEFERRED,
  visit_id TEXT REFERENCES visits(id) DEFERRABLE INITIALLY DEFERRED,
  site_id TEXT REFERENCES sites(id) DEFERRABLE INITIALLY DEFERRED,
  blob TEXT, thumb TEXT, mime TEXT, bytes INTEGER, thumb_bytes INTEGER, width INTEGER, height INTEGER,
  taken_at TEXT, lat REAL, lon REAL, position_source TEXT, caption TEXT, file_name TEXT);
CREATE INDEX photos_by_visit ON photos(visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX photos_by_site ON photos(site_id) WHERE site_id IS NOT NULL;
CREATE INDEX photos_by_blob ON photos(blob);
CREATE INDEX photos_by_thumb ON photos(thumb);
CREATE TABLE blob_transfers(
  hash TEXT NOT NULL,
  direction TEXT NOT NULL,          -- 'up' | 'down'
  workspace_id TEXT NOT NULL,
  kind TEXT NOT NULL,               -- 'thumb' | 'full'
  size INTEGER NOT NULL,            -- the whole blob, bytes (0 when not known yet)
  done INTEGER NOT NULL DEFAULT 0,  -- bytes the other side confirmed (up) or on disk (down)
  state TEXT NOT NULL DEFAULT 'waiting',  -- 'waiting' | 'done' | 'failed'
  error TEXT,
  wanted INTEGER NOT NULL DEFAULT 0,      -- a person asked for it (download now / send now)
  queued_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY(hash, direction, workspace_id)
) WITHOUT ROWID;
CREATE INDEX blob_transfers_waiting ON blob_transfers(direction, state, kind, queued_ms);
CREATE TABLE photo_originals(
  photo_id TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  bytes INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE data_usage(
  month TEXT NOT NULL,              -- 2026-12 (UTC)
  kind TEXT NOT NULL,               -- 'records' | 'photos'
  up INTEGER NOT NULL DEFAULT 0,
  down INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(month, kind)
) WITHOUT ROWID;
)sql";

// Version 10: the user the server authenticated for each side of a
// conflict (server schema 7), so a device lists a conflict to those involved
// (ConflictIsMine, issue 14). '' for conflicts from before and older servers.
constexpr const char* kV10 = R"sql(
ALTER TABLE conflicts ADD COLUMN winner_user TEXT NOT NULL DEFAULT '';
ALTER TABLE conflicts ADD COLUMN loser_user TEXT NOT NULL DEFAULT '';
)sql";

constexpr const char* kV7 = R"sql(
ALTER TABLE change_log ADD COLUMN account TEXT;
UPDATE change_log SET account = (SELECT nullif(value, '') FROM meta WHERE key = 'sync_username')
  WHERE device_id = (SELECT value FROM meta WHERE key = 'device_id');
CREATE TABLE account_workspaces(
  account TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  role TEXT,
  PRIMARY KEY(account, workspace_id)
) WITHOUT ROWID;
-- Workspaces an account was a member of and the server no longer lists:
-- their local copy goes once nothing of theirs is unsent or refused.
CREATE TABLE left_workspaces(
  account TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY(account, workspace_id)
) WITHOUT ROWID;
CREATE VIEW hidden_workspaces AS
  SELECT w.id AS id FROM workspaces w, meta u, meta k
  WHERE u.key = 'sync_username' AND u.value <> '' AND k.key = 'memberships_account' AND k.value = u.value
    AND w.id NOT IN (SELECT workspace_id FROM account_workspaces WHERE account = u.value)
    AND w.id NOT IN (SELECT record_id FROM demo_records);
CREATE VIEW own_unsent_records AS
  SELECT record_id FROM change_log
  WHERE sync_state IN ('waiting', 'sent', 'rejected')
    AND account = (SELECT value FROM meta WHERE key = 'sync_username');
)sql";

// Version 11 (issue 14): one change-log entry per record per commit. A row
// holds what one commit changed in one record: `fields`, a JSON object of
// field -> new value (the fields in the order they were written: record
// fields before form answers; "_deleted" is a field), and `bases`, a JSON
// object of field -> the server version the edit was made on, for the fields
// whose base is not 0 (NULL when none is). The rest is shared by the fields:
// origin, state, server version, refusal reason or clock flag, account.
// (device_id, device_seq) still names an entry everywhere.
//
// Before, the log had a row per field: ~25 rows per new visit, each
// repeating the record, the origin and its index entries (69 % of a store's
// bytes). Old rows become one-field entries with their seq, device_seq,
// states and versions; record_state counted rows and now counts entries,
// which is the same number for them. The triggers and the view that read the
// log are made again on the new table.
constexpr const char* kV11 = R"sql(
DROP VIEW own_unsent_records;
CREATE TABLE change_log_v11(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  device_seq INTEGER NOT NULL,
  device_time TEXT NOT NULL,
  author TEXT NOT NULL,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  created INTEGER NOT NULL DEFAULT 0,
  fields TEXT NOT NULL,             -- JSON object: field -> new value
  bases TEXT,                       -- JSON object: field -> base version (> 0 only); NULL: all 0
  sync_state TEXT NOT NULL DEFAULT 'waiting',
  server_version INTEGER,
  reject_reason TEXT,
  account TEXT,
  pushed_by TEXT NOT NULL DEFAULT '',
  UNIQUE(device_id, device_seq)
);
-- The stored value text goes in as it is (a damaged one stays damaged and is
-- set aside when read, as before), hence text, not json().
INSERT INTO change_log_v11(seq, device_id, device_seq, device_time, author, record_type, record_id, created, fields,
                           bases, sync_state, server_version, reject_reason, account, pushed_by)
  SELECT seq, device_id, device_seq, device_time, author, record_type, record_id, created,
         '{' || json_quote(field) || ':' || coalesce(value, 'null') || '}',
         CASE WHEN base_version > 0 THEN '{' || json_quote(field) || ':' || base_version || '}' END,
         sync_state, server_version, reject_reason, account, pushed_by
  FROM change_log ORDER BY seq;
-- New seqs go on after the highest ever given (rows may have been removed).
DELETE FROM sqlite_sequence WHERE name = 'change_log_v11';
INSERT INTO sqlite_sequence(name, seq) SELECT 'change_log_v11', seq FROM sqlite_sequence WHERE name = 'change_log';
DROP TABLE change_log;
ALTER TABLE change_log_v11 RENAME TO change_log;
CREATE INDEX change_log_by_record ON change_log(record_id, seq);
CREATE INDEX change_log_by_state ON change_log(sync_state, device_seq);
CREATE VIEW own_unsent_records AS
  SELECT record_id FROM change_log
  WHERE sync_state IN ('waiting', 'sent', 'rejected')
    AND account = (SELECT value FROM meta WHERE key = 'sync_username');
)sql";

// Version 12 (issue 14): the search index is kept off the save path. A save
// queues the record here, in its own transaction; the store indexes the
// queue before a search and when the window is idle (search_index.cpp). `n`
// is the change log's last seq when the record was queued: the queue is
// indexed in that order, so the newest saves get the newest FTS rowids. One
// b-tree (keyed by record), one page touched per save.
constexpr const char* kV12 = R"sql(
CREATE TABLE search_pending(
  record_id TEXT PRIMARY KEY,
  record_type TEXT NOT NULL,
  n INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

}  // namespace

namespace {

std::atomic<int> g_schema_version_limit{0};

// The SQL of the step that brings the file from `next - 1` to `next`.
Status ApplyStep(sql::Db* db, int next, const std::function<std::string()>& new_device_id,
                 const std::function<Status()>& reindex) {
  switch (next) {
    case 1: {
      CCF_RETURN_IF_ERROR(db->Exec(kV1));
      CCF_ASSIGN_OR_RETURN(sql::Stmt ins,
                           db->Prepare("INSERT INTO meta(key, value) VALUES('device_id', ?), ('device_seq', '0')"));
      return ins.Bind(1, new_device_id()).Run();
    }
    case 2:
      CCF_RETURN_IF_ERROR(db->Exec(kV2));
      return reindex();
    case 3: return db->Exec(kV3);
    case 4: return db->Exec(kV4);
    case 5: return db->Exec(kV5);
    case 6:
      CCF_RETURN_IF_ERROR(db->Exec(kV6));
      CCF_RETURN_IF_ERROR(internal::MarkDemoRecords(db));
      CCF_RETURN_IF_ERROR(db->Exec(kV6Triggers));
      return db->Exec(kV6Fill);
    case 7: return db->Exec(kV7);
    case 8: return db->Exec(kV8);
    case 9: return db->Exec(kV9);
    case 10: return db->Exec(kV10);
    case 11:
      CCF_RETURN_IF_ERROR(db->Exec(kV11));
      return db->Exec(kV6Triggers);
    case 12: return db->Exec(kV12);
    default: return Status::Internal("no schema step " + std::to_string(next));
  }
}

Result<int> UserVersion(sql::Db* db) {  // the statement ends before any COMMIT
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("PRAGMA user_version"));
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? static_cast<int>(q.Int(0)) : 0;
}

}  // namespace

namespace testing_hooks {
void SetSchemaVersionLimit(int version) { g_schema_version_limit = version; }
int SchemaVersionLimit() { return g_schema_version_limit; }
}  // namespace testing_hooks

Status Migrate(sql::Db* db, int target, const std::function<std::string()>& new_device_id,
               const std::function<Status()>& reindex, int* version) {
  if (target == 0) target = kSchemaVersion;
  CCF_ASSIGN_OR_RETURN(int current, UserVersion(db));
  if (current > kSchemaVersion) {
    return Status::Corrupt("the data file was made by a newer ccfield (schema " + std::to_string(current) +
                           "); update the app to open it");
  }
  while (current < target) {
    const int next = current + 1;
    CCF_ASSIGN_OR_RETURN(sql::Txn txn, sql::Txn::Begin(db));
    // Another process (the window and a CLI command, say) may have upgraded
    // the file while we waited for the write lock: read the version again.
    CCF_ASSIGN_OR_RETURN(int now, UserVersion(db));
    if (now >= next) {
      CCF_RETURN_IF_ERROR(txn.Commit());
      current = now;
      continue;
    }
    Status st = ApplyStep(db, next, new_device_id, reindex);
    if (st.ok()) st = db->Exec("PRAGMA user_version = " + std::to_string(next));
    if (st.ok()) st = txn.Commit();
    if (!st.ok()) return st.WithContext("upgrading the data file to schema " + std::to_string(next));
    current = next;
  }
  *version = current;
  return Status::Ok();
}

}  // namespace ccfield
