#pragma once
// SyncReplica: the store's part that sync reads and writes (docs/sync-protocol.md):
// pending changes out, a round trip's answer in, conflicts, the cursor, the
// login and the account's memberships. Protocol-neutral (replica.h types);
// sync/ maps them to messages. Lives in its Store (Store::replica()) and
// uses the store's connection; the same thread rules apply.

#include <cstdint>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ccfield/core/replica.h"
#include "ccfield/core/status.h"
#include "ccfield/core/store_types.h"

namespace ccfield {

class SyncReplica : public StorePart {
 public:
  explicit SyncReplica(Store* store) : StorePart(store) {}

  // Own entries waiting or sent of the signed-in account, oldest first, as
  // one ChangeEntry per field (the fields of an entry adjacent, sharing its
  // device_seq; each with its own base), workspaces filled. At least `limit`
  // changes when there are that many: the last entry is never split, so it
  // may go over. An entry with damaged stored text is set aside as refused.
  Result<std::vector<ChangeEntry>> PendingChanges(int limit);
  // Marks own entries in the device_seq range as sent (in a request whose
  // answer has not come).
  Status MarkSent(int64_t first_device_seq, int64_t last_device_seq);
  // Applies a sync round trip in one transaction. Acks (ChangeAck, an entry's
  // "" ack and/or per-field ones, which override it for their field) set an
  // entry synced, or conflict when any of its fields got kConflict, and bump
  // each field's version (none for version 0). Refusals refuse whole entries.
  // Received changes are logged as one entry per (device_id, device_seq) and
  // update records field by field (a field with an unsent local edit of that
  // field keeps the local value), history and field versions; conflicts are
  // stored; the cursor moves. Re-applying the same batch changes nothing.
  Status ApplySyncBatch(const SyncBatch& batch);
  // The value `field` of the record got at server version `version`, as
  // this device logged it (an own entry the server took under that version,
  // or one it received); nullopt when the log has none (or it is damaged).
  // What a text delta is made against (docs/sync-protocol.md, "Deltas").
  Result<std::optional<nlohmann::json>> ValueAtVersion(const std::string& record_id, const std::string& field,
                                                       ServerVersion version);
  // Change-log entries per state.
  Result<ChangeStateCounts> CountChangeStates();
  // Own changes in one state (e.g. rejected, each with its entry's reason),
  // newest entry first; `limit` counts changes and never splits an entry.
  Result<std::vector<std::pair<ChangeEntry, std::string>>> ChangesInState(ChangeState state, int limit);
  // Conflicts, newest first, each marked `mine` (ConflictIsMine) for the
  // saved user and that account's roles. Lists show the ones marked mine;
  // the others stay stored and keep protecting their values.
  Result<std::vector<FieldConflict>> Conflicts(bool open_only);
  // Resolves a conflict by an ordinary edit that writes `value` to the field
  // (logged even when the value is unchanged, so the server learns of it).
  Result<CommitResult> ResolveConflict(const std::string& conflict_id, const nlohmann::json& value);
  // The token is not in the file: it is kept with platform/credentials.h
  // under a key of this file's path and device id (a copy elsewhere is signed
  // out). Saving a non-empty user name gives that account the changes made
  // while nobody had signed in on this device.
  Result<SyncSettings> GetSyncSettings();
  Status SaveSyncSettings(const SyncSettings& settings);
  // Saves SyncSettings::zstd_server ("" forgets it).
  Status RememberZstdServer(const std::string& server_url);

  // ---- A shared device: several accounts (docs/store.md, "Accounts") ----
  // Each own change belongs to the account signed in when it was made; a sync
  // sends only the current account's (PendingChanges).
  // Saves the workspaces `account` is a member of, as the server said (login
  // or sync answer); Store::Visible applies them.
  Status SaveMemberships(const std::string& account, const std::vector<std::pair<std::string, std::string>>& ws);
  // A workspace the saved user was a member of and the server no longer
  // lists (removed): once none of its records has unsent or refused changes
  // (those are refused by the server and wait for the person to move or
  // discard them), and no other account of this device is a member, its
  // local records, history and search entries are removed. Returns the names
  // of the workspaces removed now (each once, to tell the person).
  Result<std::vector<std::string>> DropLeftWorkspaces();
  // Unsent own entries (waiting or sent) of accounts other than the saved
  // user, per account name, most first.
  Result<std::vector<std::pair<std::string, int64_t>>> UnsentOfOtherAccounts();

 private:
  class BatchApplier;  // store_apply.cpp
};

}  // namespace ccfield
