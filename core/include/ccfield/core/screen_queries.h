#pragma once
// ScreenQueries: what the screens show (Home's attention list and counts,
// visit lists, site conditions, near-duplicate sites, each record's state).
// Read-only; lives in its Store (Store::screens()) on the store's connection.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ccfield/core/replica.h"
#include "ccfield/core/status.h"
#include "ccfield/core/store_types.h"

namespace ccfield {

class ScreenQueries : public StorePart {
 public:
  explicit ScreenQueries(Store* store) : StorePart(store) {}

  // Open follow-ups and drafts, at most `limit` of each.
  Result<AttentionList> Attention(int limit);

  // Visit list rows, newest first, filtered.
  Result<std::vector<VisitRow>> VisitRows(const VisitFilter& filter);
  // The condition rating of each site's latest visit that has one (site id -> "0".."3", "na", "ni").
  Result<std::vector<std::pair<std::string, std::string>>> LatestSiteConditions();

  // Live sites that may be the same place as `candidate`, nearest first.
  // A warning for people, never a rule: saving is not blocked.
  Result<std::vector<SimilarSite>> SimilarSites(const SiteCandidate& candidate);

  // ---- What a person sees of each record (replica.h, RecordState) ----
  // The state of every record of `type` that is not plainly "sent": id ->
  // status. Reads only the unsent part of the change log (by index), so it
  // is cheap when the device is in sync. Visit drafts are not included
  // (VisitRows and CountRecordStates add them from the visit's status).
  Result<std::map<std::string, RecordStatus>> RecordStates(RecordType type);
  // One record's status (a visit's draft state included).
  Result<RecordStatus> RecordStateOf(RecordType type, const std::string& id);
  // Live (not deleted) records of `type` per state, as Home shows them.
  Result<RecordStateCounts> CountRecordStates(RecordType type);
  // Records with refused changes, newest refusal first: Store::RetryRefused,
  // MoveToWorkspace and DiscardRefused take their ids.
  Result<std::vector<std::pair<Record, RecordStatus>>> RefusedRecords(int limit);

 private:
  // The state of one record from record_state and open conflicts (not the
  // demo table): the per-row lookup of lists.
  Result<RecordStatus> LookupState(const std::string& id, bool is_draft);
};

}  // namespace ccfield
