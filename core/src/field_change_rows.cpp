#include "ccfield/core/field_change_rows.h"

namespace ccfield {

Result<FieldConflict> ReadConflictRow(const sql::Stmt& q, const StoredJsonReader& json_at) {
  FieldConflict c;
  c.id = q.Text(0);
  c.version = q.Int(1);
  c.type = ParseChangeType(q.Text(2));
  c.record_id = q.Text(3);
  c.workspace_id = q.Text(4);
  c.field = q.Text(5);
  CCF_ASSIGN_OR_RETURN(c.base, json_at(q, 6));
  CCF_ASSIGN_OR_RETURN(c.winner, json_at(q, 7));
  CCF_ASSIGN_OR_RETURN(c.loser, json_at(q, 8));
  c.winner_device = q.Text(9);
  c.loser_device = q.Text(10);
  c.winner_author = q.Text(11);
  c.loser_author = q.Text(12);
  c.loser_time = q.Text(13);
  c.winner_version = q.Int(14);
  c.resolved = q.Int(15) != 0;
  c.resolved_by = q.Int(16);
  c.winner_user = q.Text(17);
  c.loser_user = q.Text(18);
  return c;
}

}  // namespace ccfield
