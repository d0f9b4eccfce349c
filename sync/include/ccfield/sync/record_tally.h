#pragma once
// RecordTally: how many records, per type, a sync's changes touched (issue
// 14: "Pushed 1,000 visits (11,000 field changes)"). People count records.
// A record counts once however many of its fields moved, in however many
// entries and round trips.
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
  // Counts the records of the entries in `sent` (fields of an entry
  // adjacent, EntryEnd) whose device seq one of `acks` names (the server
  // took them: applied, merged, in conflict or a duplicate of one it took
  // before). An entry may have one ack (field "") or several (per field).
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

// The field changes in `sent` whose entry's device seq is one of `seqs`
// (answers name entries; a seq may be named several times).
int64_t CountAnswered(const std::vector<ChangeEntry>& sent, std::vector<DeviceSeq> seqs);

}  // namespace ccfield::sync
