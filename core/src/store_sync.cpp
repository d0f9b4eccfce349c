// The store's side of sync: pending changes out, a round trip's result in.
// See docs/sync-protocol.md and replica.h.

#include <charconv>
#include <map>
#include <set>

#include "ccfield/core/field_change_rows.h"
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


json ParseOrNull(const sql::Stmt& q, int col) {
  return q.IsNull(col) ? json() : json::parse(q.Text(col), nullptr, false);
}

using sql::Transact;

constexpr std::string_view kDamagedChangeReason =
    "kept on this device: its stored text is damaged (not valid UTF-8) and cannot be sent";

// Whether the entry can be encoded for the server.
bool Sendable(const ChangeEntry& e) {
  for (const std::string* s : {&e.author, &e.time, &e.record_id, &e.field}) {
    if (FindInvalidUtf8(*s)) return false;
  }
  // Stored JSON with bad UTF-8 inside no longer parses; JSON that parsed has
  // only valid UTF-8 strings, so it encodes again.
  return !e.value.is_discarded();
}

// A conflicts row as Conflicts() selects it. A damaged value stays in the
// list (marked discarded) rather than hiding every conflict.
Result<FieldConflict> ReadLocalConflict(const sql::Stmt& q) {
  CCF_ASSIGN_OR_RETURN(FieldConflict c, ReadConflictRow(q, [](const sql::Stmt& row, int col) -> Result<json> {
                         return ParseOrNull(row, col);
                       }));
  c.resolving_locally = q.Int(19) != 0;
  return c;
}

// The signed-in (or last signed-in) account and its role in each workspace,
// as the server last said (schema 7).
struct MyAccount {
  std::string user;
  std::map<std::string, std::string> roles;  // workspace id -> role
};

Result<MyAccount> ReadMyAccount(sql::Db* db, int schema_version) {
  MyAccount me;
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT value FROM meta WHERE key = 'sync_username'"));
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) me.user = q.Text(0);
  }
  if (me.user.empty() || schema_version < 7) return me;
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT workspace_id, role FROM account_workspaces WHERE account = ?"));
  q.Bind(1, me.user);
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    me.roles[q.Text(0)] = q.Text(1);
  }
  return me;
}

}  // namespace

Result<std::vector<ChangeEntry>> SyncReplica::PendingChanges(int limit) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q,
                       s_->db_->Prepare("SELECT " + internal::ChangeLogColumns(s_->schema_version_) +
                                    " FROM change_log WHERE device_id = ? AND "
                                    "sync_state IN ('waiting', 'sent') " +
                                    // Only the signed-in account's own changes (schema 7).
                                    (s_->schema_version_ >= 7 ? "AND account IS (SELECT nullif(value, '') FROM meta WHERE "
                                                            "key = 'sync_username') "
                                                          : "") +
                                    "ORDER BY device_seq LIMIT ?"));
  // Every entry has at least one field: `limit` rows are enough.
  q.Bind(1, s_->device_id_).Bind(2, static_cast<int64_t>(limit));
  std::vector<ChangeEntry> out;
  CCF_RETURN_IF_ERROR(internal::ReadEntriesUpTo(&q, limit, &out));
  // One damaged entry (text that is not UTF-8, written by an older version or
  // a damaged file) must not block every later sync: it is set aside as
  // refused, with the reason, and the rest go on. A record is never sent in
  // part: one damaged field sets its whole entry aside.
  std::set<int64_t> damaged;
  for (const ChangeEntry& c : out) {
    if (!Sendable(c)) damaged.insert(c.device_seq);
  }
  std::erase_if(out, [&](const ChangeEntry& c) { return damaged.count(c.device_seq) > 0; });
  if (!damaged.empty()) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt set_aside, s_->db_->Prepare(
        "UPDATE change_log SET sync_state = 'rejected', reject_reason = ? WHERE device_id = ? AND device_seq = ?"));
    for (int64_t seq : damaged) {
      set_aside.Reset();
      CCF_RETURN_IF_ERROR(set_aside.Bind(1, std::string(kDamagedChangeReason)).Bind(2, s_->device_id_).Bind(3, seq).Run());
    }
  }
  // The record's workspace travels with each change so the server can check
  // membership before it looks anything up.
  std::map<std::string, std::string> ws_cache;
  for (ChangeEntry& c : out) {
    std::optional<RecordType> t = RecordTypeOf(c.type);
    if (!t) continue;  // an own change is always to a record
    if (*t == RecordType::kWorkspace) {
      c.workspace_id = c.record_id;
    } else if (FindField(*t, "workspace_id")) {
      auto it = ws_cache.find(c.record_id);
      if (it == ws_cache.end()) {
        CCF_ASSIGN_OR_RETURN(std::optional<Record> r, internal::LoadRecord(s_->db_.get(), *t, c.record_id));
        std::string ws = r && r->Get("workspace_id").is_string() ? r->Get("workspace_id").get<std::string>() : "";
        it = ws_cache.emplace(c.record_id, ws).first;
      }
      c.workspace_id = it->second;
    }
  }
  return out;
}

