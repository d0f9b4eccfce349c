#pragma once
// RecordTally: how many records, per type, a sync's changes touched (issue
// 14: "Pushed 1,000 visits (11,000 field changes)"). Each field change
// travels on its own; people count records. A record counts once however
// many of its fields moved and in however many round trips.
// Not thread-safe (one SyncReport, one thread).
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ccfield/core/change.h"
#include "ccfield/core/field_change.h"

namespace ccfield::sync {

class RecordTally {
 public:
  // Counts the records of the changes in `sent` whose device seq one of
  // `acks` names (the server took them: applied, merged, in conflict or a
  // duplicate of one it took before).
  void AddAcknowledged(const std::vector<ChangeEntry>& sent, const std::vector<ChangeAck>& acks);
  // Counts the records of `changes` (received from the server).
  void AddChanges(const std::vector<FieldChange>& changes);
  // Adds the records `other` counted (a record both counted counts once).
  void Merge(const RecordTally& other);

  // Distinct records of `type`; of every type.
  int64_t Count(ChangeType type) const;
  int64_t Total() const { return static_cast<int64_t>(seen_.size()); }
  // The types with at least one record, in ChangeType order, with their counts.
  std::vector<std::pair<ChangeType, int64_t>> ByType() const;

 private:
  std::set<std::pair<ChangeType, std::string>> seen_;  // (type, record id)
};

}  // namespace ccfield::sync
