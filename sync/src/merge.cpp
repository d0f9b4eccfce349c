// The field-level merge rules of docs/sync-protocol.md ("Merge rules").
// MergeText lives in text_merge.cpp.
#include "ccfield/sync/merge.h"

#include <optional>
#include <string>
#include <utility>

namespace ccfield::sync {

FieldMerge MergeField(const FieldState& current, const nlohmann::json& base_value, const Incoming& in) {
  // Rule 1: nothing concurrent. A device's own changes are sequential, so its
  // edit follows whatever it wrote last even when its base is older.
  if (!current.exists || current.version <= in.base || current.device_id == in.device_id) {
    return {FieldOutcome::kFastForward, in.value, nullptr};
  }
  // Rule 2: concurrent, but both wrote the same value.
  if (current.value == in.value) return {FieldOutcome::kSameValue, in.value, nullptr};
  // Rule 3: concurrent long-text edits merge when they do not overlap. Ours is
  // the server's current value, theirs the pushed one; an unknown base is "".
  if (in.long_text && current.value.is_string() && in.value.is_string() &&
      (base_value.is_string() || base_value.is_null())) {
    static const std::string kEmpty;
    const std::string& base = base_value.is_string() ? base_value.get_ref<const std::string&>() : kEmpty;
    std::optional<std::string> merged =
        MergeText(base, current.value.get_ref<const std::string&>(), in.value.get_ref<const std::string&>());
    if (merged) return {FieldOutcome::kTextMerged, std::move(*merged), nullptr};
  }
  // Rule 4: the later arrival wins; the previous value is kept as the loser.
  return {FieldOutcome::kConflict, in.value, current.value};
}

bool DeleteLosesToEdit(ServerVersion delete_base, ServerVersion record_max_version_by_others) {
  return record_max_version_by_others > delete_base;
}

bool EditRevivesDeleted(ServerVersion edit_base, ServerVersion deleted_at_version, bool deleted_by_same_device) {
  return !deleted_by_same_device && deleted_at_version > edit_base;
}

}  // namespace ccfield::sync
