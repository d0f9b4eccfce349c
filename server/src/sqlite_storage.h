#pragma once
// ServerStorage on one SQLite file (DIR/server.db), through core's sqlite_db.h.
//
// Durability: WAL + synchronous=FULL, so a Commit() that returned survives a
// crash or power loss. Writers take BEGIN IMMEDIATE; another process (the
// admin commands) waits up to the busy timeout. Schema migrations are keyed on
// PRAGMA user_version.
//
// Thread-safety: none (one connection); see ServerStorage.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "ccfield/core/sqlite_db.h"
#include "ccfield/core/sqlite_txn.h"
#include "ccfield/server/storage.h"

namespace ccfield::server {

inline constexpr int kServerSchemaVersion = 8;

// JSON to the text kept in the file. Never throws: values were checked for
// UTF-8 on the way in; anything else is replaced rather than lost.
std::string JsonText(const nlohmann::json& v);
// A value server.db keeps as JSON text; kCorrupt when it is not JSON.
Result<nlohmann::json> StoredJson(const std::string& text);

class SqliteStorage final : public ServerStorage {
 public:
  // Opens (creating and migrating) the SQLite file at `path`. Errors: kCorrupt
  // for a foreign or damaged file or one made by a newer server, kIoError,
  // kBusy. `vfs` names an SQLite VFS (tests: core's fault-injecting one).
  static Result<std::unique_ptr<SqliteStorage>> Open(const std::string& path, int busy_timeout_ms = 5000,
                                                     const std::string& vfs = "");
  // The file inside a data directory.
  static std::string PathIn(const std::string& data_dir) { return data_dir + "/server.db"; }
  ~SqliteStorage() override;

  Status Begin() override;
  Status Commit() override;
  void Rollback() override;

  Result<ServerVersion> CurrentVersion() override;
  Result<ServerVersion> NextVersion() override;

  // History, one row per entry: sqlite_history.cpp.
  Result<std::vector<HistoryEntry>> FindEntry(const std::string& device_id, DeviceSeq seq) override;
  Result<std::optional<HistoryEntry>> ChangeAtVersion(ServerVersion version) override;
  Status AppendEntry(const std::vector<HistoryEntry>& entry) override;
  Result<nlohmann::json> ValueAt(const std::string& record_id, const std::string& field,
                                 ServerVersion version) override;
  Result<std::optional<VersionedValue>> ValueBefore(const std::string& record_id, const std::string& field,
                                                    ServerVersion version) override;
  Result<ServerVersion> MaxVersionByOthers(const std::string& record_id, const std::string& device_id) override;
  Result<std::optional<OwnChange>> LatestOwnChange(const std::string& record_id, const std::string& field,
                                                   const std::string& device_id) override;
  Result<std::vector<HistoryEntry>> ChangesAfter(const PullQuery& q) override;
  Result<std::vector<HistoryEntry>> FieldHistory(const std::string& record_id, const std::string& field) override;

  Result<StoredField> GetField(const std::string& record_id, const std::string& field) override;
  Status SetField(const std::string& record_id, const std::string& field, const StoredField& value) override;
  Result<std::optional<RecordMeta>> GetRecord(const std::string& record_id) override;
  Status CreateRecord(const RecordMeta& meta) override;
  Status SetDeleted(const std::string& record_id, bool deleted, ServerVersion version,
                    const std::string& device_id) override;
  Result<std::vector<RecordMeta>> RecordsOf(ChangeType type, const std::string& workspace_id) override;

  Status CreateConflict(const FieldConflict& conflict) override;
  Result<std::vector<FieldConflict>> OpenConflicts(const std::string& record_id, const std::string& field) override;
  Status ResolveConflict(const std::string& conflict_id, ServerVersion resolved_by, ServerVersion new_version) override;
  Result<std::vector<FieldConflict>> ConflictsAfter(ServerVersion after, const std::vector<std::string>& workspaces,
                                                    int limit) override;

  Result<std::optional<UserRow>> FindUserByName(const std::string& username) override;
  Result<std::optional<UserRow>> FindUserById(const std::string& user_id) override;
  Status CreateUser(const UserRow& user) override;
  Status SetPasswordHash(const std::string& user_id, const std::string& hash) override;
  // People (disable, tokens, memberships): sqlite_people.cpp.
  Status SetUserDisabled(const std::string& user_id, bool disabled) override;
  Status RevokeUserTokens(const std::string& user_id) override;

