#include "sqlite_storage.h"

#include <utility>

namespace ccfield::server {

using nlohmann::json;

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

// JSON to the text kept in the file. Never throws: values were checked for
// UTF-8 on the way in; anything else is replaced rather than lost.
std::string JsonText(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<json> StoredJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corrupt("server.db holds a value that is not JSON: " + text.substr(0, 80));
  return j;
}

Result<HistoryOutcome> ParseOutcome(const std::string& s) {
  if (s == "applied") return HistoryOutcome::kApplied;
  if (s == "merged") return HistoryOutcome::kMerged;
  if (s == "kept_out") return HistoryOutcome::kKeptOut;
  return Status::Corrupt("server.db holds an unknown change outcome \"" + s + "\"");
}

constexpr const char* kChangeColumns =
    "version, type, record_id, workspace_id, field, value, device_id, device_seq, device_time, author, created, "
    "outcome, clock_flag, user_id, ack";

Result<HistoryEntry> ReadChange(const sql::Stmt& s) {
  HistoryEntry e;
  e.version = s.Int(0);
  e.type = s.Text(1);
  e.record_id = s.Text(2);
  e.workspace_id = s.Text(3);
  e.field = s.Text(4);
  CCF_ASSIGN_OR_RETURN(e.value, StoredJson(s.Text(5)));
  e.device_id = s.Text(6);
  e.device_seq = s.Int(7);
  e.time = s.Text(8);
  e.author = s.Text(9);
  e.created = s.Int(10) != 0;
  CCF_ASSIGN_OR_RETURN(e.outcome, ParseOutcome(s.Text(11)));
  e.clock_flag = s.Text(12);
  e.user_id = s.Text(13);
  e.ack = s.Text(14);
  return e;
}

constexpr const char* kConflictColumns =
    "id, version, type, record_id, workspace_id, field, base, winner, loser, winner_device, loser_device, "
    "winner_author, loser_author, loser_time, winner_version, resolved, resolved_by";

Result<sync::Conflict> ReadConflict(const sql::Stmt& s) {
  sync::Conflict c;
  c.id = s.Text(0);
  c.version = s.Int(1);
  c.type = s.Text(2);
  c.record_id = s.Text(3);
  c.workspace_id = s.Text(4);
  c.field = s.Text(5);
  CCF_ASSIGN_OR_RETURN(c.base, StoredJson(s.Text(6)));
  CCF_ASSIGN_OR_RETURN(c.winner, StoredJson(s.Text(7)));
  CCF_ASSIGN_OR_RETURN(c.loser, StoredJson(s.Text(8)));
  c.winner_device = s.Text(9);
  c.loser_device = s.Text(10);
  c.winner_author = s.Text(11);
  c.loser_author = s.Text(12);
  c.loser_time = s.Text(13);
  c.winner_version = s.Int(14);
  c.resolved = s.Int(15) != 0;
  c.resolved_by = s.Int(16);
  return c;
}

UserRow ReadUser(const sql::Stmt& s) {
  return UserRow{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0, s.Int(4), s.Int(5) != 0};
}
DeviceRow ReadDevice(const sql::Stmt& s) {
  return DeviceRow{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0, s.Int(4), s.Int(5), s.Int(6), s.Text(7)};
}
TokenRow ReadToken(const sql::Stmt& s) {
  return TokenRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5), s.Int(6) != 0};
}

// "?, ?, ?" for n parameters.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

}  // namespace

