#include "server_changes.h"

namespace ccfield::server {

Result<ServerVersion> WriteServerChange(ServerStorage* storage, const FieldChange& change) {
  CCF_ASSIGN_OR_RETURN(ServerVersion v, storage->NextVersion());
  HistoryEntry h;
  static_cast<FieldChange&>(h) = change;
  h.version = v;
  h.device_id = sync::kServerDeviceId;
  h.device_seq = v;
  h.user.clear();
  h.base = 0;
  h.outcome = HistoryOutcome::kApplied;
  CCF_RETURN_IF_ERROR(storage->AppendChange(h));
  StoredField f;
  f.state = sync::FieldState{true, change.value, v, sync::kServerDeviceId};
  f.author = change.author;
  f.time = change.time;
  CCF_RETURN_IF_ERROR(storage->SetField(change.record_id, change.field, f));
  return v;
}

}  // namespace ccfield::server
