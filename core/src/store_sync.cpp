// The store's side of sync: pending changes out, a round trip's result in.
// See docs/sync-protocol.md and replica.h.

#include <charconv>
#include <map>
#include <set>

#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/credentials.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"

namespace ccfield {

using nlohmann::json;

const char* ChangeStateName(ChangeState s) {
  switch (s) {
    case ChangeState::kWaiting: return "waiting";
    case ChangeState::kSent: return "sent";
    case ChangeState::kSynced: return "synced";
    case ChangeState::kRejected: return "rejected";
    case ChangeState::kConflict: return "conflict";
    case ChangeState::kRemote: return "remote";
    case ChangeState::kDemo: return "demo";
    case ChangeState::kSuperseded: return "superseded";
  }
  return "?";
}

namespace {

using internal::ReadChangeEntry;
constexpr const char* kLogColumns = internal::kChangeLogColumns;

std::string JsonText(const json& v) { return v.dump(); }
json ParseOrNull(const sql::Stmt& q, int col) {
  return q.IsNull(col) ? json() : json::parse(q.Text(col), nullptr, false);
}

using internal::InTransaction;

constexpr std::string_view kDamagedChangeReason =
    "kept on this device: its stored text is damaged (not valid UTF-8) and cannot be sent";

// Whether the entry can be encoded for the server.
bool Sendable(const ChangeEntry& e) {
  for (const std::string* s : {&e.author, &e.device_time, &e.record_id, &e.field}) {
    if (FindInvalidUtf8(*s)) return false;
  }
  // Stored JSON with bad UTF-8 inside no longer parses; JSON that parsed has
  // only valid UTF-8 strings, so it encodes again.
  return !e.value.is_discarded();
}

}  // namespace

Result<std::vector<OutgoingChange>> Store::PendingChanges(int limit) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(std::string("SELECT ") + kLogColumns +
                                                 ", base_version FROM change_log WHERE device_id = ? AND "
                                                 "sync_state IN ('waiting', 'sent') " +
                                                 // Only the signed-in account's own changes (schema 7).
                                                 (schema_version_ >= 7
                                                      ? "AND account IS (SELECT nullif(value, '') FROM meta WHERE "
                                                        "key = 'sync_username') "
                                                      : "") +
                                                 "ORDER BY device_seq LIMIT ?"));
  q.Bind(1, device_id_).Bind(2, static_cast<int64_t>(limit));
  std::vector<OutgoingChange> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    OutgoingChange c;
    c.entry = ReadChangeEntry(q);
    c.base_version = q.Int(10);
    out.push_back(std::move(c));
  }
  // One damaged entry (text that is not UTF-8, written by an older version or
  // a damaged file) must not block every later sync: it is set aside as
  // refused, with the reason, and the rest go on.
  std::vector<int64_t> damaged;
  std::erase_if(out, [&](const OutgoingChange& c) {
    if (Sendable(c.entry)) return false;
    damaged.push_back(c.entry.device_seq);
    return true;
  });
  if (!damaged.empty()) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt set_aside, db_->Prepare(
        "UPDATE change_log SET sync_state = 'rejected', reject_reason = ? WHERE device_id = ? AND device_seq = ?"));
    for (int64_t seq : damaged) {
      set_aside.Reset();
      CCF_RETURN_IF_ERROR(set_aside.Bind(1, std::string(kDamagedChangeReason)).Bind(2, device_id_).Bind(3, seq).Run());
    }
  }
  // The record's workspace travels with each change so the server can check
  // membership before it looks anything up.
  std::map<std::string, std::string> ws_cache;
  for (OutgoingChange& c : out) {
    const RecordType t = c.entry.type;
    if (t == RecordType::kWorkspace) {
      c.workspace_id = c.entry.record_id;
    } else if (FindField(t, "workspace_id")) {
      auto it = ws_cache.find(c.entry.record_id);
      if (it == ws_cache.end()) {
        CCF_ASSIGN_OR_RETURN(std::optional<Record> r, internal::LoadRecord(db_.get(), t, c.entry.record_id));
        std::string ws = r && r->Get("workspace_id").is_string() ? r->Get("workspace_id").get<std::string>() : "";
        it = ws_cache.emplace(c.entry.record_id, ws).first;
      }
      c.workspace_id = it->second;
    }
  }
  return out;
}