// A cached statement in use; resets it (and its bindings) when done so that
// no read stays open across a COMMIT.
class SqliteStorage::Query {
 public:
  explicit Query(sql::Stmt* s) : s_(s) {}
  Query(Query&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Query& operator=(Query&&) = delete;
  ~Query() {
    if (s_) s_->Reset();
  }
  sql::Stmt* operator->() { return s_; }
  sql::Stmt& operator*() { return *s_; }

 private:
  sql::Stmt* s_;
};

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::Open(const std::string& path, int busy_timeout_ms,
                                                           const std::string& vfs) {
  std::unique_ptr<SqliteStorage> s(new SqliteStorage());
  CCF_RETURN_IF_ERROR(s->Init(path, busy_timeout_ms, vfs));
  return s;
}

SqliteStorage::~SqliteStorage() {
  cache_.clear();  // finalize statements before the connection closes
}

Status SqliteStorage::Init(const std::string& path, int busy_timeout_ms, const std::string& vfs) {
  path_ = path;
  sql::OpenOptions oo;
  oo.path = path;
  oo.vfs = vfs;
  oo.busy_timeout_ms = busy_timeout_ms;
  CCF_ASSIGN_OR_RETURN(db_, sql::Db::Open(oo));
  {
    // The first real read of the file: reports a foreign or damaged file.
    CCF_ASSIGN_OR_RETURN(sql::Stmt wal, db_->Prepare("PRAGMA journal_mode = WAL"));
    Result<bool> r = wal.Step();
    if (!r.ok()) return r.status().WithContext("opening " + path_);
    if (!*r || wal.Text(0) != "wal") {
      return Status::IoError("opening " + path_ + ": the file system does not support write-ahead logging");
    }
  }
  CCF_RETURN_IF_ERROR(db_->Exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"));
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT (SELECT count(*) FROM sqlite_schema), "
                                                   "(SELECT count(*) FROM sqlite_schema WHERE name = 'server_meta')"));
    Result<bool> r = q.Step();
    if (!r.ok()) return r.status().WithContext("reading " + path_);
    if (q.Int(0) > 0 && q.Int(1) == 0) {
      return Status::Corrupt("opening " + path_ + ": this SQLite file is not a ccfield server database");
    }
  }
  return Migrate();
}

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
    CCF_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    Status st;
    if (next == 1) st = db_->Exec(kV1);
    // Version 2: the device secret (hash) binds a device id to the device
    // that registered it (docs/security.md).
    if (next == 2) st = db_->Exec("ALTER TABLE devices ADD COLUMN secret_hash TEXT NOT NULL DEFAULT ''");
    // Version 3: users can be disabled (admin disable-user).
    if (next == 3) st = db_->Exec(PeopleSchemaSql());
    // Version 4: quota usage, device cursors, history expiry (docs/retention.md).
    if (next == 4) st = db_->Exec(RetentionSchemaSql());
    if (st.ok()) st = db_->Exec("PRAGMA user_version = " + std::to_string(next));
    if (st.ok()) st = db_->Exec("COMMIT");
    if (!st.ok()) {
      (void)db_->Exec("ROLLBACK");
      return st.WithContext("upgrading " + path_ + " to schema " + std::to_string(next));
    }
    current = next;
  }
  return Status::Ok();
}

Result<SqliteStorage::Query> SqliteStorage::Q(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt s, db_->Prepare(sql));
    it = cache_.emplace(sql, std::move(s)).first;
  }
  return Query(&it->second);
}

Status SqliteStorage::WriteGuard() const {
  if (broken_) {
    return Status::ReadOnly("an earlier write to " + path_ + " failed in a way that needs the server restarted");
  }
  if (!in_tx_) return Status::Internal("a write outside a transaction");
  return Status::Ok();
}

// ---- Transactions -------------------------------------------------------

Status SqliteStorage::Begin() {
  if (broken_) {
    return Status::ReadOnly("an earlier write to " + path_ + " failed in a way that needs the server restarted");
  }
  if (in_tx_) return Status::Internal("a transaction is already open");
  CCF_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  in_tx_ = true;
  return Status::Ok();
}

Status SqliteStorage::Commit() {
  if (!in_tx_) return Status::Internal("commit without a transaction");
  in_tx_ = false;
  Status st = db_->Exec("COMMIT");
  if (!st.ok()) {
    if (db_->InTransaction()) (void)db_->Exec("ROLLBACK");
    // Disk full and busy roll back cleanly; anything else leaves the outcome unknown.
    if (st.code() != Code::kDiskFull && st.code() != Code::kBusy) broken_ = true;
  }
  return st;
}

