#pragma once
// The merge rules, as pure functions: no storage, no clock, no network.
// The server applies them to every pushed change; devices will run the same
// code for device-to-device and USB sync. docs/sync-protocol.md explains them.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ccfield/sync/protocol.h"

namespace ccfield::sync {

// Three-way merge of text against the common base. Line-wise first; when two
// edits touch the same line, word-wise within those lines. Returns nullopt
// when the edits overlap (same words changed differently).
// merge(b, x, b) == x, merge(b, b, y) == y, merge(b, x, x) == x.
// Also nullopt (a conflict, which loses nothing) when a text is larger than
// kMaxMergeTextBytes or the texts are too different to diff within a fixed
// work limit (tens of milliseconds), so a pathological push stays cheap.
// Works on bytes; splits words only at ASCII whitespace, so UTF-8 characters
// are never split. Thread-safe (no shared state).
inline constexpr size_t kMaxMergeTextBytes = 1024 * 1024;
std::optional<std::string> MergeText(std::string_view base, std::string_view ours, std::string_view theirs);

// The server's current state of one field.
struct FieldState {
  bool exists = false;          // the field has been set at least once
  nlohmann::json value;         // current value
  ServerVersion version = 0;    // version that set it
  std::string device_id;        // device whose change set it ("server" for merges)
};

// A pushed change to that field.
struct Incoming {
  nlohmann::json value;
  ServerVersion base = 0;       // version the device's edit was based on
  std::string device_id;
  bool long_text = false;       // the field is long text (mergeable)
};

enum class FieldOutcome {
  kFastForward,  // no concurrent edit (base is current, or the current value is the same device's): apply
  kSameValue,    // concurrent, but both wrote the same value: apply (history keeps both), no conflict
  kTextMerged,   // concurrent long-text edits that did not overlap: apply `value` (the merge)
  kConflict,     // concurrent and not mergeable: apply `value` (later arrival wins), keep `loser`
};

struct FieldMerge {
  FieldOutcome outcome;
  nlohmann::json value;   // what the field becomes
  nlohmann::json loser;   // kConflict: the value that lost (the previous current value)
};

// Decides one field change. `base_value` is the field's value at version
// in.base (null when unknown or 0). A change is concurrent when the field was
// changed after in.base by another device.
FieldMerge MergeField(const FieldState& current, const nlohmann::json& base_value, const Incoming& in);

// Delete against edit. `record_max_version_by_others` is the highest version
// of any field of the record set by a device other than the deleting one.
// Returns true when the delete must be kept out (an edit the deleting device
// had not seen keeps the record alive; a conflict records the delete).
bool DeleteLosesToEdit(ServerVersion delete_base, ServerVersion record_max_version_by_others);

// An edit to a record that another device deleted after the edit's base:
// the edit wins, the record comes back, and a conflict records the delete.
bool EditRevivesDeleted(ServerVersion edit_base, ServerVersion deleted_at_version, bool deleted_by_same_device);

}  // namespace ccfield::sync
