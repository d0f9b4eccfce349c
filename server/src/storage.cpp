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

sync::ServerChange HistoryEntry::ToServerChange() const {
  sync::ServerChange c;
  c.version = version;
  c.type = type;
  c.id = record_id;
  c.workspace_id = workspace_id;
  c.field = field;
  c.value = value;
  c.device_id = device_id;
  c.device_seq = device_seq;
  c.time = time;
  c.author = author;
  c.created = created;
  return c;
}

}  // namespace ccfield::server