void SqliteStorage::Rollback() {
  if (!in_tx_) return;
  in_tx_ = false;
  if (db_->InTransaction()) (void)db_->Exec("ROLLBACK");
}

// ---- ServerVersion ------------------------------------------------------

Result<ServerVersion> SqliteStorage::CurrentVersion() {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT value FROM server_meta WHERE key = 'server_version'"));
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status::Corrupt(path_ + " has no version counter");
  return q->Int(0);
}

Result<ServerVersion> SqliteStorage::NextVersion() {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q,
                       Q("UPDATE server_meta SET value = value + 1 WHERE key = 'server_version' RETURNING value"));
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return Status::Corrupt(path_ + " has no version counter");
  ServerVersion v = q->Int(0);
  CCF_RETURN_IF_ERROR(q->Run());  // finish the statement so the update completes
  return v;
}

// ---- History ------------------------------------------------------------

Result<std::optional<HistoryEntry>> SqliteStorage::FindChange(const std::string& device_id, DeviceSeq seq) {
  static const std::string sql =
      std::string("SELECT ") + kChangeColumns + " FROM changes WHERE device_id = ? AND device_seq = ?";
  CCF_ASSIGN_OR_RETURN(Query q, Q(sql.c_str()));
  q->Bind(1, device_id).Bind(2, seq);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<HistoryEntry>();
  CCF_ASSIGN_OR_RETURN(HistoryEntry e, ReadChange(*q));
  return std::optional<HistoryEntry>(std::move(e));
}

Result<std::optional<HistoryEntry>> SqliteStorage::ChangeAtVersion(ServerVersion version) {
  static const std::string sql = std::string("SELECT ") + kChangeColumns + " FROM changes WHERE version = ? LIMIT 1";
  CCF_ASSIGN_OR_RETURN(Query q, Q(sql.c_str()));
  q->Bind(1, version);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<HistoryEntry>();
  CCF_ASSIGN_OR_RETURN(HistoryEntry e, ReadChange(*q));
  return std::optional<HistoryEntry>(std::move(e));
}

Status SqliteStorage::AppendChange(const HistoryEntry& e) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO changes(version, type, record_id, workspace_id, field, value, "
                                  "device_id, device_seq, device_time, author, created, outcome, clock_flag, "
                                  "user_id, ack) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  q->Bind(1, e.version)
      .Bind(2, e.type)
      .Bind(3, e.record_id)
      .Bind(4, e.workspace_id)
      .Bind(5, e.field)
      .Bind(6, JsonText(e.value))
      .Bind(7, e.device_id)
      .Bind(8, e.device_seq)
      .Bind(9, e.time)
      .Bind(10, e.author)
      .Bind(11, e.created ? 1 : 0)
      .Bind(12, HistoryOutcomeName(e.outcome))
      .Bind(13, e.clock_flag)
      .Bind(14, e.user_id)
      .Bind(15, e.ack);
  return q->Run();
}

Result<json> SqliteStorage::ValueAt(const std::string& record_id, const std::string& field, ServerVersion version) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT value FROM changes WHERE record_id = ? AND field = ? AND version > 0 "
                                  "AND version <= ? AND outcome = 'applied' ORDER BY version DESC LIMIT 1"));
  q->Bind(1, record_id).Bind(2, field).Bind(3, version);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return json();
  return StoredJson(q->Text(0));
}

Result<std::optional<ServerStorage::OwnChange>> SqliteStorage::LatestOwnChange(const std::string& record_id,
                                                                              const std::string& field,
                                                                              const std::string& device_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT value, version FROM changes WHERE record_id = ? AND field = ? "
                                  "AND device_id = ? AND version > 0 ORDER BY version DESC LIMIT 1"));
  q->Bind(1, record_id).Bind(2, field).Bind(3, device_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<OwnChange>();
  const ServerVersion version = q->Int(1);
  CCF_ASSIGN_OR_RETURN(json value, StoredJson(q->Text(0)));
  return std::optional<OwnChange>(OwnChange{std::move(value), version});
}

