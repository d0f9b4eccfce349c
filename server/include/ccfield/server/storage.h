#pragma once
// ServerStorage: everything the sync server keeps, behind one interface so
// that the SQLite implementation (sqlite_storage.cpp) can be joined by a
// PostgreSQL one without touching the sync service, auth or admin code.
//
// Contract shared by all methods:
// - Errors are Status values (kBusy, kIoError, kDiskFull, kCorrupt,
//   kInternal...); a failed write inside a transaction leaves the
//   transaction open and the caller must Rollback().
// - Methods that write REQUIRE an open transaction (Begin()); reads may run
//   inside or outside one.
// - JSON values keep their JSON type (a bool stays a bool, "5" stays text).
//
// Thread-safety: none. One ServerStorage is one database connection; the
// caller serialises all use of it (the HTTP server holds one mutex around it).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/sync/merge.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::server {

// What became of a change kept in the history.
enum class HistoryOutcome {
  kApplied,  // set the field (pushed as sent, or made by the server); sent to devices
  kMerged,   // a pushed text edit superseded by the server's merge (a server change carries the result)
  kKeptOut,  // a delete kept out by a concurrent edit; version 0, never sent
};
const char* HistoryOutcomeName(HistoryOutcome o);

// One field of an entry of the server's history (table `changes`, one row
// per entry since schema 8). An entry is what one push (or one server edit)
// changed in one record: its fields share (device_id, device_seq), the
// record, the origin and the version, and are adjacent in every list the
// storage returns (EntryEnd). Every accepted field is kept, with what became
// of it; `version` is the entry's version for the fields it applied or
// merged, 0 for a field kept out. `user` stays empty: the history keeps the
// pushing user's id, and the pull puts the user's name in `user`.
struct HistoryEntry : FieldChange {
  HistoryOutcome outcome = HistoryOutcome::kApplied;
  ClockFlag clock = ClockFlag::kNone;
  std::string user_id;  // user who pushed it ("" for server changes)
  // What the pushing device was told about this field (kApplied, kMerged or
  // kConflict); a re-sent entry (the first answer was lost) gets the same
  // answers. nullopt for changes stored before schema 4 and for server changes.
  std::optional<ChangeOutcome> ack;
};

// The current state of one field of one record (table `fields`).
struct StoredField {
  sync::FieldState state;  // exists, value, version, device_id
  std::string author;      // author of the change that set it
  std::string time;        // device time of that change
};

// What the server knows about a record apart from its fields.
struct RecordMeta {
  std::string id;
  ChangeType type = ChangeType::kVisit;
  std::string workspace_id;  // fixed at creation; "" for library records
  bool deleted = false;
  ServerVersion deleted_version = 0;  // version of the delete in force (when deleted)
  std::string deleted_by_device;
};

struct UserRow {
  std::string id;
  std::string username;       // lower case
  std::string password_hash;  // libsodium crypto_pwhash_str string
  bool admin = false;
  int64_t created_ms = 0;
  // Set by `admin disable-user`: the user's tokens stop at once and logins
  // are refused, but nothing of theirs is deleted (enable-user undoes it).
  bool disabled = false;
};

struct DeviceRow {
  std::string id;
  std::string user_id;  // user who logged in on it last
  std::string name;
  bool revoked = false;
  int64_t registered_ms = 0;
  int64_t last_seen_ms = 0;  // last login (server clock)
  int64_t last_sync_ms = 0;  // last successful complete sync (server clock), 0: never
  // Hash of the secret the server gave the device at its first login; a login
  // with this device id must present the secret ("" on a device registered
  // before schema 2: bound to its user until it logs in again). PutDevice
  // keeps the stored hash when this is "".
  std::string secret_hash;
};

struct TokenRow {
  std::string id;    // public id for listing and revoking (not the secret)
  std::string hash;  // hex crypto_generichash of the bearer token
  std::string user_id;
  std::string device_id;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  bool revoked = false;
};

struct Membership {
  std::string user_id;
  std::string workspace_id;
  std::string role;       // "field_staff", "coordinator", "admin", "observer"
  std::string member_id;  // the member record in the workspace
};

// Failed-login bookkeeping for one key ("user:<name>", "addr:<ip>" or
// "device:<id>"; auth.h). A delay, never a lock-out: see AuthOptions.
struct ThrottleState {
  int failures = 0;             // failures (and logins in progress) since the key was last quiet
  int64_t last_failure_ms = 0;  // when the last of them started (server clock)
  int64_t wait_until_ms = 0;    // no attempt is checked before this; 0: none
};

struct StoredForm {
  std::string key;            // "id@version"
  nlohmann::json definition;  // the form JSON (docs/forms.md)
  ServerVersion version = 0;  // version of the change that delivered it
};