Status Store::MarkSent(int64_t first, int64_t last) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("UPDATE change_log SET sync_state = 'sent' WHERE device_id = ? AND "
                                                 "device_seq BETWEEN ? AND ? AND sync_state = 'waiting'"));
  return q.Bind(1, device_id_).Bind(2, first).Bind(3, last).Run();
}

Status Store::ApplySyncBatch(const SyncBatch& batch) {
  if (broken_) return Status::ReadOnly("the store must be reopened after a failed save");
  sql::Db* db = db_.get();
  // The server's state is authoritative and a page may bring a record before
  // one it references; foreign keys are checked on local writes only.
  CCF_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = OFF"));
  std::map<std::string, Record> touched;  // records changed by this batch, written once at the end
  Status st = InTransaction(db, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt find_own, db->Prepare(
        "SELECT record_id, field FROM change_log WHERE device_id = ? AND device_seq = ?"));
    CCF_ASSIGN_OR_RETURN(sql::Stmt set_state, db->Prepare(
        "UPDATE change_log SET sync_state = ?, server_version = ?, reject_reason = ? WHERE device_id = ? AND device_seq = ?"));
    CCF_ASSIGN_OR_RETURN(sql::Stmt set_version, db->Prepare(
        "INSERT INTO field_versions(record_id, field, version) VALUES(?, ?, ?) "
        "ON CONFLICT(record_id, field) DO UPDATE SET version = max(version, excluded.version)"));
    auto bump_version = [&](const std::string& record_id, const std::string& field, int64_t v) -> Status {
      set_version.Reset();
      return set_version.Bind(1, record_id).Bind(2, field).Bind(3, v).Run();
    };
    for (const PushAck& a : batch.acks) {
      find_own.Reset();
      find_own.Bind(1, device_id_).Bind(2, a.device_seq);
      CCF_ASSIGN_OR_RETURN(bool row, find_own.Step());
      if (!row) continue;  // not ours (or already forgotten): nothing to update
      std::string record_id = find_own.Text(0), field = find_own.Text(1);
      set_state.Reset();
      set_state.Bind(1, a.conflict ? "conflict" : "synced").Bind(2, a.version);
      if (a.note.empty()) {
        set_state.BindNull(3);
      } else {
        set_state.Bind(3, a.note);
      }
      CCF_RETURN_IF_ERROR(set_state.Bind(4, device_id_).Bind(5, a.device_seq).Run());
      if (a.version > 0) CCF_RETURN_IF_ERROR(bump_version(record_id, field, a.version));
    }
    for (const PushReject& r : batch.rejects) {
      set_state.Reset();
      CCF_RETURN_IF_ERROR(
          set_state.Bind(1, "rejected").BindNull(2).Bind(3, r.reason).Bind(4, device_id_).Bind(5, r.device_seq).Run());
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt log, db->Prepare(
        std::string("INSERT OR IGNORE INTO change_log(device_id, device_seq, device_time, author, record_type, "
                    "record_id, field, value, created, base_version, sync_state, server_version") +
        (schema_version_ >= 8 ? ", pushed_by) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'remote', ?, ?)"
                              : ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'remote', ?)")));
    CCF_ASSIGN_OR_RETURN(sql::Stmt pending, db->Prepare(
        "SELECT 1 FROM change_log WHERE record_id = ? AND field = ? AND device_id = ? AND "
        "sync_state IN ('waiting', 'sent') LIMIT 1"));
    CCF_ASSIGN_OR_RETURN(sql::Stmt known_version, db->Prepare(
        "SELECT version FROM field_versions WHERE record_id = ? AND field = ?"));
    for (const RemoteChange& c : batch.changes) {
      log.Reset();
      log.Bind(1, c.device_id).Bind(2, c.device_seq).Bind(3, c.time).Bind(4, c.author).Bind(5, c.type);
      log.Bind(6, c.id).Bind(7, c.field).Bind(8, JsonText(c.value)).Bind(9, c.created ? 1 : 0).Bind(10, c.version);
      if (schema_version_ >= 8) log.Bind(11, c.user);
      CCF_RETURN_IF_ERROR(log.Run());
      if (db->Changes() == 0) {
        // Seen before (a re-applied page, or our own change echoed): its value is already here.
        if (c.device_id == device_id_) CCF_RETURN_IF_ERROR(bump_version(c.id, c.field, c.version));
        continue;
      }
      if (c.type == "form") {
        Result<FormDef> form = ParseForm(c.value);
        if (form.ok() && !FindForm(form->key())) CCF_RETURN_IF_ERROR(AddForm(*form));
        if (!form.ok()) env_->Log(LogLevel::kWarning, "ignoring an unreadable form from the server: " + form.status().message());
        continue;
      }
      std::optional<RecordType> type = ParseRecordType(c.type);
      if (!type || !IsUuid(c.id)) {
        env_->Log(LogLevel::kWarning, "ignoring a change of unknown type " + c.type + " (newer server?)");
        continue;
      }
      // A change older than what this device already has for the field (e.g.
      // the loser of a conflict our own edit won) must not overwrite it.
      known_version.Reset();
      known_version.Bind(1, c.id).Bind(2, c.field);
      CCF_ASSIGN_OR_RETURN(bool has_version, known_version.Step());
      if (has_version && known_version.Int(0) >= c.version) continue;
      pending.Reset();
      pending.Bind(1, c.id).Bind(2, c.field).Bind(3, device_id_);
      CCF_ASSIGN_OR_RETURN(bool has_local_edit, pending.Step());
      if (has_local_edit) continue;  // the unsent local edit wins here; the server merges it on push
      json value = c.value;
      if (c.field != kDeletedField) {
        Result<json> checked = CheckFieldValue(*type, c.field, c.value);
        if (!checked.ok()) {
          // Unknown field (newer app) or a value this version cannot hold: keep
          // it in history, leave the record as it is.
          env_->Log(LogLevel::kWarning, "not applying " + c.type + "." + c.field + ": " + checked.status().message());
          continue;
        }
        value = *checked;
      } else if (!value.is_boolean()) {
        continue;
      }
      auto it = touched.find(c.id);
      if (it == touched.end()) {
        CCF_ASSIGN_OR_RETURN(std::optional<Record> existing, internal::LoadRecord(db, *type, c.id));
        Record r = existing ? *existing : Record{*type, c.id, json::object(), false, c.time, c.time};
        if (*type == RecordType::kVisit && !r.fields.contains("answers")) r.fields["answers"] = json::object();
        it = touched.emplace(c.id, std::move(r)).first;
      }
      Record& r = it->second;
      // A pull may stop after any page, leaving a record with some fields but
      // not yet its workspace_id; every change names the workspace, so the
      // record has it from its first field and an edit to it is sent with it.
      // (No field version is bumped: the workspace_id change itself still applies.)
      if (IsUuid(c.workspace_id) && r.Get("workspace_id").is_null() && FindField(*type, "workspace_id") &&
          c.field != "workspace_id") {
        r.fields["workspace_id"] = c.workspace_id;
      }
      if (c.field == kDeletedField) {
        r.deleted = value.get<bool>();
      } else if (c.field.starts_with(kAnswersPrefix)) {
        std::string aid = c.field.substr(kAnswersPrefix.size());
        if (value.is_null()) {
          r.fields["answers"].erase(aid);
        } else {
          r.fields["answers"][aid] = value;
        }
      } else if (value.is_null()) {
        r.fields.erase(c.field);
      } else {
        r.fields[c.field] = value;
      }
      if (!c.time.empty()) r.updated_at = c.time;
      CCF_RETURN_IF_ERROR(bump_version(c.id, c.field, c.version));
    }
    auto lookup = [this](std::string_view key) { return FindForm(key); };
    for (auto& [id, r] : touched) {
      CCF_ASSIGN_OR_RETURN(std::optional<Record> existing, internal::LoadRecord(db, r.type, id));
      CCF_RETURN_IF_ERROR(internal::WriteRecordRow(db, r, !existing));
      CCF_RETURN_IF_ERROR(internal::IndexRecord(db, r, lookup));
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt put_conflict, db->Prepare(
        "INSERT INTO conflicts(id, version, record_type, record_id, workspace_id, field, base, winner, loser, "
        "winner_device, loser_device, winner_author, loser_author, loser_time, winner_version, resolved, resolved_by) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
        "version = excluded.version, resolved = excluded.resolved, resolved_by = excluded.resolved_by, "
        "resolving_locally = CASE WHEN excluded.resolved = 1 THEN 0 ELSE resolving_locally END "
        "WHERE excluded.version > conflicts.version"));
    for (const ConflictInfo& c : batch.conflicts) {
      put_conflict.Reset();
      put_conflict.Bind(1, c.id).Bind(2, c.version).Bind(3, c.type).Bind(4, c.record_id).Bind(5, c.workspace_id);
      put_conflict.Bind(6, c.field).Bind(7, JsonText(c.base)).Bind(8, JsonText(c.winner)).Bind(9, JsonText(c.loser));
      put_conflict.Bind(10, c.winner_device).Bind(11, c.loser_device).Bind(12, c.winner_author);
      put_conflict.Bind(13, c.loser_author).Bind(14, c.loser_time).Bind(15, c.winner_version);
      put_conflict.Bind(16, c.resolved ? 1 : 0).Bind(17, c.resolved_by);
      CCF_RETURN_IF_ERROR(put_conflict.Run());
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt meta, db->Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
    const std::pair<const char*, std::string> rows[] = {
        {"sync_cursor", std::to_string(batch.cursor)},
        {"sync_last_ok", FormatUtcMillis(env_->WallMillis())},
        {"sync_last_error", ""},
        {"sync_server_time", batch.server_time}};
    for (const auto& [k, v] : rows) {
      meta.Reset();
      CCF_RETURN_IF_ERROR(meta.Bind(1, k).Bind(2, v).Run());
    }
    return Status::Ok();
  });
  Status fk = db->Exec("PRAGMA foreign_keys = ON");
  if (!st.ok()) {
    (void)LoadForms();  // forget forms added by the rolled-back batch
    return st.WithContext("applying the server's changes");
  }
  return fk;
}

Result<ChangeStateCounts> Store::CountChangeStates() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT sync_state, count(*) FROM change_log GROUP BY sync_state"));
  ChangeStateCounts c;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    std::string s = q.Text(0);
    int64_t n = q.Int(1);
    if (s == "waiting") c.waiting = n;
    else if (s == "sent") c.sent = n;
    else if (s == "synced") c.synced = n;
    else if (s == "rejected") c.rejected = n;
    else if (s == "conflict") c.conflict = n;
    else if (s == "remote") c.remote = n;
    else if (s == "demo") c.demo = n;
    else if (s == "superseded") c.superseded = n;
  }
  return c;
}

