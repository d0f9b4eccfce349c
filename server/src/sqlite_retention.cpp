// SqliteStorage: quota usage, device cursors and history expiry
// (docs/retention.md). Kept apart from sqlite_storage.cpp so that each file
// stays one subject; these statements run at most a few times per request,
// so they are prepared on use rather than cached.
#include "sqlite_storage.h"

namespace ccfield::server {

const char* SqliteStorage::RetentionSchemaSql() {
  return R"sql(
ALTER TABLE changes ADD COLUMN ack TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN cursor INTEGER NOT NULL DEFAULT -1;
CREATE TABLE quota_usage(
  key TEXT NOT NULL,
  period INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  PRIMARY KEY(key, period)
);
CREATE TABLE version_times(
  server_ms INTEGER PRIMARY KEY,
  version INTEGER NOT NULL
);
INSERT INTO server_meta(key, value) VALUES('expired_through', 0);
)sql";
}

Result<int64_t> SqliteStorage::GetUsage(const std::string& key, int64_t period) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT amount FROM quota_usage WHERE key = ? AND period = ?"));
  q.Bind(1, key).Bind(2, period);
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : int64_t{0};
}

Status SqliteStorage::AddUsage(const std::string& key, int64_t period, int64_t amount) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("INSERT INTO quota_usage(key, period, amount) VALUES(?, ?, ?) "
                                                 "ON CONFLICT(key, period) DO UPDATE SET amount = amount + "
                                                 "excluded.amount"));
  return q.Bind(1, key).Bind(2, period).Bind(3, amount).Run();
}

Status SqliteStorage::SetDeviceCursor(const std::string& device_id, ServerVersion cursor) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("UPDATE devices SET cursor = ? WHERE id = ?"));
  return q.Bind(1, cursor).Bind(2, device_id).Run();
}

Result<ServerVersion> SqliteStorage::DeviceHorizon() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT MIN(cursor) FROM devices WHERE revoked = 0 AND cursor >= 0"));
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  if (row && !q.IsNull(0)) return q.Int(0);
  return CurrentVersion();
}

Result<ServerVersion> SqliteStorage::VersionAsOf(int64_t server_ms) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT MAX(version) FROM version_times WHERE server_ms <= ?"));
  q.Bind(1, server_ms);
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  if (row && !q.IsNull(0)) return q.Int(0);
  return ServerVersion{0};
}

Status SqliteStorage::MarkVersionTime(ServerVersion version, int64_t server_ms) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  // One row per minute at most: a mark younger than a minute moves forward
  // instead. (Moving it later only makes changes look younger: conservative.)
  CCF_ASSIGN_OR_RETURN(sql::Stmt up, db_->Prepare("UPDATE version_times SET server_ms = ?1, version = max(version, ?2) "
                                                  "WHERE server_ms = (SELECT MAX(server_ms) FROM version_times) "
                                                  "AND server_ms > ?1 - 60000 AND server_ms <= ?1"));
  CCF_RETURN_IF_ERROR(up.Bind(1, server_ms).Bind(2, version).Run());
  if (db_->Changes() > 0) return Status::Ok();
  CCF_ASSIGN_OR_RETURN(sql::Stmt ins, db_->Prepare("INSERT INTO version_times(server_ms, version) VALUES(?, ?) "
                                                   "ON CONFLICT(server_ms) DO UPDATE SET version = "
                                                   "max(version, excluded.version)"));
  return ins.Bind(1, server_ms).Bind(2, version).Run();
}

Result<ServerVersion> SqliteStorage::ExpiredThrough() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT value FROM server_meta WHERE key = 'expired_through'"));
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : ServerVersion{0};
}

Result<ServerStorage::ExpiryResult> SqliteStorage::Expire(ServerVersion h, int64_t keep_usage_from_ms) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  ExpiryResult r;
  r.horizon = h;
  if (h <= 0) return r;
  // 1. History superseded at or below the horizon: an entry goes when each
  // of its fields has a later applied change, itself at or below the
  // horizon, which replaces it for every device. An entry of which one field
  // is still current stays whole (its other fields are few bytes beside the
  // row). The latest applied change of each field at or below the horizon
  // stays, so a device pulling from 0 still receives every current value.
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(
        "DELETE FROM changes WHERE version > 0 AND version <= ?1 AND NOT EXISTS (SELECT 1 FROM "
        "json_each(changes.fields) j WHERE NOT EXISTS (SELECT 1 FROM changes l WHERE l.record_id = changes.record_id "
        "AND l.version > changes.version AND l.version <= ?1 AND l.applied > 0 "
        "AND l.fields -> ('$.\"' || j.key || '\"') IS NOT NULL "
        "AND (l.outcomes IS NULL OR l.outcomes -> ('$.\"' || j.key || '\"') IS NULL)))"));
    CCF_RETURN_IF_ERROR(q.Bind(1, h).Run());
    r.changes_removed += db_->Changes();
  }
  // 2. Tombstones: records deleted at or below the horizon, with nothing of
  // theirs (change or conflict update) above it, go entirely.
  CCF_RETURN_IF_ERROR(db_->Exec("CREATE TEMP TABLE IF NOT EXISTS purge(id TEXT PRIMARY KEY); DELETE FROM temp.purge;"));
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(
        "INSERT INTO temp.purge(id) SELECT id FROM records r WHERE r.deleted = 1 AND r.deleted_version > 0 "
        "AND r.deleted_version <= ?1 "
        "AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.record_id = r.id AND c.version > ?1) "
        "AND NOT EXISTS (SELECT 1 FROM conflicts x WHERE x.record_id = r.id AND x.version > ?1)"));
    CCF_RETURN_IF_ERROR(q.Bind(1, h).Run());
    r.records_purged = db_->Changes();
  }
  if (r.records_purged > 0) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("DELETE FROM changes WHERE record_id IN (SELECT id FROM temp.purge)"));
    CCF_RETURN_IF_ERROR(q.Run());
    r.changes_removed += db_->Changes();
    CCF_RETURN_IF_ERROR(db_->Exec("DELETE FROM fields WHERE record_id IN (SELECT id FROM temp.purge);"
                                  "DELETE FROM conflicts WHERE record_id IN (SELECT id FROM temp.purge);"
                                  "DELETE FROM records WHERE id IN (SELECT id FROM temp.purge);"
                                  "DELETE FROM temp.purge;"));
  }
  // 3. Bookkeeping: the expiry mark, old usage counts, old version marks
  // (the latest one at or below the horizon stays).
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(
        "UPDATE server_meta SET value = max(value, ?) WHERE key = 'expired_through'"));
    CCF_RETURN_IF_ERROR(q.Bind(1, h).Run());
  }
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("DELETE FROM quota_usage WHERE period < ?"));
    CCF_RETURN_IF_ERROR(q.Bind(1, keep_usage_from_ms).Run());
  }
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(
        "DELETE FROM version_times WHERE version <= ?1 AND server_ms < (SELECT MAX(server_ms) FROM version_times "
        "WHERE version <= ?1)"));
    CCF_RETURN_IF_ERROR(q.Bind(1, h).Run());
  }
  return r;
}

}  // namespace ccfield::server
