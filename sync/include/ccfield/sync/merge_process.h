#pragma once
// The merge process: what becomes of one pushed field change, as a pure
// function of the change and a small history-lookup interface. It applies
// every rule of docs/sync-protocol.md ("Merge rules": fast-forward, same
// value, long-text merge, later arrival + conflict, delete vs edit,
// resolving) and returns a decision; it writes nothing. The caller
// implements the lookup over its storage (the server over SQLite; a hub
// device or a PostgreSQL server over theirs) and stores the decision in the
// order DecideMerge's comment gives, inside the transaction it read in.
//
// No storage, clock, randomness or network here: conflict ids, versions and
// the history entries are the caller's.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/sync/merge.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::sync {

// What the merge needs to know about a record apart from its fields.
struct RecordState {
  bool deleted = false;
  ServerVersion deleted_version = 0;  // version of the delete in force (when deleted)
  std::string deleted_by_device;
};

// The current state of one field and who set it.
struct FieldNow {
  FieldState state;    // exists, value, version, device_id
  std::string author;  // author of the change that set it
  std::string time;    // device time of that change
};

// A device's latest accepted change to a field, as it sent it.
struct OwnChange {
  nlohmann::json value;
  ServerVersion version = 0;
};

// Who made the change with a given version.
struct ChangeOrigin {
  std::string device_id;
  std::string author;
  std::string user{};  // the user name the server authenticated for it ("" for the server's own changes)
};

// The history the merge reads. Every method reads the state as of the
// caller's transaction (the changes stored before this one included); a
// failure is returned as is and the merge decides nothing.
class MergeLookup {
 public:
  virtual ~MergeLookup() = default;
  // The record, or nullopt when the server does not have it yet.
  virtual Result<std::optional<RecordState>> Record(const std::string& record_id) = 0;
  // The field's current state; state.exists == false when never set.
  virtual Result<FieldNow> Field(const std::string& record_id, const std::string& field) = 0;
  // The field's value as of `version`: the latest applied change with a
  // version <= `version`; null when there is none (or it has expired).
  virtual Result<nlohmann::json> ValueAt(const std::string& record_id, const std::string& field,
                                         ServerVersion version) = 0;
  // The latest accepted change of `device_id` to the field; nullopt: none.
  virtual Result<std::optional<OwnChange>> LatestOwnChange(const std::string& record_id, const std::string& field,
                                                           const std::string& device_id) = 0;
  // Highest version of an applied change to any field of the record by a
  // device other than `device_id` (the server counts as another); 0: none.
  virtual Result<ServerVersion> MaxVersionByOthers(const std::string& record_id, const std::string& device_id) = 0;
  // Who made the change with that version; nullopt when it is gone (expired).
  // Also read when a conflict is made, for the user of its other side.
  virtual Result<std::optional<ChangeOrigin>> ChangeAt(ServerVersion version) = 0;
  // Open (unresolved) conflicts on the field, oldest first.
  virtual Result<std::vector<FieldConflict>> OpenConflicts(const std::string& record_id, const std::string& field) = 0;
  // History below this version may have been expired (docs/retention.md):
  // the value at an older base can be missing. 0: nothing expired.
  virtual Result<ServerVersion> ExpiredThrough() = 0;
};

// One pushed change that passed the server's checks. The references must
// outlive the DecideMerge call.
struct MergeInput {
  const FieldChange& change;     // as the device sent it (record, field, base, time, author)
  const nlohmann::json& value;   // its value after validation (a bool for "_deleted")
  const std::string& device_id;  // the pushing device
  bool long_text = false;        // the field is long text (text-mergeable)
  std::string_view user{};       // the user name the server authenticated for the push (conflicts keep it)
};

// What becomes of the pushed change itself.
enum class PushedFate {
  kApplied,  // gets the next version and becomes the field's value
  kMerged,   // gets the next version and stays in the history; the server's merge (server_value) sets the field
  kKeptOut,  // a delete kept out by a concurrent edit: in the history with version 0, never sent
};

// The decision for one pushed change. The pushed change's value in the
// history is always MergeInput::value. "The change's version" below is the
// version the pushed change gets, or for kKeptOut the server change's.
//
// The caller stores it in this order (each step that takes a version takes
// the next one):
//   1. create_record: add the record (not deleted) before anything else.
//   2. The pushed change into the history: fate, ack (as its stored answer);
//      a version unless kKeptOut.
//   3. kApplied: the field's state becomes the pushed value, set by the
//      pushing device at that version (author and time of the change).
//   4. server_value: a change the server makes to the same field (device
//      "server", author server_author), which sets the field and every
//      device, the pusher too, receives.
//   5. set_deleted: the record's deleted flag, by the pusher at its version.
//   6. resolve: each conflict marked resolved by the change's version (each
//      update takes a version).
//   7. conflict: stored with winner_version = the change's version.
//   8. revive: the server writes "_deleted" = false and marks the record not
//      deleted (device "server", at that change's version), then stores the
//      conflict with winner_version = that version.
//   9. The device is told `ack`, with the pushed change's version (0 when kept out).
// Conflicts come with id, version and winner_version unset (0, ""): ids and
// versions are the caller's. Each side's user is MergeInput::user for the
// pushed side and ChangeAt(version of the other side's change).user for the
// other ("" when that change is gone or was the server's own).
struct MergeDecision {
  bool create_record = false;
  PushedFate fate = PushedFate::kApplied;
  ChangeOutcome ack = ChangeOutcome::kApplied;  // kApplied, kMerged or kConflict
  std::optional<nlohmann::json> server_value;
  std::string server_author;
  std::optional<bool> set_deleted;
  std::vector<std::string> resolve;  // ids of open conflicts on the change's field
  std::optional<FieldConflict> conflict;
  std::optional<FieldConflict> revive;
};

// Decides one pushed change (rules 1-6). Errors: the lookup's, and
// kInvalidArgument for a "_deleted" change that is not a bool or whose record
// the server does not have (the server's checks reject both before).
Result<MergeDecision> DecideMerge(const MergeInput& in, MergeLookup& lookup);

// Rule 6: the open conflicts that an edit based on `base` resolves, i.e.
// those whose winner the device had received (winner_version <= base). An
// edit with base 0 resolves nothing.
std::vector<std::string> ConflictsResolvedBy(ServerVersion base, const std::vector<FieldConflict>& open);

}  // namespace ccfield::sync