Result<std::vector<std::pair<ChangeEntry, std::string>>> Store::ChangesInState(ChangeState state, int limit) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(std::string("SELECT ") + kLogColumns +
                                                 ", reject_reason FROM change_log WHERE sync_state = ? "
                                                 "ORDER BY seq DESC LIMIT ?"));
  q.Bind(1, ChangeStateName(state)).Bind(2, static_cast<int64_t>(limit));
  std::vector<std::pair<ChangeEntry, std::string>> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.emplace_back(ReadChangeEntry(q), q.Text(10));
  }
  return out;
}

Result<std::vector<ConflictInfo>> Store::Conflicts(bool open_only) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(
      std::string("SELECT id, version, record_type, record_id, workspace_id, field, base, winner, loser, "
                  "winner_device, loser_device, winner_author, loser_author, loser_time, winner_version, resolved, "
                  "resolved_by, resolving_locally FROM conflicts") +
      (open_only ? " WHERE resolved = 0" : "") + " ORDER BY version DESC"));
  std::vector<ConflictInfo> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ConflictInfo c;
    c.id = q.Text(0);
    c.version = q.Int(1);
    c.type = q.Text(2);
    c.record_id = q.Text(3);
    c.workspace_id = q.Text(4);
    c.field = q.Text(5);
    c.base = ParseOrNull(q, 6);
    c.winner = ParseOrNull(q, 7);
    c.loser = ParseOrNull(q, 8);
    c.winner_device = q.Text(9);
    c.loser_device = q.Text(10);
    c.winner_author = q.Text(11);
    c.loser_author = q.Text(12);
    c.loser_time = q.Text(13);
    c.winner_version = q.Int(14);
    c.resolved = q.Int(15) != 0;
    c.resolved_by = q.Int(16);
    c.resolving_locally = q.Int(17) != 0;
    out.push_back(std::move(c));
  }
  return out;
}

