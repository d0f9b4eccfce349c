#pragma once
// The write operations: a closed set declared once. Every change to the store
// is one of these, committed through Store::Commit, which also writes the
// change-log entries in the same transaction.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "ccfield/core/field_change.h"
#include "ccfield/core/records.h"

namespace ccfield {

// Creates the record if it does not exist, else changes the given fields.
// `fields` is an object of field -> value; null clears an optional field.
// Visit answers are fields "answers.<id>" (or an "answers" object, expanded).
struct SetFields {
  RecordType type;
  std::string id;
  nlohmann::json fields = nlohmann::json::object();
  // Log every given field even when its value does not change (resolving a
  // conflict by keeping the current value is still an edit the server must see).
  bool log_unchanged = false;
};

// Marks the record deleted (a tombstone: it keeps its data and can be restored).
struct DeleteRecord {
  RecordType type;
  std::string id;
  bool log_unchanged = false;  // log even when already deleted (resolving a conflict)
};

// Undoes a delete.
struct RestoreRecord {
  RecordType type;
  std::string id;
  bool log_unchanged = false;  // log even when not deleted (resolving a conflict)
};

using Op = std::variant<SetFields, DeleteRecord, RestoreRecord>;

// One changed field of one record (a FieldChange) and its place in the
// device's change log. A log entry (schema 11) holds every field one commit
// changed in one record; readers get it as adjacent ChangeEntry values that
// share seq, device_seq and origin (EntryEnd groups them again). `user` is the user the
// server authenticated when a received change was pushed ("" for this
// device's own changes and before schema 8); `base` and `workspace_id` are
// filled for pending changes (SyncReplica::PendingChanges), `version` once the
// server has taken the change.
struct ChangeEntry : FieldChange {
  int64_t seq = 0;  // local order of commit
  // An own change the server took: its doubt about the device time, which
  // the UI words in the person's language (Store::History only).
  ClockFlag clock = ClockFlag::kNone;
};

}  // namespace ccfield
