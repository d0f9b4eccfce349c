#include "sqlite_storage.h"

#include <utility>

#include "ccfield/core/field_change_rows.h"

namespace ccfield::server {

using nlohmann::json;

namespace {

constexpr const char* kConflictColumns =
    "id, version, type, record_id, workspace_id, field, base, winner, loser, winner_device, loser_device, "
    "winner_author, loser_author, loser_time, winner_version, resolved, resolved_by, winner_user, loser_user";

Result<FieldConflict> ReadConflict(const sql::Stmt& s) {
  return ReadConflictRow(s, [](const sql::Stmt& row, int col) { return StoredJson(row.Text(col)); });
}

// A row selected as "id, type, workspace_id, deleted, deleted_version, deleted_by_device".
RecordMeta ReadRecordMeta(const sql::Stmt& s) {
  return RecordMeta{s.Text(0), ParseChangeType(s.Text(1)), s.Text(2), s.Int(3) != 0, s.Int(4), s.Text(5)};
}


// "?, ?, ?" for n parameters.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

}  // namespace

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
  // The first real read of the file: reports a damaged one (a foreign one is
  // refused below, after WAL is on).
  CCF_RETURN_IF_ERROR(db_->UseDurableWal(path_));
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

std::string JsonText(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<json> StoredJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corrupt("server.db holds a value that is not JSON: " + text.substr(0, 80));
  return j;
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
  CCF_RETURN_IF_ERROR(db_->CheckWritable());
  if (!txn_) return Status::Internal("a write outside a transaction");
  return Status::Ok();
}

// ---- Transactions (the rule is sqlite_txn.h's) ------------------------------

Status SqliteStorage::Begin() {
  if (txn_) return Status::Internal("a transaction is already open");
  CCF_ASSIGN_OR_RETURN(sql::Txn txn, sql::Txn::Begin(db_.get()));
  txn_.emplace(std::move(txn));
  return Status::Ok();
}

Status SqliteStorage::Commit() {
  if (!txn_) return Status::Internal("commit without a transaction");
  Status st = txn_->Commit();
  txn_.reset();
  return st;
}

void SqliteStorage::Rollback() { txn_.reset(); }

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

// ---- History: sqlite_history.cpp -------------------------------------------

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
  return std::optional<RecordMeta>(ReadRecordMeta(*q));
}

Status SqliteStorage::CreateRecord(const RecordMeta& m) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO records(id, type, workspace_id, deleted, deleted_version, "
                                  "deleted_by_device) VALUES(?, ?, ?, 0, 0, '')"));
  q->Bind(1, m.id).Bind(2, std::string(ChangeTypeName(m.type))).Bind(3, m.workspace_id);
  return q->Run();
}

Result<std::vector<RecordMeta>> SqliteStorage::RecordsOf(ChangeType type, const std::string& workspace_id) {
  // rowid grows with each insert and records are never removed: creation order.
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, type, workspace_id, deleted, deleted_version, deleted_by_device "
                                  "FROM records WHERE type = ? AND workspace_id = ? ORDER BY rowid"));
  q->Bind(1, std::string(ChangeTypeName(type))).Bind(2, workspace_id);
  return sql::AllRows<RecordMeta>(*q, ReadRecordMeta);
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

Status SqliteStorage::CreateConflict(const FieldConflict& c) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO conflicts(id, version, type, record_id, workspace_id, field, base, "
                                  "winner, loser, winner_device, loser_device, winner_author, loser_author, "
                                  "loser_time, winner_version, resolved, resolved_by, winner_user, loser_user) "
                                  "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  q->Bind(1, c.id)
      .Bind(2, c.version)
      .Bind(3, std::string(ChangeTypeName(c.type)))
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
      .Bind(17, c.resolved_by)
      .Bind(18, c.winner_user)
      .Bind(19, c.loser_user);
  return q->Run();
}

Result<std::vector<FieldConflict>> SqliteStorage::OpenConflicts(const std::string& record_id,
                                                                const std::string& field) {
  static const std::string sql = std::string("SELECT ") + kConflictColumns +
                                 " FROM conflicts WHERE record_id = ? AND field = ? AND resolved = 0 ORDER BY version";
  CCF_ASSIGN_OR_RETURN(Query q, Q(sql.c_str()));
  q->Bind(1, record_id).Bind(2, field);
  return sql::AllRows<FieldConflict>(*q, ReadConflict);
}

Status SqliteStorage::ResolveConflict(const std::string& conflict_id, ServerVersion resolved_by,
                                      ServerVersion new_version) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE conflicts SET resolved = 1, resolved_by = ?, version = ? WHERE id = ?"));
  q->Bind(1, resolved_by).Bind(2, new_version).Bind(3, conflict_id);
  return q->Run();
}

Result<std::vector<FieldConflict>> SqliteStorage::ConflictsAfter(ServerVersion after,
                                                                 const std::vector<std::string>& workspaces,
                                                                 int limit) {
  if (limit <= 0 || workspaces.empty()) return std::vector<FieldConflict>();
  std::string sql = std::string("SELECT ") + kConflictColumns +
                    " FROM conflicts WHERE version > ? AND workspace_id IN (" + Placeholders(workspaces.size()) +
                    ") ORDER BY version LIMIT ?";
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(sql));
  int i = 1;
  q.Bind(i++, after);
  for (const std::string& ws : workspaces) q.Bind(i++, ws);
  q.Bind(i, limit);
  return sql::AllRows<FieldConflict>(q, ReadConflict);
}

}  // namespace ccfield::server