  Result<std::optional<DeviceRow>> FindDevice(const std::string& device_id) override;
  Status PutDevice(const DeviceRow& device) override;
  Status SetDeviceRevoked(const std::string& device_id) override;
  Status SetDeviceLastSync(const std::string& device_id, int64_t server_ms) override;
  Result<std::vector<DeviceRow>> ListDevices() override;

  Status CreateToken(const TokenRow& token) override;
  Result<std::optional<TokenRow>> FindTokenByHash(const std::string& hash) override;
  Result<std::optional<TokenRow>> FindToken(const std::string& token_id) override;
  Result<std::vector<TokenRow>> ListTokens(const std::string& user_id) override;
  Status RevokeToken(const std::string& token_id) override;

  Result<std::vector<Membership>> MembershipsOf(const std::string& user_id) override;
  Status PutMembership(const Membership& m) override;
  Result<bool> RemoveMembership(const std::string& user_id, const std::string& workspace_id) override;

  Result<ThrottleState> GetThrottle(const std::string& key) override;
  Status PutThrottle(const std::string& key, const ThrottleState& state) override;

  Result<std::optional<StoredForm>> FindForm(const std::string& key) override;
  Status AddForm(const StoredForm& form) override;

  // Quotas and retention: sqlite_retention.cpp.
  Result<int64_t> GetUsage(const std::string& key, int64_t period) override;
  Status AddUsage(const std::string& key, int64_t period, int64_t amount) override;
  Status SetDeviceCursor(const std::string& device_id, ServerVersion cursor) override;
  Result<ServerVersion> DeviceHorizon() override;
  Result<ServerVersion> VersionAsOf(int64_t server_ms) override;
  Status MarkVersionTime(ServerVersion version, int64_t server_ms) override;
  Result<ServerVersion> ExpiredThrough() override;
  Result<ExpiryResult> Expire(ServerVersion horizon, int64_t keep_usage_from_ms) override;

  // Photo blobs: sqlite_blobs.cpp.
  Result<std::optional<BlobUpload>> FindBlobUpload(const std::string& ws, const std::string& hash) override;
  Status PutBlobUpload(const BlobUpload& upload) override;
  Status RemoveBlobUpload(const std::string& ws, const std::string& hash) override;
  Result<std::vector<BlobUpload>> BlobUploadsBefore(int64_t updated_before_ms) override;
  Result<std::optional<BlobClaim>> FindBlobClaim(const std::string& ws, const std::string& hash) override;
  Status AddBlobClaim(const BlobClaim& claim) override;
  Result<int64_t> BlobBytesUsed(const std::string& ws, const std::string& except_hash) override;
  Result<std::vector<BlobWorkspaceUsage>> BlobUsage() override;
  Result<int> PhotoLongEdge(const std::string& ws) override;
  Status SetPhotoLongEdge(const std::string& ws, int long_edge) override;

 private:
  class Query;
  SqliteStorage() = default;
  Status Init(const std::string& path, int busy_timeout_ms, const std::string& vfs);
  Status Migrate();
  // The cached prepared statement for `sql` (a string literal), reset.
  Result<Query> Q(const char* sql);
  Status WriteGuard() const;
  // Schema 4 (quotas and retention), in sqlite_retention.cpp.
  static const char* RetentionSchemaSql();
  // Schema 3 (users.disabled), in sqlite_people.cpp.
  static const char* PeopleSchemaSql();
  // Schema 5 (photo blob uploads and claims), in sqlite_blobs.cpp.
  static const char* BlobSchemaSql();
  // Schema 6 (each workspace's photo size), in sqlite_blobs.cpp.
  static const char* PhotoSizeSchemaSql();
  // Schema 8 (the history, one row per entry), in sqlite_history.cpp.
  static const char* EntrySchemaSql();

  std::unique_ptr<sql::Db> db_;
  std::string path_;
  std::map<const char*, sql::Stmt> cache_;
  // The open write transaction (Begin..Commit/Rollback). A COMMIT with an
  // unknown outcome marks db_ broken (sqlite_txn.h): writes are refused until reopened.
  std::optional<sql::Txn> txn_;
};

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

}  // namespace ccfield::server