Status SyncReplica::MarkSent(int64_t first, int64_t last) {
  return Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("UPDATE change_log SET sync_state = 'sent' WHERE device_id = ? "
                                                   "AND device_seq BETWEEN ? AND ? AND sync_state = 'waiting'"));
    return q.Bind(1, s_->device_id_).Bind(2, first).Bind(3, last).Run();
  });
}

Result<std::optional<json>> SyncReplica::ValueAtVersion(const std::string& record_id, const std::string& field,
                                                        ServerVersion version) {
  // Before schema 11 (files tests make) the log has no `fields`.
  if (version <= 0 || s_->schema_version_ < 11) return std::optional<json>();
  const std::string path = "$.\"" + field + "\"";
  // A damaged row (not JSON) is no base: json_valid keeps `->` from failing the query.
  CCF_ASSIGN_OR_RETURN(sql::Stmt * q,
                       s_->db_->Cached("SELECT v FROM (SELECT seq, CASE WHEN json_valid(fields) THEN fields -> ?3 END "
                                       "AS v FROM change_log WHERE record_id = ?1 AND server_version = ?2) "
                                       "WHERE v IS NOT NULL ORDER BY seq DESC LIMIT 1"));
  q->Bind(1, record_id).Bind(2, version).Bind(3, path);
  Result<bool> row = q->Step();
  std::optional<json> value;
  if (row.ok() && *row) {
    json v = json::parse(q->Text(0), nullptr, false);
    if (!v.is_discarded()) value = std::move(v);
  }
  q->Reset();
  if (!row.ok()) return row.status();
  return value;
}

Result<ChangeStateCounts> SyncReplica::CountChangeStates() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("SELECT sync_state, count(*) FROM change_log GROUP BY sync_state"));
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

Result<std::vector<std::pair<ChangeEntry, std::string>>> SyncReplica::ChangesInState(ChangeState state, int limit) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("SELECT " + internal::ChangeLogColumns(s_->schema_version_) +
                                                 ", reject_reason FROM change_log WHERE sync_state = ? "
                                                 "ORDER BY seq DESC LIMIT ?"));
  q.Bind(1, ChangeStateName(state)).Bind(2, static_cast<int64_t>(limit));
  std::vector<ChangeEntry> changes;
  std::vector<std::string> reasons;  // one per change: its entry's
  CCF_RETURN_IF_ERROR(internal::ReadEntriesUpTo(&q, limit, &changes, [&](const sql::Stmt& r, ChangeEntry*) {
    reasons.push_back(r.Text(10));
  }));
  std::vector<std::pair<ChangeEntry, std::string>> out;
  out.reserve(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) out.emplace_back(std::move(changes[i]), std::move(reasons[i]));
  return out;
}

