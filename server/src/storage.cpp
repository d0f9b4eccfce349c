#include "ccfield/server/storage.h"

namespace ccfield::server {

const char* HistoryOutcomeName(HistoryOutcome o) {
  switch (o) {
    case HistoryOutcome::kApplied:
      return "applied";
    case HistoryOutcome::kMerged:
      return "merged";
    case HistoryOutcome::kKeptOut:
      return "kept_out";
  }
  return "?";
}

}  // namespace ccfield::server
