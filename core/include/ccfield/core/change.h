#pragma once
// The write operations: a closed set declared once. Every change to the store
// is one of these, committed through Store::Commit, which also writes the
// change-log entries in the same transaction.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

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

// One entry of the change log: one changed field of one record.
struct ChangeEntry {
  int64_t seq = 0;            // local order of commit
  std::string device_id;      // the device that made the change
  int64_t device_seq = 0;     // per-device sequence number (DeviceSeq)
  std::string device_time;    // device wall clock, ISO 8601 UTC; data, not order
  std::string author;         // who made it (member id or user name), as the device typed it
  // The user the server authenticated when this change was pushed (received
  // changes only; "" for this device's own changes and before schema 8).
  std::string pushed_by;
  RecordType type = RecordType::kVisit;
  std::string record_id;
  std::string field;          // field name, "answers.<id>", or "_deleted"
  nlohmann::json value;       // new value (true/false for "_deleted")
  bool created = false;       // this commit created the record
};

}  // namespace ccfield