Result<CommitResult> Store::ResolveConflict(const std::string& conflict_id, const json& value) {
  CCF_ASSIGN_OR_RETURN(std::vector<ConflictInfo> all, Conflicts(false));
  const ConflictInfo* c = nullptr;
  for (const ConflictInfo& x : all) {
    if (x.id == conflict_id || (conflict_id.size() >= 6 && x.id.rfind(conflict_id, 0) == 0)) c = &x;
  }
  if (!c) return Status::NotFound("no conflict with id " + conflict_id);
  if (c->resolved) return Status::Conflict("this conflict is already resolved");
  std::optional<RecordType> type = ParseRecordType(c->type);
  if (!type) return Status::Invalid("conflict on an unknown record type " + c->type);
  Op op;
  if (c->field == kDeletedField) {
    if (!value.is_boolean()) return Status::Invalid("a delete conflict is resolved with true (delete) or false (keep)");
    op = value.get<bool>() ? Op(DeleteRecord{*type, c->record_id, true}) : Op(RestoreRecord{*type, c->record_id, true});
  } else {
    SetFields set{*type, c->record_id, json::object(), true};
    set.fields[c->field] = value;
    op = std::move(set);
  }
  CCF_ASSIGN_OR_RETURN(CommitResult r, Commit({op}));
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("UPDATE conflicts SET resolving_locally = 1 WHERE id = ?"));
  CCF_RETURN_IF_ERROR(q.Bind(1, c->id).Run());
  return r;
}

