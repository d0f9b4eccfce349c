// SqliteStorage: photo blob uploads in progress and workspaces' claims on
// complete blobs (docs/sync-protocol.md, "Photos: blobs"). The bytes are
// the BlobStore's (blob_store.h); these tables say how far each upload is
// and who may read what. A few statements per chunk: prepared on use.
#include "sqlite_storage.h"

namespace ccfield::server {

namespace {

constexpr const char* kUploadColumns = "ws, hash, size, offset, updated_ms, user_id";

BlobUpload ReadUpload(const sql::Stmt& q) {
  BlobUpload u;
  u.ws = q.Text(0);
  u.hash = q.Text(1);
  u.size = q.Int(2);
  u.offset = q.Int(3);
  u.updated_ms = q.Int(4);
  u.user_id = q.Text(5);
  return u;
}

}  // namespace

const char* SqliteStorage::BlobSchemaSql() {
  return R"sql(
CREATE TABLE blob_uploads(
  ws TEXT NOT NULL,
  hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY(ws, hash)
);
CREATE INDEX blob_uploads_by_time ON blob_uploads(updated_ms);
CREATE TABLE blob_claims(
  ws TEXT NOT NULL,
  hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  claimed_ms INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY(ws, hash)
);
)sql";
}

Result<std::optional<BlobUpload>> SqliteStorage::FindBlobUpload(const std::string& ws, const std::string& hash) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(std::string("SELECT ") + kUploadColumns +
                                                 " FROM blob_uploads WHERE ws = ? AND hash = ?"));
  q.Bind(1, ws).Bind(2, hash);
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<BlobUpload>();
  return std::optional<BlobUpload>(ReadUpload(q));
}

Status SqliteStorage::PutBlobUpload(const BlobUpload& u) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(std::string("INSERT OR REPLACE INTO blob_uploads(") + kUploadColumns +
                                                 ") VALUES(?, ?, ?, ?, ?, ?)"));
  return q.Bind(1, u.ws)
      .Bind(2, u.hash)
      .Bind(3, u.size)
      .Bind(4, u.offset)
      .Bind(5, u.updated_ms)
      .Bind(6, u.user_id)
      .Run();
}

Status SqliteStorage::RemoveBlobUpload(const std::string& ws, const std::string& hash) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("DELETE FROM blob_uploads WHERE ws = ? AND hash = ?"));
  return q.Bind(1, ws).Bind(2, hash).Run();
}

Result<std::vector<BlobUpload>> SqliteStorage::BlobUploadsBefore(int64_t updated_before_ms) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(std::string("SELECT ") + kUploadColumns +
                                                 " FROM blob_uploads WHERE updated_ms < ? ORDER BY updated_ms"));
  q.Bind(1, updated_before_ms);
  std::vector<BlobUpload> out;
  for (;;) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(ReadUpload(q));
  }
  return out;
}

Result<std::optional<BlobClaim>> SqliteStorage::FindBlobClaim(const std::string& ws, const std::string& hash) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT size, claimed_ms, user_id FROM blob_claims "
                                                 "WHERE ws = ? AND hash = ?"));
  q.Bind(1, ws).Bind(2, hash);
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<BlobClaim>();
  BlobClaim c;
  c.ws = ws;
  c.hash = hash;
  c.size = q.Int(0);
  c.claimed_ms = q.Int(1);
  c.user_id = q.Text(2);
  return std::optional<BlobClaim>(std::move(c));
}

Status SqliteStorage::AddBlobClaim(const BlobClaim& c) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("INSERT OR IGNORE INTO blob_claims(ws, hash, size, claimed_ms, "
                                                 "user_id) VALUES(?, ?, ?, ?, ?)"));
  return q.Bind(1, c.ws).Bind(2, c.hash).Bind(3, c.size).Bind(4, c.claimed_ms).Bind(5, c.user_id).Run();
}

Result<int64_t> SqliteStorage::BlobBytesUsed(const std::string& ws, const std::string& except_hash) {
  CCF_ASSIGN_OR_RETURN(
      sql::Stmt q, db_->Prepare("SELECT (SELECT coalesce(sum(size), 0) FROM blob_claims WHERE ws = ?1) + "
                                "(SELECT coalesce(sum(offset), 0) FROM blob_uploads WHERE ws = ?1 AND hash <> ?2)"));
  q.Bind(1, ws).Bind(2, except_hash);
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : int64_t{0};
}

Result<std::vector<BlobWorkspaceUsage>> SqliteStorage::BlobUsage() {
  CCF_ASSIGN_OR_RETURN(
      sql::Stmt q,
      db_->Prepare("SELECT ws, sum(cc), sum(cb), sum(uc), sum(ub) FROM ("
                   " SELECT ws, count(*) AS cc, sum(size) AS cb, 0 AS uc, 0 AS ub FROM blob_claims GROUP BY ws"
                   " UNION ALL"
                   " SELECT ws, 0, 0, count(*), sum(offset) FROM blob_uploads GROUP BY ws"
                   ") GROUP BY ws ORDER BY ws"));
  std::vector<BlobWorkspaceUsage> out;
  for (;;) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    BlobWorkspaceUsage u;
    u.ws = q.Text(0);
    u.claimed_count = q.Int(1);
    u.claimed_bytes = q.Int(2);
    u.upload_count = q.Int(3);
    u.upload_bytes = q.Int(4);
    out.push_back(std::move(u));
  }
  return out;
}

const char* SqliteStorage::PhotoSizeSchemaSql() {
  return R"sql(
CREATE TABLE workspace_photo_sizes(
  ws TEXT PRIMARY KEY,
  long_edge INTEGER NOT NULL
);
)sql";
}

Result<int> SqliteStorage::PhotoLongEdge(const std::string& ws) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT long_edge FROM workspace_photo_sizes WHERE ws = ?"));
  q->Bind(1, ws);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? static_cast<int>(q->Int(0)) : 0;
}

Status SqliteStorage::SetPhotoLongEdge(const std::string& ws, int long_edge) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT OR REPLACE INTO workspace_photo_sizes(ws, long_edge) VALUES(?, ?)"));
  return q->Bind(1, ws).Bind(2, static_cast<int64_t>(long_edge)).Run();
}

}  // namespace ccfield::server