Result<std::vector<FieldConflict>> SyncReplica::Conflicts(bool open_only) {
  CCF_ASSIGN_OR_RETURN(
      sql::Stmt q,
      s_->db_->Prepare(
          std::string("SELECT id, version, record_type, record_id, workspace_id, field, base, winner, loser, "
                      "winner_device, loser_device, winner_author, loser_author, loser_time, winner_version, resolved, "
                      "resolved_by, ") +
          // Who pushed each side (schema 10; before, no conflict names a user).
          (s_->schema_version_ >= 10 ? "winner_user, loser_user" : "'', ''") + ", resolving_locally FROM conflicts" +
          (open_only ? " WHERE resolved = 0" : "") + " ORDER BY version DESC"));
  CCF_ASSIGN_OR_RETURN(std::vector<FieldConflict> all, sql::AllRows<FieldConflict>(q, ReadLocalConflict));
  CCF_ASSIGN_OR_RETURN(MyAccount me, ReadMyAccount(s_->db_.get(), s_->schema_version_));
  for (FieldConflict& c : all) {
    auto role = me.roles.find(c.workspace_id);
    c.mine = ConflictIsMine(c, me.user, role == me.roles.end() ? std::string_view() : std::string_view(role->second));
  }
  return all;
}

Result<CommitResult> SyncReplica::ResolveConflict(const std::string& conflict_id, const json& value) {
  CCF_ASSIGN_OR_RETURN(std::vector<FieldConflict> all, Conflicts(false));
  const FieldConflict* c = nullptr;
  for (const FieldConflict& x : all) {
    if (x.id == conflict_id || (conflict_id.size() >= 6 && x.id.rfind(conflict_id, 0) == 0)) c = &x;
  }
  if (!c) return Status::NotFound("no conflict with id " + conflict_id);
  if (c->resolved) return Status::Conflict("this conflict is already resolved");
  std::optional<RecordType> type = RecordTypeOf(c->type);
  if (!type) return Status::Invalid("this conflict is about a record type this app does not know");
  Op op;
  if (c->field == kDeletedField) {
    if (!value.is_boolean()) return Status::Invalid("a delete conflict is resolved with true (delete) or false (keep)");
    op = value.get<bool>() ? Op(DeleteRecord{*type, c->record_id, true}) : Op(RestoreRecord{*type, c->record_id, true});
  } else {
    SetFields set{*type, c->record_id, json::object(), true};
    set.fields[c->field] = value;
    op = std::move(set);
  }
  // The edit and the conflict's mark commit together (one Txn, Commit's rule).
  return s_->CommitThen({op}, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("UPDATE conflicts SET resolving_locally = 1 WHERE id = ?"));
    return q.Bind(1, c->id).Run();
  });
}

Result<SyncSettings> SyncReplica::GetSyncSettings() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("SELECT key, value FROM meta WHERE key LIKE 'sync_%'"));
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
    else if (k == "sync_zstd_server") s.zstd_server = v;
  }
  // The token lives apart from the file (store.h); an older file's token is
  // moved out when it is opened (MoveTokenOut).
  if (s_->path_ == ":memory:") {
    s.token = s_->memory_token_;
  } else if (s.token.empty()) {
    s.token = LoadCredential(s_->CredentialKeyForStore()).value_or("");
  }
  return s;
}

Status SyncReplica::RememberZstdServer(const std::string& server_url) {
  CCF_RETURN_IF_ERROR(s_->db_->CheckWritable());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES('sync_zstd_server', ?)"));
  return q.Bind(1, server_url).Run();
}

Status SyncReplica::SaveSyncSettings(const SyncSettings& s) {
  CCF_RETURN_IF_ERROR(s_->db_->CheckWritable());
  sql::Db* db = s_->db_.get();
  return Transact(db, [&]() -> Status {
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
    if (s_->schema_version_ >= 7 && !s.username.empty()) {
      // Changes made before anyone signed in belong to the first account that does.
      CCF_ASSIGN_OR_RETURN(sql::Stmt claim, db->Prepare(
          "UPDATE change_log SET account = ? WHERE account IS NULL AND device_id = ?"));
      CCF_RETURN_IF_ERROR(claim.Bind(1, s.username).Bind(2, s_->device_id_).Run());
    }
    // The token goes to the credential store inside the transaction: when it
    // cannot be saved, nothing of the login is.
    if (s_->path_ == ":memory:") {
      s_->memory_token_ = s.token;
    } else if (std::string error; s.token.empty() ? !DeleteCredential(s_->CredentialKeyForStore(), &error)
                                                  : !SaveCredential(s_->CredentialKeyForStore(), s.token, &error)) {
      return Status::IoError("saving the login: " + error);
    }
    return Status::Ok();
  });
}

}  // namespace ccfield
