#pragma once
// Helpers shared by the store's source files; private to core.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/store.h"
#include "ccfield/core/sqlite_txn.h"
#include "sqlite_db.h"

namespace ccfield::internal {

using FormLookup = std::function<const FormDef*(std::string_view key)>;

// "id, deleted, created_at, updated_at, <fields...>[, answers]" for the type.
std::string SelectColumns(RecordType type);
// Reads a row selected with SelectColumns.
Record ReadRecord(RecordType type, const sql::Stmt& row);
// The record or nullopt when no row has this id.
Result<std::optional<Record>> LoadRecord(sql::Db* db, RecordType type, const std::string& id);

// The change_log columns ReadChangeEntries expects, in order (10 of them):
// seq, device_id, device_seq, device_time, author, record_type, record_id,
// fields, bases, created. A file before schema 11 (a row per field) is read
// as one-field entries, so every reader works on files of every version.
std::string ChangeLogColumns(int schema_version);
// The entry of a change_log row selected with ChangeLogColumns first: one
// ChangeEntry per field, in the order the fields were written, each with its
// base. An entry whose stored fields are damaged (not JSON) gives one
// ChangeEntry with field "" and a discarded value.
std::vector<ChangeEntry> ReadChangeEntries(const sql::Stmt& row);
// A table of the fields of the entry in change_log column `fields_col`
// (json_each: `key` is the field name, compared as it is, with no JSON path
// quoting). Damaged stored text reads as no fields rather than failing the
// whole statement. Schema 11 on.
inline std::string EntryFieldsTable(std::string_view fields_col) {
  const std::string col(fields_col);
  return "json_each(CASE WHEN json_valid(" + col + ") THEN " + col + " ELSE '{}' END)";
}
// Reads entries (rows selected with ChangeLogColumns first) until the end or
// until `*out` holds at least `limit` changes; an entry is never split.
// `extra` fills each row's changes from the row's further columns.
Status ReadEntriesUpTo(sql::Stmt* q, int limit, std::vector<ChangeEntry>* out,
                       const std::function<void(const sql::Stmt&, ChangeEntry*)>& extra = nullptr);

// Writes the whole row of `rec` (insert when `creating`, else replace).
Status WriteRecordRow(sql::Db* db, const Record& rec, bool creating);

// Search index maintenance; called inside the writing transaction.
//
// Since schema 12 a save does not index: it queues the record in
// search_pending (one small row, in the save's own transaction, so a queued
// record is never lost), and IndexPending indexes the queue later: before a
// search, and when the window is idle. An older file indexes at once.
inline constexpr int kSearchQueueSchema = 12;
Status IndexLater(sql::Db* db, int schema_version, const Record& record, const FormLookup& forms);
// The visits of a site (their titles hold its name) after a rename.
Status IndexVisitsOfSiteLater(sql::Db* db, int schema_version, const std::string& site_id, const FormLookup& forms);
// Indexes up to `max_records` queued records as they are now (a record gone
// since is unindexed); returns how many are still queued.
Result<int64_t> IndexPending(sql::Db* db, const FormLookup& forms, int64_t max_records);
Status IndexRecord(sql::Db* db, const Record& record, const FormLookup& forms);
Status UnindexRecord(sql::Db* db, const std::string& record_id);
Status ReindexAll(sql::Db* db, const FormLookup& forms);
Result<std::vector<SearchHit>> RunSearch(sql::Db* db, const SearchQuery& query);

// The FTS5 MATCH expression for what a person typed: each word must appear,
// the last one as a prefix ("inond" finds "inondation"). Empty when no word.
std::string BuildMatchQuery(std::string_view text);

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
// read that shows records to a person adds it. The own-unsent test is a
// correlated EXISTS: one lookup in change_log_by_record per record, where
// `IN (SELECT ...)` would copy every unsent entry of the device into a
// temporary table each time (150 ms per search over 5,000 unsent visits).
inline std::string VisibleCondition(std::string_view ws_col, std::string_view id_col) {
  std::string ws(ws_col), id(id_col);
  return "(coalesce(" + ws + ", '') NOT IN (SELECT id FROM hidden_workspaces) OR EXISTS (SELECT 1 FROM "
         "own_unsent_records o WHERE o.record_id = " + id + "))";
}

}  // namespace ccfield::internal
