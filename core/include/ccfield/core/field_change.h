#pragma once
// One shape for a field change and one for a conflict, defined once and used
// by every stage of sync (docs/architecture.md): the device's change log
// (ChangeEntry), the pending changes it pushes, the protocol codec (the only
// place that turns these into JSON), the server's merge and history
// (HistoryEntry) and the changes a device receives. Nothing here knows JSON
// text, SQL or HTTP.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/records.h"

namespace ccfield {

// The server's total order of accepted changes. 0 means "none" (not yet
// accepted, kept out, or "nothing yet" as a cursor).
using ServerVersion = int64_t;
// A device's own sequence number of its changes (change_log.device_seq).
using DeviceSeq = int64_t;

// What a change is about: a record of one of core's types, or a form (the
// platform publishes forms; devices never push one). kUnknown: a name this
// build does not know (a newer peer); the server refuses that change alone
// and a device keeps it in its history without applying it.
enum class ChangeType : uint8_t {
  kWorkspace, kMember, kProject, kSite, kVisit, kPractice, kContact, kPhoto, kForm, kUnknown
};
ChangeType ChangeTypeOf(RecordType t);
std::optional<RecordType> RecordTypeOf(ChangeType t);  // nullopt for kForm and kUnknown
std::string_view ChangeTypeName(ChangeType t);         // "visit", "form"; "unknown"
ChangeType ParseChangeType(std::string_view name);     // "visit" (singular), "form"; else kUnknown

// What the server told the device about a pushed change.
enum class ChangeOutcome : uint8_t {
  kApplied,    // applied as sent
  kMerged,     // text merged with a concurrent edit; the merged value comes as a server change
  kConflict,   // applied or kept out, and a conflict keeps the other value
  kDuplicate,  // seen before (a re-sent batch); the version is the original one
  // Not taken: a field of the entry came as a text delta (FieldChange::delta)
  // the server could not apply (its base is gone or differs). The device
  // sends the entry again with whole values; nothing was applied.
  kResendWhole,
};
const char* ChangeOutcomeName(ChangeOutcome o);  // "applied", "merged", "conflict", "duplicate", "resend_whole"
std::optional<ChangeOutcome> ParseChangeOutcome(std::string_view name);

// Why the server refused a pushed change (the reason is plain words for the
// person; the code is for programs). kOther: a code this build does not know.
enum class RejectCode : uint8_t { kForbidden, kReadOnly, kInvalid, kUnknownType, kSeqReused, kOther };
const char* RejectCodeName(RejectCode c);  // "forbidden", "read_only", "invalid", "unknown_type", "seq_reused", "other"
RejectCode ParseRejectCode(std::string_view name);

// The server's doubt about a change's device time (data, never order): more
// than the allowed skew ahead of the server's clock, or before the device's
// previous sync. The UI translates it; it is stored and sent as its name.
enum class ClockFlag : uint8_t { kNone, kFuture, kBeforeLastSync };
const char* ClockFlagName(ClockFlag f);           // "", "future", "before_last_sync"
ClockFlag ParseClockFlag(std::string_view name);  // unknown names: kNone

// One change to one field of one record, wherever it is on its way.
struct FieldChange {
  ChangeType type = ChangeType::kVisit;
  std::string record_id;
  std::string workspace_id;  // the record's workspace ("" for library records and forms)
  std::string field;         // field name, "answers.<id>" or "_deleted"
  nlohmann::json value;      // the new value (true/false for "_deleted")
  bool created = false;      // the change's commit created the record
  // Origin: who made it, where and when.
  std::string device_id;     // the device that made it, or "server"
  DeviceSeq device_seq = 0;  // that device's sequence number (the server's: = version)
  std::string time;          // origin device time, ISO 8601 UTC: data, not order
  std::string author;        // what the device typed as author (not verified)
  std::string user;          // the user the server authenticated for the push ("" for own and server changes)
  // Place in the server's order.
  ServerVersion base = 0;     // version of the field the edit was made on (0: none); pushed changes
  ServerVersion version = 0;  // version the server gave it (0: not yet, or kept out)
  // On the wire only (protocol 3, docs/sync-protocol.md "Deltas"): a patch
  // (sync/text_delta.h) that turns the field's value at `base` into the new
  // value, sent instead of it. Null: `value` is the whole value. A device
  // sets it on a pending change (and keeps `value`); the server's codec
  // reads it with a null `value`, which the server rebuilds from its history.
  nlohmann::json delta;
};

// Two values of one field that could not both win: the server applied one
// and keeps the other until someone resolves it with an ordinary edit.
struct FieldConflict {
  std::string id;             // uuid
  ServerVersion version = 0;  // bumps when the conflict changes (resolved)
  ChangeType type = ChangeType::kVisit;
  std::string record_id;
  std::string workspace_id;
  std::string field;
  nlohmann::json base;    // common ancestor value (null if none)
  nlohmann::json winner;  // value applied
  nlohmann::json loser;   // value kept so nothing is lost
  std::string winner_device, loser_device;
  std::string winner_author, loser_author;
  // The user name the server authenticated when each side was pushed ("" for
  // the server's own merges, history since expired, and servers before
  // schema 7 / devices before schema 10, which did not record it).
  std::string winner_user, loser_user;
  std::string loser_time;
  ServerVersion winner_version = 0;
  bool resolved = false;
  ServerVersion resolved_by = 0;
  // Device only, never on the wire: resolved on this device, not yet
  // confirmed by the server.
  bool resolving_locally = false;
  // Device only, never on the wire: ConflictIsMine for the signed-in user,
  // as SyncReplica::Conflicts read it (true elsewhere).
  bool mine = true;
};

// Whether `c` is for `my_user` to resolve (issue 14, "conflicts go to those
// involved"): my user pushed one of its sides (winner_user or loser_user,
// compared without regard to ASCII case: the server keeps names lower case),
// or `my_role` in the conflict's workspace is "coordinator" or "admin". A
// conflict that names no user (an older server, or two sides the server no
// longer knows) and a device nobody signed in on (`my_user` empty) keep
// today's rule: every conflict is listed. The one place of this rule.
bool ConflictIsMine(const FieldConflict& c, std::string_view my_user, std::string_view my_role);

// The server's answer about one pushed change it took: about one field of an
// entry (protocol 3), or about every field of the entry `device_seq` names
// when `field` is "" (protocol 1 answers, whose entries have one field).
//
// An entry (docs/sync-v2.md) is what one commit changed in one record: the
// field changes that share (device_id, device_seq). They share one server
// version, and travel once on the wire with their shared metadata.
struct ChangeAck {
  DeviceSeq device_seq = 0;
  ServerVersion version = 0;  // 0 when the change was kept out by a conflict
  ChangeOutcome outcome = ChangeOutcome::kApplied;
  ClockFlag clock = ClockFlag::kNone;
  std::string field;  // the field this answer is about; "": all fields of the entry
};

// The end (one past the last) of the entry that starts at `begin`: the run
// of adjacent changes that share the entry's device and device sequence
// number. Every list of changes (pending, pushed, pulled, received) keeps the
// fields of an entry adjacent, and an entry never spans two requests or two
// pages. The one place of the grouping rule; works on FieldChange and on the
// types derived from it.
template <class Change>
size_t EntryEnd(const std::vector<Change>& changes, size_t begin) {
  size_t end = begin + 1;
  while (end < changes.size() && changes[end].device_seq == changes[begin].device_seq &&
         changes[end].device_id == changes[begin].device_id) {
    ++end;
  }
  return end;
}

// The server's answer about one pushed change it refused.
struct ChangeRefusal {
  DeviceSeq device_seq = 0;
  RejectCode code = RejectCode::kInvalid;
  std::string reason;  // plain words for the person
};

}  // namespace ccfield
