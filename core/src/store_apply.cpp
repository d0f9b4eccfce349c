// Applying a sync round trip's answer to the store (SyncReplica::ApplySyncBatch):
// acks and refusals update the change log's states, received changes update
// records (never over an unsent local edit), history and field versions,
// conflicts are stored and the cursor moves: all in one transaction, so that
// re-applying the same batch changes nothing. See docs/sync-protocol.md.

#include <algorithm>
#include <map>

#include "ccfield/core/sqlite_txn.h"
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"

namespace ccfield {

using nlohmann::json;

// One batch, applied inside the caller's transaction. Statements come from
// the connection's cache (a sync applies a batch per page).
class SyncReplica::BatchApplier {
 public:
  explicit BatchApplier(Store* store) : s_(store), db_(store->db_.get()) {}

  Status Run(const SyncBatch& batch) {
    // The acks of one entry (an entry's "" ack and per-field ones) are taken
    // together, whether adjacent or not.
    std::map<DeviceSeq, std::vector<const ChangeAck*>> acks;
    for (const ChangeAck& a : batch.acks) acks[a.device_seq].push_back(&a);
    for (const auto& [seq, of_entry] : acks) CCF_RETURN_IF_ERROR(Ack(seq, of_entry));
    for (const ChangeRefusal& r : batch.rejects) CCF_RETURN_IF_ERROR(Refuse(r));
    for (size_t i = 0; i < batch.changes.size();) {
      const size_t end = EntryEnd(batch.changes, i);
      CCF_RETURN_IF_ERROR(ReceiveEntry(batch.changes, i, end));
      i = end;
    }
    CCF_RETURN_IF_ERROR(WriteTouched());
    for (const FieldConflict& c : batch.conflicts) CCF_RETURN_IF_ERROR(PutConflict(c));
    return SaveProgress(batch);
  }

