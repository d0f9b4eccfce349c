#pragma once
// Changes the server makes itself (text merges, undeletes, admin commands):
// device "server", device_seq = version, kept in the history and in the
// field state like any other change, so that devices receive them.

#include "ccfield/server/storage.h"

namespace ccfield::server {

// Appends `change` (type, record_id, workspace_id, field, value, time =
// server clock, author = the person on whose behalf or "server", created)
// with the next version, as made by the server, and makes it the field's
// state. Its origin and version fields are set here.
// REQUIRES: in a storage transaction.
Result<ServerVersion> WriteServerChange(ServerStorage* storage, const FieldChange& change);

}  // namespace ccfield::server
