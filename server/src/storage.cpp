#include "ccfield/server/storage.h"

#include "ccfield/core/named.h"

namespace ccfield::server {

constexpr Named<HistoryOutcome> kHistoryOutcomes[] = {
    {HistoryOutcome::kApplied, "applied"}, {HistoryOutcome::kMerged, "merged"}, {HistoryOutcome::kKeptOut, "kept_out"}};

const char* HistoryOutcomeName(HistoryOutcome o) { return NameIn(kHistoryOutcomes, o, "?"); }

}  // namespace ccfield::server