 private:
  Status SetState(DeviceSeq seq, const char* state, std::optional<ServerVersion> version, const std::string* reason) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db_->Cached("UPDATE change_log SET sync_state = ?, server_version = ?, "
                                                    "reject_reason = ? WHERE device_id = ? AND device_seq = ?"));
    q->Bind(1, state);
    if (version) {
      q->Bind(2, *version);
    } else {
      q->BindNull(2);
    }
    if (reason) {
      q->Bind(3, *reason);
    } else {
      q->BindNull(3);
    }
    return q->Bind(4, s_->device_id_).Bind(5, seq).Run();
  }

  Status BumpVersion(const std::string& record_id, const std::string& field, ServerVersion v) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt * q,
                         db_->Cached("INSERT INTO field_versions(record_id, field, version) VALUES(?, ?, ?) "
                                     "ON CONFLICT(record_id, field) DO UPDATE SET version = max(version, "
                                     "excluded.version)"));
    return q->Bind(1, record_id).Bind(2, field).Bind(3, v).Run();
  }

  // The server's answer about one own entry: `acks` are its "" ack (every
  // field) and/or acks naming a field, which override it for that field.
  Status Ack(DeviceSeq seq, const std::vector<const ChangeAck*>& acks) {
    // Not taken (a text delta the server could not apply): the entry stays as
    // it is (sent, not synced), and the sync client sends it again whole.
    for (const ChangeAck* a : acks) {
      if (a->outcome == ChangeOutcome::kResendWhole) return Status::Ok();
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt * own, db_->Cached("SELECT " + internal::ChangeLogColumns(s_->schema_version_) +
                                                      " FROM change_log WHERE device_id = ? AND device_seq = ?"));
    own->Bind(1, s_->device_id_).Bind(2, seq);
    Result<bool> row = own->Step();
    std::vector<ChangeEntry> fields;
    if (row.ok() && *row) fields = internal::ReadChangeEntries(*own);
    own->Reset();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();  // not ours (or already forgotten): nothing to update
    const ChangeAck* whole = nullptr;
    bool conflict = false;
    ServerVersion version = 0;
    ClockFlag clock = ClockFlag::kNone;
    for (const ChangeAck* a : acks) {
      if (a->field.empty()) whole = a;
      conflict = conflict || a->outcome == ChangeOutcome::kConflict;
      version = std::max(version, a->version);
      if (clock == ClockFlag::kNone) clock = a->clock;
    }
    // The entry's version is the one the server gave it (fields kept out by
    // a conflict got 0); without an entry-level ack, the fields' highest.
    if (whole) {
      if (whole->version > 0) version = whole->version;
      if (whole->clock != ClockFlag::kNone) clock = whole->clock;
    }
    // For an accepted change the column keeps the server's clock flag, as its
    // code (ClockFlagName): the UI words it in the person's language.
    const std::string clock_name = ClockFlagName(clock);
    CCF_RETURN_IF_ERROR(SetState(seq, conflict ? "conflict" : "synced", version,
                                 clock == ClockFlag::kNone ? nullptr : &clock_name));
    for (const ChangeEntry& f : fields) {
      const ChangeAck* a = whole;
      for (const ChangeAck* x : acks) {
        if (x->field == f.field) a = x;
      }
      if (a && a->version > 0) CCF_RETURN_IF_ERROR(BumpVersion(f.record_id, f.field, a->version));
    }
    return Status::Ok();
  }

  Status Refuse(const ChangeRefusal& r) {
    const std::string reason = r.reason.empty() ? RejectCodeName(r.code) : r.reason;
    return SetState(r.device_seq, "rejected", std::nullopt, &reason);
  }

  // Logs a received entry (changes[begin, end): one record's fields sharing
  // the origin) as one row; false when it was logged before (a re-applied
  // page, or this device's own entry echoed).
  Result<bool> Log(const std::vector<FieldChange>& changes, size_t begin, size_t end) {
    const FieldChange& c = changes[begin];
    if (s_->schema_version_ < 11) {
      // A file before schema 11 (tests make them) has a row per field.
      bool fresh = false;
      for (size_t i = begin; i < end; ++i) {
        CCF_ASSIGN_OR_RETURN(bool one, LogFieldRow(changes[i]));
        fresh = fresh || one;
      }
      return fresh;
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt * log,
                         db_->Cached("INSERT OR IGNORE INTO change_log(device_id, device_seq, device_time, author, "
                                     "record_type, record_id, created, fields, sync_state, server_version, pushed_by) "
                                     "VALUES(?, ?, ?, ?, ?, ?, ?, ?, 'remote', ?, ?)"));
    nlohmann::ordered_json fields = nlohmann::ordered_json::object();
    ServerVersion version = 0;
    bool created = false;
    for (size_t i = begin; i < end; ++i) {
      fields[changes[i].field] = changes[i].value;
      version = std::max(version, changes[i].version);
      created = created || changes[i].created;
    }
    log->Bind(1, c.device_id).Bind(2, c.device_seq).Bind(3, c.time).Bind(4, c.author);
    log->Bind(5, std::string(ChangeTypeName(c.type))).Bind(6, c.record_id).Bind(7, created ? 1 : 0);
    log->Bind(8, fields.dump()).Bind(9, version).Bind(10, c.user);
    CCF_RETURN_IF_ERROR(log->Run());
    return db_->Changes() > 0;
  }

  Result<bool> LogFieldRow(const FieldChange& c) {
    CCF_ASSIGN_OR_RETURN(
        sql::Stmt * log,
        db_->Cached(std::string("INSERT OR IGNORE INTO change_log(device_id, device_seq, device_time, author, "
                                "record_type, record_id, field, value, created, base_version, sync_state, "
                                "server_version") +
                    (s_->schema_version_ >= 8 ? ", pushed_by) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'remote', ?, ?)"
                                              : ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'remote', ?)")));
    log->Bind(1, c.device_id).Bind(2, c.device_seq).Bind(3, c.time).Bind(4, c.author);
    log->Bind(5, std::string(ChangeTypeName(c.type))).Bind(6, c.record_id).Bind(7, c.field);
    log->Bind(8, c.value.dump()).Bind(9, c.created ? 1 : 0).Bind(10, c.version);
    if (s_->schema_version_ >= 8) log->Bind(11, c.user);
    CCF_RETURN_IF_ERROR(log->Run());
    return db_->Changes() > 0;
  }

  // Whether the field keeps what this device has: a version as new or newer
  // (e.g. the loser of a conflict our own edit won), or an unsent local edit
  // of this very field (which wins here; the server merges it on push).
  Result<bool> KeepsLocal(const FieldChange& c) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt * known,
                         db_->Cached("SELECT version FROM field_versions WHERE record_id = ? AND field = ?"));
    known->Bind(1, c.record_id).Bind(2, c.field);
    CCF_ASSIGN_OR_RETURN(bool has_version, known->Step());
    const bool newer_here = has_version && known->Int(0) >= c.version;
    known->Reset();
    if (newer_here) return true;
    // The field is a key of an unsent entry's `fields` (json_each compares
    // names as they are: no JSON path quoting of "answers.q1").
    CCF_ASSIGN_OR_RETURN(
        sql::Stmt * pending,
        db_->Cached(s_->schema_version_ >= 11
                        ? "SELECT 1 FROM change_log l WHERE l.record_id = ?1 AND l.device_id = ?3 AND l.sync_state "
                          "IN ('waiting', 'sent') AND EXISTS (SELECT 1 FROM " + internal::EntryFieldsTable("l.fields") +
                              " WHERE key = ?2) LIMIT 1"
                        : "SELECT 1 FROM change_log WHERE record_id = ?1 AND field = ?2 AND device_id = ?3 "
                          "AND sync_state IN ('waiting', 'sent') LIMIT 1"));
    pending->Bind(1, c.record_id).Bind(2, c.field).Bind(3, s_->device_id_);
    CCF_ASSIGN_OR_RETURN(bool has_local_edit, pending->Step());
    pending->Reset();
    return has_local_edit;
  }

  Status ReceiveForm(const FieldChange& c) {
    Result<FormDef> form = ParseForm(c.value);
    if (!form.ok()) {
      s_->env_->Log(LogLevel::kWarning, "ignoring an unreadable form from the server: " + form.status().message());
      return Status::Ok();
    }
    if (s_->FindForm(form->key())) return Status::Ok();
    return s_->AddForm(*form);
  }

  // A received entry: logged once, then each field applied on its own.
  Status ReceiveEntry(const std::vector<FieldChange>& changes, size_t begin, size_t end) {
    CCF_ASSIGN_OR_RETURN(bool fresh, Log(changes, begin, end));
    for (size_t i = begin; i < end; ++i) {
      const FieldChange& c = changes[i];
      if (!fresh) {
        // Our own entry echoed: the server's version of each field.
        if (c.device_id == s_->device_id_) CCF_RETURN_IF_ERROR(BumpVersion(c.record_id, c.field, c.version));
        continue;  // else its values are already here
      }
      CCF_RETURN_IF_ERROR(Receive(c));
    }
    return Status::Ok();
  }

  // Applies one field of a freshly logged entry.
  Status Receive(const FieldChange& c) {
    if (c.type == ChangeType::kForm) return ReceiveForm(c);
    std::optional<RecordType> type = RecordTypeOf(c.type);
    if (!type || !IsUuid(c.record_id)) {
      s_->env_->Log(LogLevel::kWarning, "ignoring a change of an unknown type or record (newer server?)");
      return Status::Ok();
    }
    CCF_ASSIGN_OR_RETURN(bool keep_local, KeepsLocal(c));
    if (keep_local) return Status::Ok();
    json value = c.value;
    if (c.field != kDeletedField) {
      Result<json> checked = CheckFieldValue(*type, c.field, c.value);
      if (!checked.ok()) {
        // Unknown field (newer app) or a value this version cannot hold: keep
        // it in history, leave the record as it is.
        s_->env_->Log(LogLevel::kWarning, "not applying " + std::string(ChangeTypeName(c.type)) + "." + c.field +
                                              ": " + checked.status().message());
        return Status::Ok();
      }
      value = *checked;
    } else if (!value.is_boolean()) {
      return Status::Ok();
    }
    CCF_ASSIGN_OR_RETURN(Record * r, Touch(*type, c));
    SetValue(r, *type, c, value);
    return BumpVersion(c.record_id, c.field, c.version);
  }

  // The record as this batch leaves it (loaded once, written once at the end).
  Result<Record*> Touch(RecordType type, const FieldChange& c) {
    auto it = touched_.find(c.record_id);
    if (it != touched_.end()) return &it->second;
    CCF_ASSIGN_OR_RETURN(std::optional<Record> existing, internal::LoadRecord(db_, type, c.record_id));
    Record r = existing ? *existing : Record{type, c.record_id, json::object(), false, c.time, c.time};
    if (type == RecordType::kVisit && !r.fields.contains("answers")) r.fields["answers"] = json::object();
    return &touched_.emplace(c.record_id, std::move(r)).first->second;
  }

  static void SetValue(Record* r, RecordType type, const FieldChange& c, const json& value) {
    // A pull may stop after any page, leaving a record with some fields but
    // not yet its workspace_id; every change names the workspace, so the
    // record has it from its first field and an edit to it is sent with it.
    // (No field version is bumped: the workspace_id change itself still applies.)
    if (IsUuid(c.workspace_id) && r->Get("workspace_id").is_null() && FindField(type, "workspace_id") &&
        c.field != "workspace_id") {
      r->fields["workspace_id"] = c.workspace_id;
    }
    if (c.field == kDeletedField) {
      r->deleted = value.get<bool>();
    } else if (c.field.starts_with(kAnswersPrefix)) {
      std::string aid = c.field.substr(kAnswersPrefix.size());
      if (value.is_null()) {
        r->fields["answers"].erase(aid);
      } else {
        r->fields["answers"][aid] = value;
      }
    } else if (value.is_null()) {
      r->fields.erase(c.field);
    } else {
      r->fields[c.field] = value;
    }
    if (!c.time.empty()) r->updated_at = c.time;
  }

  Status WriteTouched() {
    auto lookup = [this](std::string_view key) { return s_->FindForm(key); };
    for (auto& [id, r] : touched_) {
      CCF_ASSIGN_OR_RETURN(std::optional<Record> existing, internal::LoadRecord(db_, r.type, id));
      CCF_RETURN_IF_ERROR(internal::WriteRecordRow(db_, r, !existing));
      CCF_RETURN_IF_ERROR(internal::IndexLater(db_, s_->schema_version_, r, lookup));
      // Visit titles hold their site's name: a rename from another device too.
      if (r.type == RecordType::kSite && existing && existing->Title() != r.Title()) {
        CCF_RETURN_IF_ERROR(internal::IndexVisitsOfSiteLater(db_, s_->schema_version_, id, lookup));
      }
    }
    return Status::Ok();
  }

  Status PutConflict(const FieldConflict& c) {
    // Who pushed each side is kept since schema 10. An update of a known
    // conflict changes its version and resolution alone.
    const bool users = s_->schema_version_ >= 10;
    CCF_ASSIGN_OR_RETURN(
        sql::Stmt * q,
        db_->Cached(std::string("INSERT INTO conflicts(id, version, record_type, record_id, workspace_id, field, base, "
                                "winner, loser, winner_device, loser_device, winner_author, loser_author, loser_time, "
                                "winner_version, resolved, resolved_by") +
                    (users ? ", winner_user, loser_user) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           : ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ") +
                    "ON CONFLICT(id) DO UPDATE SET version = excluded.version, resolved = excluded.resolved, "
                    "resolved_by = excluded.resolved_by, resolving_locally = CASE WHEN excluded.resolved = 1 "
                    "THEN 0 ELSE resolving_locally END WHERE excluded.version > conflicts.version"));
    q->Bind(1, c.id).Bind(2, c.version).Bind(3, std::string(ChangeTypeName(c.type)));
    q->Bind(4, c.record_id).Bind(5, c.workspace_id).Bind(6, c.field);
    q->Bind(7, c.base.dump()).Bind(8, c.winner.dump()).Bind(9, c.loser.dump());
    q->Bind(10, c.winner_device).Bind(11, c.loser_device).Bind(12, c.winner_author);
    q->Bind(13, c.loser_author).Bind(14, c.loser_time).Bind(15, c.winner_version);
    if (users) q->Bind(18, c.winner_user).Bind(19, c.loser_user);
    return q->Bind(16, c.resolved ? 1 : 0).Bind(17, c.resolved_by).Run();
  }

  Status SaveProgress(const SyncBatch& batch) {
    const std::pair<const char*, std::string> rows[] = {{"sync_cursor", std::to_string(batch.cursor)},
                                                        {"sync_last_ok", FormatUtcMillis(s_->env_->WallMillis())},
                                                        {"sync_last_error", ""},
                                                        {"sync_server_time", batch.server_time}};
    for (const auto& [k, v] : rows) {
      CCF_ASSIGN_OR_RETURN(sql::Stmt * meta, db_->Cached("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
      CCF_RETURN_IF_ERROR(meta->Bind(1, k).Bind(2, v).Run());
    }
    return Status::Ok();
  }

  Store* s_;
  sql::Db* db_;
  std::map<std::string, Record> touched_;  // records changed by this batch
};

Status SyncReplica::ApplySyncBatch(const SyncBatch& batch) {
  sql::Db* db = s_->db_.get();
  CCF_RETURN_IF_ERROR(db->CheckWritable());
  // The server's state is authoritative and a page may bring a record before
  // one it references; foreign keys are checked on local writes only.
  CCF_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = OFF"));
  BatchApplier applier(s_);
  Status st = sql::Transact(db, [&]() -> Status { return applier.Run(batch); });
  Status fk = db->Exec("PRAGMA foreign_keys = ON");
  if (!st.ok()) {
    (void)s_->LoadForms();  // forget forms added by the rolled-back batch
    return st.WithContext("applying the server's changes");
  }
  return fk;
}

}  // namespace ccfield
