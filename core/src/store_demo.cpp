// The demo data set is a sandbox: its records live in demo_records, their
// change-log entries are in state 'demo' (never sent), and RemoveDemoData
// deletes them without touching real workspaces. See docs/store.md.

#include <set>

#include "ccfield/core/embedded.h"
#include "ccfield/core/store.h"
#include "store_internal.h"

namespace ccfield {

using nlohmann::json;

namespace internal {

Status MarkDemoRecords(sql::Db* db) {
  json demo = json::parse(FindEmbedded(kEmbeddedData, "demo.json"), nullptr, false);
  if (!demo.is_object()) return Status::Internal("the demo data set is missing from this build");
  for (RecordType type : kAllRecordTypes) {
    auto it = demo.find(std::string(TypeName(type)));
    if (it == demo.end() || !it->is_array()) continue;
    CCF_ASSIGN_OR_RETURN(sql::Stmt ins, db->Prepare("INSERT OR IGNORE INTO demo_records(record_id, record_type) "
                                                    "SELECT id, ? FROM " + std::string(Spec(type).table) +
                                                    " WHERE id = ?"));
    for (const json& item : *it) {
      if (!item.is_object() || !item.contains("id") || !item["id"].is_string()) continue;
      ins.Reset();
      CCF_RETURN_IF_ERROR(ins.Bind(1, TypeName(type)).Bind(2, item["id"].get<std::string>()).Run());
    }
  }
  // Everything made since in a demo workspace is demo too. (This is schema
  // step 6: photos, from step 9, have no table yet.)
  for (RecordType type : kAllRecordTypes) {
    if (type == RecordType::kWorkspace || type == RecordType::kPhoto || !FindField(type, "workspace_id")) continue;
    CCF_RETURN_IF_ERROR(db->Exec("INSERT OR IGNORE INTO demo_records(record_id, record_type) SELECT id, '" +
                                 std::string(TypeName(type)) + "' FROM " + std::string(Spec(type).table) +
                                 " WHERE workspace_id IN (SELECT record_id FROM demo_records WHERE "
                                 "record_type = 'workspace')"));
  }
  return db->Exec(
      "UPDATE change_log SET sync_state = 'demo', reject_reason = NULL WHERE sync_state IN ('waiting', 'sent', "
      "'rejected') AND record_id IN (SELECT record_id FROM demo_records)");
}

}  // namespace internal

namespace {

Result<std::string> Meta(sql::Db* db, const std::string& key) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT value FROM meta WHERE key = ?"));
  q.Bind(1, key);
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Text(0) : std::string();
}

Status SetMeta(sql::Db* db, const std::string& key, const std::string& value) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("INSERT INTO meta(key, value) VALUES(?, ?) "
                                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  return q.Bind(1, key).Bind(2, value).Run();
}

}  // namespace

Result<bool> Store::ShouldLoadDemo() {
  CCF_ASSIGN_OR_RETURN(bool empty, IsEmpty());
  if (!empty) return false;
  CCF_ASSIGN_OR_RETURN(std::string demo, Meta(db_.get(), "demo"));
  return demo.empty();
}

Status Store::DeclineDemo() {
  CCF_RETURN_IF_ERROR(db_->CheckWritable());
  return sql::Transact(db_.get(), [&] { return SetMeta(db_.get(), "demo", "declined"); });
}

Result<bool> Store::HasDemoData() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT 1 FROM demo_records LIMIT 1"));
  return q.Step();
}

Result<bool> Store::IsDemo(const std::string& record_id) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db_->Cached("SELECT 1 FROM demo_records WHERE record_id = ?"));
  q->Bind(1, record_id);
  Result<bool> row = q->Step();
  q->Reset();
  return row;
}

Result<std::vector<std::string>> Store::DemoWorkspaceIds() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q,
                       db_->Prepare("SELECT record_id FROM demo_records WHERE record_type = 'workspace' ORDER BY 1"));
  return sql::TextColumn(q);
}

Result<DemoRemoval> Store::RemoveDemoData() {
  CCF_RETURN_IF_ERROR(db_->CheckWritable());
  sql::Db* db = db_.get();
  DemoRemoval out;
  Status st = sql::Transact(db, [&]() -> Status {
    // Search entries first: they are found through the records' ids.
    CCF_ASSIGN_OR_RETURN(sql::Stmt ids, db->Prepare("SELECT record_id FROM demo_records"));
    std::vector<std::string> all;
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool row, ids.Step());
      if (!row) break;
      all.push_back(ids.Text(0));
    }
    for (const std::string& id : all) CCF_RETURN_IF_ERROR(internal::UnindexRecord(db, id));
    // Children before parents (visits before sites before workspaces).
    for (auto it = std::rbegin(kAllRecordTypes); it != std::rend(kAllRecordTypes); ++it) {
      const std::string table(Spec(*it).table);
      CCF_RETURN_IF_ERROR(
          db->Exec("DELETE FROM " + table + " WHERE id IN (SELECT record_id FROM demo_records)"));
      if (int64_t n = db->Changes(); n > 0) out.removed[std::string(TypeName(*it))] = n;
    }
    // A draft is about demo data when it names a demo record (its key or body
    // holds the visit's or the site's id).
    CCF_RETURN_IF_ERROR(db->Exec(
        "DELETE FROM drafts WHERE EXISTS (SELECT 1 FROM demo_records d WHERE instr(drafts.key, d.record_id) > 0 "
        "OR instr(drafts.body, d.record_id) > 0)"));
    out.drafts = db->Changes();
    CCF_RETURN_IF_ERROR(db->Exec(
        "DELETE FROM change_log WHERE record_id IN (SELECT record_id FROM demo_records);"
        "DELETE FROM field_versions WHERE record_id IN (SELECT record_id FROM demo_records);"
        "DELETE FROM conflicts WHERE record_id IN (SELECT record_id FROM demo_records);"
        "DELETE FROM demo_records;"));
    return SetMeta(db, "demo", "removed");
  });
  if (!st.ok()) return st.WithContext("removing the demo data");
  return out;
}

}  // namespace ccfield