Result<ServerVersion> SqliteStorage::MaxVersionByOthers(const std::string& record_id, const std::string& device_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT MAX(version) FROM changes WHERE record_id = ? AND device_id <> ? "
                                  "AND outcome = 'applied'"));
  q->Bind(1, record_id).Bind(2, device_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row || q->IsNull(0)) return ServerVersion{0};
  return q->Int(0);
}

Result<std::vector<HistoryEntry>> SqliteStorage::ChangesAfter(const PullQuery& pq) {
  std::vector<HistoryEntry> out;
  if (pq.limit <= 0) return out;
  std::string sql = std::string("SELECT ") + kChangeColumns +
                    " FROM changes c WHERE version > ? AND outcome = 'applied' AND device_id <> ? "
                    "AND NOT EXISTS (SELECT 1 FROM fields f WHERE f.record_id = c.record_id AND f.field = c.field "
                    "AND f.device_id = ? AND f.version > c.version) "
                    "AND workspace_id IN (" +
                    Placeholders(pq.workspaces.size() + 1) + ") ORDER BY version LIMIT ?";
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(sql));
  q.Bind(1, pq.after).Bind(2, pq.device_id).Bind(3, pq.device_id).Bind(4, "");
  int i = 5;
  for (const std::string& ws : pq.workspaces) q.Bind(i++, ws);
  q.Bind(i, pq.limit);
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    CCF_ASSIGN_OR_RETURN(HistoryEntry e, ReadChange(q));
    out.push_back(std::move(e));
  }
  return out;
}

// ---- Current state ------------------------------------------------------

Result<StoredField> SqliteStorage::GetField(const std::string& record_id, const std::string& field) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT value, version, device_id, author, device_time FROM fields "
                                  "WHERE record_id = ? AND field = ?"));
  q->Bind(1, record_id).Bind(2, field);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  StoredField f;
  if (!row) return f;
  f.state.exists = true;
  CCF_ASSIGN_OR_RETURN(f.state.value, StoredJson(q->Text(0)));
  f.state.version = q->Int(1);
  f.state.device_id = q->Text(2);
  f.author = q->Text(3);
  f.time = q->Text(4);
  return f;
}

Status SqliteStorage::SetField(const std::string& record_id, const std::string& field, const StoredField& f) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO fields(record_id, field, value, version, device_id, author, "
                                  "device_time) VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(record_id, field) DO UPDATE "
                                  "SET value = excluded.value, version = excluded.version, device_id = "
                                  "excluded.device_id, author = excluded.author, device_time = excluded.device_time"));
  q->Bind(1, record_id)
      .Bind(2, field)
      .Bind(3, JsonText(f.state.value))
      .Bind(4, f.state.version)
      .Bind(5, f.state.device_id)
      .Bind(6, f.author)
      .Bind(7, f.time);
  return q->Run();
}

Result<std::optional<RecordMeta>> SqliteStorage::GetRecord(const std::string& record_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, type, workspace_id, deleted, deleted_version, deleted_by_device "
                                  "FROM records WHERE id = ?"));
  q->Bind(1, record_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<RecordMeta>();
  return std::optional<RecordMeta>(
      RecordMeta{q->Text(0), q->Text(1), q->Text(2), q->Int(3) != 0, q->Int(4), q->Text(5)});
}

Status SqliteStorage::CreateRecord(const RecordMeta& m) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO records(id, type, workspace_id, deleted, deleted_version, "
                                  "deleted_by_device) VALUES(?, ?, ?, 0, 0, '')"));
  q->Bind(1, m.id).Bind(2, m.type).Bind(3, m.workspace_id);
  return q->Run();
}