// A photo blob's upload in progress for one workspace (docs/sync-protocol.md,
// "Photos: blobs"). `offset` is durable: the bytes before it were on disk
// (fdatasync) before it was stored.
struct BlobUpload {
  std::string ws;
  std::string hash;        // SHA-256 of the whole blob, 64 lowercase hex digits
  int64_t size = 0;        // the whole blob's length, as the device declared it
  int64_t offset = 0;      // bytes received and durable
  int64_t updated_ms = 0;  // last chunk (server clock); stale uploads are removed by age
  std::string user_id;     // who started it
};

// A workspace's claim on a complete blob: its members may read it.
struct BlobClaim {
  std::string ws;
  std::string hash;
  int64_t size = 0;
  int64_t claimed_ms = 0;
  std::string user_id;  // whose upload completed it
};

// One workspace's blob bytes (admin blob-stats, quotas).
struct BlobWorkspaceUsage {
  std::string ws;
  int64_t claimed_count = 0;
  int64_t claimed_bytes = 0;
  int64_t upload_count = 0;
  int64_t upload_bytes = 0;  // durable offsets of its uploads in progress
};

// What a device may receive.
struct PullQuery {
  ServerVersion after = 0;              // cursor
  std::vector<std::string> workspaces;  // the user's workspaces; the library ("") is always included
  std::string device_id;                // its own kApplied changes are left out
  int limit = 0;                        // at most this many entries
};

class ServerStorage {
 public:
  virtual ~ServerStorage() = default;

  // ---- Transactions -------------------------------------------------------
  // A write transaction (SQLite: BEGIN IMMEDIATE). Not nestable.
  virtual Status Begin() = 0;
  // Commits. On failure the transaction is rolled back; when the outcome is
  // unknown (I/O error during COMMIT) the storage refuses writes (kReadOnly)
  // until reopened.
  virtual Status Commit() = 0;
  // Rolls back the open transaction, if any. Never fails.
  virtual void Rollback() = 0;

  // ---- ServerVersion ------------------------------------------------------
  // Highest version handed out so far (0: none).
  virtual Result<ServerVersion> CurrentVersion() = 0;
  // Hands out the next version (shared by changes and conflict updates).
  // REQUIRES: in a transaction (a rollback returns it).
  virtual Result<ServerVersion> NextVersion() = 0;

  // ---- History (one entry per push of a record; see HistoryEntry) ---------
  // The fields of the entry (device_id, device_seq) if it was accepted
  // before, in field name order; empty when there is none.
  virtual Result<std::vector<HistoryEntry>> FindEntry(const std::string& device_id, DeviceSeq seq) = 0;
  // The first field of that entry (the origin is the entry's), or nullopt.
  Result<std::optional<HistoryEntry>> FindChange(const std::string& device_id, DeviceSeq seq);
  // A field of the entry with that version (version > 0): the entry's origin.
  virtual Result<std::optional<HistoryEntry>> ChangeAtVersion(ServerVersion version) = 0;
  // Appends one entry: `fields` is non-empty, its fields share type,
  // record_id, workspace_id, created, device_id, device_seq, time, author,
  // clock and user_id, and each field appears once; the entry's version is
  // the largest of theirs (the fields it applied or merged share it, a kept
  // out field has 0). (device_id, device_seq) must be new.
  virtual Status AppendEntry(const std::vector<HistoryEntry>& fields) = 0;
  // A one-field entry.
  Status AppendChange(const HistoryEntry& entry) { return AppendEntry({entry}); }
  // Value of the field as of `version`: the field of the latest entry with
  // version <= `version` that applied it (kApplied); null when there is none.
  virtual Result<nlohmann::json> ValueAt(const std::string& record_id, const std::string& field,
                                         ServerVersion version) = 0;
  // The value the field had just before `version`: the field of the latest
  // entry with version < `version` that applied it, and that entry's
  // version; nullopt when there is none. What a pulled patch is made on.
  struct VersionedValue {
    nlohmann::json value;
    ServerVersion version = 0;
  };
  virtual Result<std::optional<VersionedValue>> ValueBefore(const std::string& record_id, const std::string& field,
                                                            ServerVersion version) = 0;
  // Highest version of an entry of the record that applied a field, made by
  // a device other than `device_id` (the server counts as another device); 0: none.
  virtual Result<ServerVersion> MaxVersionByOthers(const std::string& record_id, const std::string& device_id) = 0;
  // The latest accepted (applied or merged, version > 0) change of
  // `device_id` to the field, as that device sent it; nullopt when it has none.
  struct OwnChange {
    nlohmann::json value;
    ServerVersion version = 0;
  };
  virtual Result<std::optional<OwnChange>> LatestOwnChange(const std::string& record_id, const std::string& field,
                                                           const std::string& device_id) = 0;
  // The applied fields of entries with version > q.after in q.workspaces or
  // the library, in version order, whole entries (fields adjacent), at most
  // q.limit entries, leaving out what q.device_id already has: its own
  // entries, and fields whose current value is a later change of its own (a
  // device whose edit won must not receive the older value it replaced: it
  // would show the loser while the server has the winner). An entry with
  // nothing left is not counted.
  virtual Result<std::vector<HistoryEntry>> ChangesAfter(const PullQuery& q) = 0;
  // Who changed the field, when and from where: the field of every entry
  // that named it (applied, merged or kept out), in the order they were
  // stored, as far back as the history keeps them (docs/retention.md).
  virtual Result<std::vector<HistoryEntry>> FieldHistory(const std::string& record_id, const std::string& field) = 0;

