#include "server_changes.h"

namespace ccfield::server {

Result<ServerVersion> WriteServerChange(ServerStorage* storage, const ServerEdit& e) {
  CCF_ASSIGN_OR_RETURN(ServerVersion v, storage->NextVersion());
  HistoryEntry h;
  h.version = v;
  h.type = e.type;
  h.record_id = e.record_id;
  h.workspace_id = e.workspace_id;
  h.field = e.field;
  h.value = e.value;
  h.device_id = sync::kServerDeviceId;
  h.device_seq = v;
  h.time = e.time;
  h.author = e.author;
  h.created = e.created;
  h.outcome = HistoryOutcome::kApplied;
  CCF_RETURN_IF_ERROR(storage->AppendChange(h));
  StoredField f;
  f.state.exists = true;
  f.state.value = e.value;
  f.state.version = v;
  f.state.device_id = sync::kServerDeviceId;
  f.author = e.author;
  f.time = e.time;
  CCF_RETURN_IF_ERROR(storage->SetField(e.record_id, e.field, f));
  return v;
}

}  // namespace ccfield::server