Result<std::vector<RecordMeta>> SqliteStorage::RecordsOf(const std::string& type, const std::string& workspace_id) {
  // rowid grows with each insert and records are never removed: creation order.
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, type, workspace_id, deleted, deleted_version, deleted_by_device "
                                  "FROM records WHERE type = ? AND workspace_id = ? ORDER BY rowid"));
  q->Bind(1, type).Bind(2, workspace_id);
  std::vector<RecordMeta> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(RecordMeta{q->Text(0), q->Text(1), q->Text(2), q->Int(3) != 0, q->Int(4), q->Text(5)});
  }
  return out;
}

Status SqliteStorage::SetDeleted(const std::string& record_id, bool deleted, ServerVersion version,
                                 const std::string& device_id) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE records SET deleted = ?, deleted_version = ?, deleted_by_device = ? "
                                  "WHERE id = ?"));
  q->Bind(1, deleted ? 1 : 0).Bind(2, deleted ? version : 0).Bind(3, deleted ? device_id : "").Bind(4, record_id);
  return q->Run();
}

// ---- Conflicts ----------------------------------------------------------

Status SqliteStorage::CreateConflict(const sync::Conflict& c) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO conflicts(id, version, type, record_id, workspace_id, field, base, "
                                  "winner, loser, winner_device, loser_device, winner_author, loser_author, "
                                  "loser_time, winner_version, resolved, resolved_by) "
                                  "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  q->Bind(1, c.id)
      .Bind(2, c.version)
      .Bind(3, c.type)
      .Bind(4, c.record_id)
      .Bind(5, c.workspace_id)
      .Bind(6, c.field)
      .Bind(7, JsonText(c.base))
      .Bind(8, JsonText(c.winner))
      .Bind(9, JsonText(c.loser))
      .Bind(10, c.winner_device)
      .Bind(11, c.loser_device)
      .Bind(12, c.winner_author)
      .Bind(13, c.loser_author)
      .Bind(14, c.loser_time)
      .Bind(15, c.winner_version)
      .Bind(16, c.resolved ? 1 : 0)
      .Bind(17, c.resolved_by);
  return q->Run();
}

Result<std::vector<sync::Conflict>> SqliteStorage::OpenConflicts(const std::string& record_id,
                                                                 const std::string& field) {
  static const std::string sql = std::string("SELECT ") + kConflictColumns +
                                 " FROM conflicts WHERE record_id = ? AND field = ? AND resolved = 0 ORDER BY version";
  CCF_ASSIGN_OR_RETURN(Query q, Q(sql.c_str()));
  q->Bind(1, record_id).Bind(2, field);
  std::vector<sync::Conflict> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    CCF_ASSIGN_OR_RETURN(sync::Conflict c, ReadConflict(*q));
    out.push_back(std::move(c));
  }
  return out;
}

Status SqliteStorage::ResolveConflict(const std::string& conflict_id, ServerVersion resolved_by,
                                      ServerVersion new_version) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE conflicts SET resolved = 1, resolved_by = ?, version = ? WHERE id = ?"));
  q->Bind(1, resolved_by).Bind(2, new_version).Bind(3, conflict_id);
  return q->Run();
}

Result<std::vector<sync::Conflict>> SqliteStorage::ConflictsAfter(ServerVersion after,
                                                                  const std::vector<std::string>& workspaces,
                                                                  int limit) {
  std::vector<sync::Conflict> out;
  if (limit <= 0 || workspaces.empty()) return out;
  std::string sql = std::string("SELECT ") + kConflictColumns +
                    " FROM conflicts WHERE version > ? AND workspace_id IN (" + Placeholders(workspaces.size()) +
                    ") ORDER BY version LIMIT ?";
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(sql));
  int i = 1;
  q.Bind(i++, after);
  for (const std::string& ws : workspaces) q.Bind(i++, ws);
  q.Bind(i, limit);
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    CCF_ASSIGN_OR_RETURN(sync::Conflict c, ReadConflict(q));
    out.push_back(std::move(c));
  }
  return out;
}

// ---- Users, devices, tokens, memberships ----------------------------------

Result<std::optional<UserRow>> SqliteStorage::FindUserByName(const std::string& username) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, username, password_hash, is_admin, created_ms, disabled FROM users "
                                  "WHERE username = ?"));
  q->Bind(1, username);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<UserRow>();
  return std::optional<UserRow>(ReadUser(*q));
}