  // ---- Current state -----------------------------------------------------
  // The field's state; state.exists == false when it was never set.
  virtual Result<StoredField> GetField(const std::string& record_id, const std::string& field) = 0;
  virtual Status SetField(const std::string& record_id, const std::string& field, const StoredField& value) = 0;
  virtual Result<std::optional<RecordMeta>> GetRecord(const std::string& record_id) = 0;
  // Adds a record (not deleted). The id must be new.
  virtual Status CreateRecord(const RecordMeta& meta) = 0;
  virtual Status SetDeleted(const std::string& record_id, bool deleted, ServerVersion version,
                            const std::string& device_id) = 0;
  // Every record of `type` ("site") in the workspace, deleted ones included,
  // in the order they were created. (Admin imports match against these.)
  virtual Result<std::vector<RecordMeta>> RecordsOf(ChangeType type, const std::string& workspace_id) = 0;

  // ---- Conflicts ---------------------------------------------------------
  // Stores a new conflict (its id must be new).
  virtual Status CreateConflict(const FieldConflict& conflict) = 0;
  // Open (unresolved) conflicts on one field, oldest first.
  virtual Result<std::vector<FieldConflict>> OpenConflicts(const std::string& record_id, const std::string& field) = 0;
  // Marks a conflict resolved by the change `resolved_by`; it gets `new_version`.
  virtual Status ResolveConflict(const std::string& conflict_id, ServerVersion resolved_by,
                                 ServerVersion new_version) = 0;
  // Conflicts whose version > after in `workspaces`, in version order, at most `limit`.
  virtual Result<std::vector<FieldConflict>> ConflictsAfter(ServerVersion after,
                                                            const std::vector<std::string>& workspaces, int limit) = 0;

  // ---- Users, devices, tokens, memberships --------------------------------
  virtual Result<std::optional<UserRow>> FindUserByName(const std::string& username) = 0;
  virtual Result<std::optional<UserRow>> FindUserById(const std::string& user_id) = 0;
  virtual Status CreateUser(const UserRow& user) = 0;  // kConflict when the name is taken
  virtual Status SetPasswordHash(const std::string& user_id, const std::string& hash) = 0;
  virtual Status SetUserDisabled(const std::string& user_id, bool disabled) = 0;
  // Revokes every token of the user (reset-password, disable-user).
  virtual Status RevokeUserTokens(const std::string& user_id) = 0;

  virtual Result<std::optional<DeviceRow>> FindDevice(const std::string& device_id) = 0;
  // Adds the device or updates user, name and last_seen_ms (revoked and
  // last_sync_ms are kept).
  virtual Status PutDevice(const DeviceRow& device) = 0;
  virtual Status SetDeviceRevoked(const std::string& device_id) = 0;  // also revokes its tokens
  virtual Status SetDeviceLastSync(const std::string& device_id, int64_t server_ms) = 0;
  virtual Result<std::vector<DeviceRow>> ListDevices() = 0;

  virtual Status CreateToken(const TokenRow& token) = 0;
  virtual Result<std::optional<TokenRow>> FindTokenByHash(const std::string& hash) = 0;
  virtual Result<std::optional<TokenRow>> FindToken(const std::string& token_id) = 0;
  virtual Result<std::vector<TokenRow>> ListTokens(const std::string& user_id) = 0;
  virtual Status RevokeToken(const std::string& token_id) = 0;

  virtual Result<std::vector<Membership>> MembershipsOf(const std::string& user_id) = 0;
  // Adds the membership or changes its role and member record.
  virtual Status PutMembership(const Membership& m) = 0;
  // Ends the membership; false when there was none. The member record stays
  // (history keeps naming who did what); only access ends.
  virtual Result<bool> RemoveMembership(const std::string& user_id, const std::string& workspace_id) = 0;

