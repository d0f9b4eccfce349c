#pragma once
// Changes the server makes itself (text merges, undeletes, admin commands):
// device "server", device_seq = version, kept in the history and in the
// field state like any other change, so that devices receive them.

#include <string>

#include "ccfield/server/storage.h"

namespace ccfield::server {

struct ServerEdit {
  std::string type;
  std::string record_id;
  std::string workspace_id;
  std::string field;
  nlohmann::json value;
  std::string time;    // server clock, ISO 8601 UTC
  std::string author;  // person on whose behalf, or "server"
  bool created = false;
};

// Appends the change with the next version and makes it the field's state.
// REQUIRES: in a storage transaction.
Result<ServerVersion> WriteServerChange(ServerStorage* storage, const ServerEdit& edit);

}  // namespace ccfield::server
