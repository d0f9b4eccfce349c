#include "ccfield/server/storage.h"

#include "ccfield/core/named.h"

namespace ccfield::server {

constexpr Named<HistoryOutcome> kHistoryOutcomes[] = {
    {HistoryOutcome::kApplied, "applied"}, {HistoryOutcome::kMerged, "merged"}, {HistoryOutcome::kKeptOut, "kept_out"}};

const char* HistoryOutcomeName(HistoryOutcome o) { return NameIn(kHistoryOutcomes, o, "?"); }

Result<std::optional<HistoryEntry>> ServerStorage::FindChange(const std::string& device_id, DeviceSeq seq) {
  CCF_ASSIGN_OR_RETURN(std::vector<HistoryEntry> fields, FindEntry(device_id, seq));
  if (fields.empty()) return std::optional<HistoryEntry>();
  return std::optional<HistoryEntry>(std::move(fields.front()));
}

}  // namespace ccfield::server