  // ---- Login throttling --------------------------------------------------
  // The state for `key`; all zero when there is none.
  virtual Result<ThrottleState> GetThrottle(const std::string& key) = 0;
  virtual Status PutThrottle(const std::string& key, const ThrottleState& state) = 0;

  // ---- Quotas and retention (docs/retention.md) ----------------------------
  // Usage counted under `key` ("u:<user>:changes/min", ...) in the period
  // that starts at `period` (server clock, ms since the epoch); 0 when none.
  virtual Result<int64_t> GetUsage(const std::string& key, int64_t period) = 0;
  virtual Status AddUsage(const std::string& key, int64_t period, int64_t amount) = 0;
  // Records the cursor the device sent in a sync request: it holds everything
  // up to there. (Devices that never synced have none.)
  virtual Status SetDeviceCursor(const std::string& device_id, ServerVersion cursor) = 0;
  // The lowest cursor of the non-revoked devices that have synced; the
  // current version when there is none.
  virtual Result<ServerVersion> DeviceHorizon() = 0;
  // The highest version marked (MarkVersionTime) at or before `server_ms`; 0: none.
  virtual Result<ServerVersion> VersionAsOf(int64_t server_ms) = 0;
  // Notes that every version up to `version` existed at `server_ms` (what
  // makes "older than the minimum age" decidable for history entries).
  virtual Status MarkVersionTime(ServerVersion version, int64_t server_ms) = 0;
  // History below this version may have been expired: the value at an older
  // base can be missing (a merge then falls back to a conflict). 0: never expired.
  virtual Result<ServerVersion> ExpiredThrough() = 0;
  struct ExpiryResult {
    ServerVersion horizon = 0;  // what was expired through
    int64_t changes_removed = 0;  // history entries
    int64_t records_purged = 0;
  };
  // Removes history entries superseded at or below `horizon` (every field
  // they set has a later applied change at or below it) and purges
  // records deleted at or below it (docs/retention.md); also usage counts of
  // periods that started before `keep_usage_from_ms`. REQUIRES: in a transaction.
  virtual Result<ExpiryResult> Expire(ServerVersion horizon, int64_t keep_usage_from_ms) = 0;

  // ---- Photo blobs (sqlite_blobs.cpp) -------------------------------------
  virtual Result<std::optional<BlobUpload>> FindBlobUpload(const std::string& ws, const std::string& hash) = 0;
  // Adds the upload or replaces the stored one for (ws, hash).
  virtual Status PutBlobUpload(const BlobUpload& upload) = 0;
  // Removes it; ok when there is none.
  virtual Status RemoveBlobUpload(const std::string& ws, const std::string& hash) = 0;
  // Uploads untouched since before `updated_before_ms`, oldest first (all
  // of them for INT64_MAX).
  virtual Result<std::vector<BlobUpload>> BlobUploadsBefore(int64_t updated_before_ms) = 0;
  virtual Result<std::optional<BlobClaim>> FindBlobClaim(const std::string& ws, const std::string& hash) = 0;
  // Adds the claim; keeps an existing one.
  virtual Status AddBlobClaim(const BlobClaim& claim) = 0;
  // The workspace's claimed bytes plus the durable bytes of its uploads in
  // progress, leaving out the upload of `except_hash` (the one asking).
  virtual Result<int64_t> BlobBytesUsed(const std::string& ws, const std::string& except_hash) = 0;
  // Every workspace that claims a blob or has an upload, by id.
  virtual Result<std::vector<BlobWorkspaceUsage>> BlobUsage() = 0;
  // The long edge in pixels of the photo copies the workspace's devices
  // send (admin set-photo-size); 0 when the admin never set one (devices use
  // their default, kDefaultPhotoLongEdge).
  virtual Result<int> PhotoLongEdge(const std::string& ws) = 0;
  virtual Status SetPhotoLongEdge(const std::string& ws, int long_edge) = 0;

  // ---- Forms imported by the admin ----------------------------------------
  virtual Result<std::optional<StoredForm>> FindForm(const std::string& key) = 0;
  virtual Status AddForm(const StoredForm& form) = 0;  // the key must be new
};

// Runs `body` (a callable returning Status) in one write transaction: commits
// when it returns ok; rolls back when it fails or throws (and rethrows), so
// an exception never leaves the connection inside a transaction.
template <typename F>
Status RunInTransaction(ServerStorage* storage, F&& body) {
  CCF_RETURN_IF_ERROR(storage->Begin());
  Status st;
  try {
    st = body();
  } catch (...) {
    storage->Rollback();
    throw;
  }
  if (!st.ok()) {
    storage->Rollback();
    return st;
  }
  return storage->Commit();
}

}  // namespace ccfield::server
