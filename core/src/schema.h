#pragma once
// Schema migrations keyed on PRAGMA user_version. Each step runs in its own
// transaction; a file made by any earlier version opens and is upgraded.
#include <functional>
#include <string>

#include "ccfield/core/status.h"

namespace ccfield {
namespace sql {
class Db;
}

// Brings the file to `target` (the latest when 0). `new_device_id` is called
// once when a new file is created. `*version` receives the version reached.
// `reindex` is called inside the step that creates the search index, so
// existing records become searchable in the same transaction.
Status Migrate(sql::Db* db, int target, const std::function<std::string()>& new_device_id,
               const std::function<Status()>& reindex, int* version);

}  // namespace ccfield