Result<std::optional<UserRow>> SqliteStorage::FindUserById(const std::string& user_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, username, password_hash, is_admin, created_ms, disabled FROM users "
                                  "WHERE id = ?"));
  q->Bind(1, user_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<UserRow>();
  return std::optional<UserRow>(ReadUser(*q));
}

Status SqliteStorage::CreateUser(const UserRow& u) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO users(id, username, password_hash, is_admin, created_ms) "
                                  "VALUES(?, ?, ?, ?, ?)"));
  q->Bind(1, u.id).Bind(2, u.username).Bind(3, u.password_hash).Bind(4, u.admin ? 1 : 0).Bind(5, u.created_ms);
  Status st = q->Run();
  if (st.code() == Code::kConflict) return Status::Conflict("a user named \"" + u.username + "\" already exists");
  return st;
}

Status SqliteStorage::SetPasswordHash(const std::string& user_id, const std::string& hash) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE users SET password_hash = ? WHERE id = ?"));
  q->Bind(1, hash).Bind(2, user_id);
  return q->Run();
}

Result<std::optional<DeviceRow>> SqliteStorage::FindDevice(const std::string& device_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, user_id, name, revoked, registered_ms, last_seen_ms, last_sync_ms, "
                                  "secret_hash FROM devices WHERE id = ?"));
  q->Bind(1, device_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<DeviceRow>();
  return std::optional<DeviceRow>(ReadDevice(*q));
}

Status SqliteStorage::PutDevice(const DeviceRow& d) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO devices(id, user_id, name, revoked, registered_ms, last_seen_ms, "
                                  "last_sync_ms, secret_hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE "
                                  "SET user_id = excluded.user_id, name = excluded.name, "
                                  "last_seen_ms = excluded.last_seen_ms, secret_hash = CASE WHEN "
                                  "excluded.secret_hash != '' THEN excluded.secret_hash ELSE devices.secret_hash END"));
  q->Bind(1, d.id)
      .Bind(2, d.user_id)
      .Bind(3, d.name)
      .Bind(4, d.revoked ? 1 : 0)
      .Bind(5, d.registered_ms)
      .Bind(6, d.last_seen_ms)
      .Bind(7, d.last_sync_ms)
      .Bind(8, d.secret_hash);
  return q->Run();
}

Status SqliteStorage::SetDeviceRevoked(const std::string& device_id) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  {
    CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE devices SET revoked = 1 WHERE id = ?"));
    q->Bind(1, device_id);
    CCF_RETURN_IF_ERROR(q->Run());
  }
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE tokens SET revoked = 1 WHERE device_id = ?"));
  q->Bind(1, device_id);
  return q->Run();
}

Status SqliteStorage::SetDeviceLastSync(const std::string& device_id, int64_t server_ms) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE devices SET last_sync_ms = ? WHERE id = ?"));
  q->Bind(1, server_ms).Bind(2, device_id);
  return q->Run();
}

Result<std::vector<DeviceRow>> SqliteStorage::ListDevices() {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, user_id, name, revoked, registered_ms, last_seen_ms, last_sync_ms "
                                  "FROM devices ORDER BY registered_ms, id"));
  std::vector<DeviceRow> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(ReadDevice(*q));
  }
  return out;
}

Status SqliteStorage::CreateToken(const TokenRow& t) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO tokens(id, hash, user_id, device_id, created_ms, expires_ms, revoked) "
                                  "VALUES(?, ?, ?, ?, ?, ?, ?)"));
  q->Bind(1, t.id)
      .Bind(2, t.hash)
      .Bind(3, t.user_id)
      .Bind(4, t.device_id)
      .Bind(5, t.created_ms)
      .Bind(6, t.expires_ms)
      .Bind(7, t.revoked ? 1 : 0);
  return q->Run();
}

