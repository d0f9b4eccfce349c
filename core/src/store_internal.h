#pragma once
// Helpers shared by the store's source files; private to core.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/store.h"
#include "sqlite_db.h"

namespace ccfield::internal {

using FormLookup = std::function<const FormDef*(std::string_view key)>;

// "id, deleted, created_at, updated_at, <fields...>[, answers]" for the type.
std::string SelectColumns(RecordType type);
// Reads a row selected with SelectColumns.
Record ReadRecord(RecordType type, const sql::Stmt& row);
// The record or nullopt when no row has this id.
Result<std::optional<Record>> LoadRecord(sql::Db* db, RecordType type, const std::string& id);

// The change_log columns ReadChangeEntry expects, in order.
inline constexpr const char* kChangeLogColumns =
    "seq, device_id, device_seq, device_time, author, record_type, record_id, field, value, created";
// Reads a change_log row selected with kChangeLogColumns first.
ChangeEntry ReadChangeEntry(const sql::Stmt& row);

// Writes the whole row of `rec` (insert when `creating`, else replace).
Status WriteRecordRow(sql::Db* db, const Record& rec, bool creating);

// Search index maintenance; called inside the writing transaction.
Status IndexRecord(sql::Db* db, const Record& record, const FormLookup& forms);
Status UnindexRecord(sql::Db* db, const std::string& record_id);
Status ReindexAll(sql::Db* db, const FormLookup& forms);
Result<std::vector<SearchHit>> RunSearch(sql::Db* db, const SearchQuery& query);

// The FTS5 MATCH expression for what a person typed: each word must appear,
// the last one as a prefix ("inond" finds "inondation"). Empty when no word.
std::string BuildMatchQuery(std::string_view text);

// Runs `body` in BEGIN IMMEDIATE ... COMMIT, rolling back on error.
template <typename F>
Status InTransaction(sql::Db* db, F&& body) {
  CCF_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  Status st = body();
  if (!st.ok()) {
    (void)db->Exec("ROLLBACK");
    return st;
  }
  st = db->Exec("COMMIT");
  if (!st.ok() && db->InTransaction()) (void)db->Exec("ROLLBACK");
  return st;
}

// A record's status with a visit's draft state folded in (draft ranks
// between conflict and waiting).
RecordStatus WithDraft(RecordStatus status, bool is_draft);

// Schema 6: lists the demo data set's records (found by the ids compiled in,
// and everything in its workspaces) in demo_records and puts their unsent
// change-log entries in state 'demo'.
Status MarkDemoRecords(sql::Db* db);

}  // namespace ccfield::internal

namespace ccfield::internal {

// The one rule of what the saved user sees on a shared device (schema 7's
// hidden_workspaces and own_unsent_records views): an SQL condition on a
// record row whose workspace id is `ws_col` and record id `id_col`. Every
// read that shows records to a person adds it.
inline std::string VisibleCondition(std::string_view ws_col, std::string_view id_col) {
  std::string ws(ws_col), id(id_col);
  return "(coalesce(" + ws + ", '') NOT IN (SELECT id FROM hidden_workspaces) OR " + id +
         " IN (SELECT record_id FROM own_unsent_records))";
}

}  // namespace ccfield::internal
