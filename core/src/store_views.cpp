// Read models for list screens: visit rows without their answers, and the
// latest condition per site for the map. Plain SELECTs; no writes.
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"

namespace ccfield {

Result<std::vector<VisitRow>> ScreenQueries::VisitRows(const VisitFilter& f) {
  std::string sql =
      "SELECT v.id, v.started_at, v.status, v.site_id, s.name, v.project_id, v.form, v.condition_rating, "
      "v.follow_up_needed, v.follow_up_priority, v.follow_up_due, substr(v.notes, 1, 400) "
      "FROM visits v LEFT JOIN sites s ON s.id = v.site_id WHERE v.deleted = 0";
  std::vector<std::string> binds;
  auto equal = [&](const std::optional<std::string>& value, const char* column) {
    if (!value) return;
    sql += std::string(" AND ") + column + " = ?";
    binds.push_back(*value);
  };
  if (s_->schema_version_ >= 7) sql += " AND " + internal::VisibleCondition("v.workspace_id", "v.id");
  equal(f.site_id, "v.site_id");
  equal(f.project_id, "v.project_id");
  if (f.form_id) {
    sql += " AND v.form >= ? AND v.form < ?";  // "id@" prefix
    binds.push_back(*f.form_id + "@");
    binds.push_back(*f.form_id + "A");
  }
  // started_at keeps the device's offset; its first ten bytes are the local day.
  if (f.from_date) {
    sql += " AND substr(v.started_at, 1, 10) >= ?";
    binds.push_back(*f.from_date);
  }
  if (f.to_date) {
    sql += " AND substr(v.started_at, 1, 10) <= ?";
    binds.push_back(*f.to_date);
  }
  if (f.follow_up_priority) {
    sql += " AND v.follow_up_needed = 1";
    equal(f.follow_up_priority, "v.follow_up_priority");
  }
  sql += " ORDER BY v.started_utc DESC, v.id LIMIT ?";
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(sql));
  int i = 1;
  for (const std::string& b : binds) q.Bind(i++, b);
  q.Bind(i++, static_cast<int64_t>(f.limit));
  std::vector<VisitRow> rows;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    VisitRow r;
    r.id = q.Text(0);
    r.started_at = q.Text(1);
    r.status = q.Text(2);
    r.site_id = q.Text(3);
    r.site_name = q.Text(4);
    r.project_id = q.Text(5);
    r.form = q.Text(6);
    r.condition_rating = q.Text(7);
    r.follow_up_needed = !q.IsNull(8) && q.Int(8) != 0;
    r.follow_up_priority = q.Text(9);
    r.follow_up_due = q.Text(10);
    std::string notes = q.Text(11);
    std::string_view head = notes;
    head = head.substr(0, head.find('\n'));
    r.notes_head = std::string(Utf8Prefix(head, 100));
    rows.push_back(std::move(r));
  }
  // One indexed lookup per row: cheap for the short lists of Home and a
  // site's history, and no map of every unsent record on a huge store.
  for (VisitRow& r : rows) {
    CCF_ASSIGN_OR_RETURN(r.sync, LookupState(r.id, r.status == "draft"));
  }
  if (f.state) std::erase_if(rows, [&](const VisitRow& r) { return r.sync.state != *f.state; });
  return rows;
}

Result<std::vector<std::pair<std::string, std::string>>> ScreenQueries::LatestSiteConditions() {
  // SQLite's bare-column rule: with max(), the other columns come from that row.
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
      "SELECT site_id, condition_rating, max(started_utc) FROM visits "
      "WHERE deleted = 0 AND condition_rating IS NOT NULL GROUP BY site_id"));
  return sql::AllRows<std::pair<std::string, std::string>>(
      q, [](const sql::Stmt& r) { return std::make_pair(r.Text(0), r.Text(1)); });
}

}  // namespace ccfield