Result<std::optional<TokenRow>> SqliteStorage::FindTokenByHash(const std::string& hash) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, hash, user_id, device_id, created_ms, expires_ms, revoked FROM tokens "
                                  "WHERE hash = ?"));
  q->Bind(1, hash);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<TokenRow>();
  return std::optional<TokenRow>(ReadToken(*q));
}

Result<std::optional<TokenRow>> SqliteStorage::FindToken(const std::string& token_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, hash, user_id, device_id, created_ms, expires_ms, revoked FROM tokens "
                                  "WHERE id = ?"));
  q->Bind(1, token_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<TokenRow>();
  return std::optional<TokenRow>(ReadToken(*q));
}

Result<std::vector<TokenRow>> SqliteStorage::ListTokens(const std::string& user_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, hash, user_id, device_id, created_ms, expires_ms, revoked FROM tokens "
                                  "WHERE user_id = ? ORDER BY created_ms, id"));
  q->Bind(1, user_id);
  std::vector<TokenRow> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(ReadToken(*q));
  }
  return out;
}

Status SqliteStorage::RevokeToken(const std::string& token_id) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE tokens SET revoked = 1 WHERE id = ?"));
  q->Bind(1, token_id);
  return q->Run();
}

Result<std::vector<Membership>> SqliteStorage::MembershipsOf(const std::string& user_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT user_id, workspace_id, role, member_id FROM memberships WHERE user_id = ? "
                                  "ORDER BY workspace_id"));
  q->Bind(1, user_id);
  std::vector<Membership> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(Membership{q->Text(0), q->Text(1), q->Text(2), q->Text(3)});
  }
  return out;
}

Status SqliteStorage::PutMembership(const Membership& m) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO memberships(user_id, workspace_id, role, member_id) VALUES(?, ?, ?, ?) "
                                  "ON CONFLICT(user_id, workspace_id) DO UPDATE SET role = excluded.role, "
                                  "member_id = excluded.member_id"));
  q->Bind(1, m.user_id).Bind(2, m.workspace_id).Bind(3, m.role).Bind(4, m.member_id);
  return q->Run();
}

// ---- Login throttling ---------------------------------------------------

Result<ThrottleState> SqliteStorage::GetThrottle(const std::string& key) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT failures, window_start_ms, locked_until_ms, lock_count FROM login_throttle "
                                  "WHERE key = ?"));
  q->Bind(1, key);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  ThrottleState t;
  // window_start_ms holds the last failure, locked_until_ms the delay's end
  // (column names from the lock-out design; lock_count is no longer used).
  if (row) t = ThrottleState{static_cast<int>(q->Int(0)), q->Int(1), q->Int(2)};
  return t;
}

Status SqliteStorage::PutThrottle(const std::string& key, const ThrottleState& t) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO login_throttle(key, failures, window_start_ms, locked_until_ms, "
                                  "lock_count) VALUES(?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                                  "failures = excluded.failures, window_start_ms = excluded.window_start_ms, "
                                  "locked_until_ms = excluded.locked_until_ms, lock_count = excluded.lock_count"));
  q->Bind(1, key).Bind(2, t.failures).Bind(3, t.last_failure_ms).Bind(4, t.wait_until_ms).Bind(5, 0);
  return q->Run();
}

// ---- Forms --------------------------------------------------------------

Result<std::optional<StoredForm>> SqliteStorage::FindForm(const std::string& key) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT key, definition, version FROM forms WHERE key = ?"));
  q->Bind(1, key);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<StoredForm>();
  StoredForm f;
  f.key = q->Text(0);
  CCF_ASSIGN_OR_RETURN(f.definition, StoredJson(q->Text(1)));
  f.version = q->Int(2);
  return std::optional<StoredForm>(std::move(f));
}

Status SqliteStorage::AddForm(const StoredForm& f) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO forms(key, definition, version) VALUES(?, ?, ?)"));
  q->Bind(1, f.key).Bind(2, JsonText(f.definition)).Bind(3, f.version);
  return q->Run();
}

}  // namespace ccfield::server
