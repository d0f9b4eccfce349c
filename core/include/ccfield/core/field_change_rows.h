#pragma once
// A FieldConflict as an SQL row, read one way by the device store and the
// server storage: both conflicts tables hold id, version, type, record_id,
// workspace_id, field, base, winner, loser, winner_device, loser_device,
// winner_author, loser_author, loser_time, winner_version, resolved,
// resolved_by, winner_user, loser_user in this order (values as JSON text;
// the users since server schema 7 and device schema 10).

#include <functional>
#include <nlohmann/json.hpp>

#include "ccfield/core/field_change.h"
#include "ccfield/core/sqlite_db.h"
#include "ccfield/core/status.h"

namespace ccfield {

// How a side reads a stored JSON column: the server refuses damaged text
// (kCorrupt), the device keeps the row with the damaged value marked.
using StoredJsonReader = std::function<Result<nlohmann::json>(const sql::Stmt& row, int col)>;

// Columns 0-18 of `row` as above. resolving_locally is left false.
Result<FieldConflict> ReadConflictRow(const sql::Stmt& row, const StoredJsonReader& json_at);

}  // namespace ccfield