Result<SyncSettings> Store::GetSyncSettings() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT key, value FROM meta WHERE key LIKE 'sync_%'"));
  SyncSettings s;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    std::string k = q.Text(0), v = q.Text(1);
    if (k == "sync_server_url") s.server_url = v;
    else if (k == "sync_username") s.username = v;
    else if (k == "sync_token") s.token = v;
    else if (k == "sync_ca_file") s.ca_file = v;
    else if (k == "sync_device_secret") s.device_secret = v;
    else if (k == "sync_device_secret_server") s.device_secret_server = v;
    else if (k == "sync_cursor") {
      // A damaged number is a damaged file (docs/store.md), not an abort.
      int64_t cursor = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), cursor);
      if (!v.empty() && (ec != std::errc() || end != v.data() + v.size() || cursor < 0)) {
        return Status::Corrupt("the store's sync cursor is damaged (\"" + v.substr(0, 40) + "\")");
      }
      s.cursor = cursor;
    }
    else if (k == "sync_last_ok") s.last_ok = v;
    else if (k == "sync_last_attempt") s.last_attempt = v;
    else if (k == "sync_last_error") s.last_error = v;
  }
  // The token lives apart from the file (store.h); an older file's token is
  // moved out when it is opened (MoveTokenOut).
  if (path_ == ":memory:") {
    s.token = memory_token_;
  } else if (s.token.empty()) {
    s.token = LoadCredential(CredentialKeyForStore()).value_or("");
  }
  return s;
}

Status Store::SaveSyncSettings(const SyncSettings& s) {
  if (broken_) return Status::ReadOnly("the store must be reopened after a failed save");
  sql::Db* db = db_.get();
  return InTransaction(db, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt meta, db->Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
    const std::pair<const char*, std::string> rows[] = {
        {"sync_server_url", s.server_url}, {"sync_username", s.username},
        {"sync_ca_file", s.ca_file},       {"sync_cursor", std::to_string(s.cursor)},
        {"sync_last_ok", s.last_ok},       {"sync_last_attempt", s.last_attempt},
        {"sync_last_error", s.last_error}, {"sync_device_secret", s.device_secret},
        {"sync_device_secret_server", s.device_secret_server}};
    for (const auto& [k, v] : rows) {
      meta.Reset();
      CCF_RETURN_IF_ERROR(meta.Bind(1, k).Bind(2, v).Run());
    }
    if (schema_version_ >= 7 && !s.username.empty()) {
      // Changes made before anyone signed in belong to the first account that does.
      CCF_ASSIGN_OR_RETURN(sql::Stmt claim, db->Prepare(
          "UPDATE change_log SET account = ? WHERE account IS NULL AND device_id = ?"));
      CCF_RETURN_IF_ERROR(claim.Bind(1, s.username).Bind(2, device_id_).Run());
    }
    // The token goes to the credential store inside the transaction: when it
    // cannot be saved, nothing of the login is.
    if (path_ == ":memory:") {
      memory_token_ = s.token;
    } else if (std::string error; s.token.empty() ? !DeleteCredential(CredentialKeyForStore(), &error)
                                                  : !SaveCredential(CredentialKeyForStore(), s.token, &error)) {
      return Status::IoError("saving the login: " + error);
    }
    return Status::Ok();
  });
}

}  // namespace ccfield
