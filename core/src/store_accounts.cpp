// A device shared by several accounts (issue 10 #5) and the token kept apart
// from the file (#9): see store.h, "A shared device", and docs/store.md.
#include "ccfield/platform/credentials.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"

namespace ccfield {

using sql::Transact;

std::string Store::CredentialKeyForStore() const { return CredentialKey(path_, device_id_); }

Status Store::MoveTokenOut() {
  std::string token;
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT value FROM meta WHERE key = 'sync_token'"));
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::Ok();
    token = q.Text(0);
  }
  if (!token.empty()) {
    if (path_ == ":memory:") {
      memory_token_ = token;
    } else if (std::string error; !SaveCredential(CredentialKeyForStore(), token, &error)) {
      // Keep it in the file rather than lose the login; try again next open.
      env_->Log(LogLevel::kWarning, "the login stays in the data file for now: " + error);
      return Status::Ok();
    }
  }
  // secure_delete zeroes the freed cell; the checkpoint puts the zeroed page
  // in the main file and empties the WAL, which held the old page.
  CCF_RETURN_IF_ERROR(db_->Exec("PRAGMA secure_delete = ON"));
  Status st = Transact(db_.get(), [&] { return db_->Exec("DELETE FROM meta WHERE key = 'sync_token'"); });
  (void)db_->Exec("PRAGMA secure_delete = OFF");
  CCF_RETURN_IF_ERROR(st);
  if (path_ != ":memory:") (void)db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return Status::Ok();
}

Status SyncReplica::SaveMemberships(const std::string& account,
                              const std::vector<std::pair<std::string, std::string>>& ws) {
  CCF_RETURN_IF_ERROR(s_->db_->CheckWritable());
  if (account.empty()) return Status::Invalid("no account");
  sql::Db* db = s_->db_.get();
  return Transact(db, [&]() -> Status {
    // A workspace the account was listed in before and is not now: it was
    // removed from it (never-listed workspaces of other accounts are not).
    CCF_ASSIGN_OR_RETURN(sql::Stmt before, db->Prepare(
        "SELECT workspace_id, role FROM account_workspaces WHERE account = ?"));
    before.Bind(1, account);
    std::vector<std::string> gone;
    size_t same = 0;  // listed before with the same role
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool row, before.Step());
      if (!row) break;
      const std::string id = before.Text(0);
      bool still = false;
      for (const auto& w : ws) {
        still = still || w.first == id;
        same += w.first == id && w.second == before.Text(1) ? 1 : 0;
      }
      if (!still) gone.push_back(id);
    }
    // Issue 14: the same list as saved (every sync brings it) writes nothing,
    // so a sync with nothing new commits no extra transaction.
    if (gone.empty() && same == ws.size()) {
      CCF_ASSIGN_OR_RETURN(sql::Stmt who, db->Prepare("SELECT value FROM meta WHERE key = 'memberships_account'"));
      CCF_ASSIGN_OR_RETURN(bool row, who.Step());
      if (row && who.Text(0) == account) return Status::Ok();
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt mark, db->Prepare(
        "INSERT OR IGNORE INTO left_workspaces(account, workspace_id) VALUES(?, ?)"));
    for (const std::string& id : gone) {
      mark.Reset();
      CCF_RETURN_IF_ERROR(mark.Bind(1, account).Bind(2, id).Run());
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt back, db->Prepare(
        "DELETE FROM left_workspaces WHERE account = ? AND workspace_id = ?"));
    for (const auto& w : ws) {
      back.Reset();
      CCF_RETURN_IF_ERROR(back.Bind(1, account).Bind(2, w.first).Run());
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt del, db->Prepare("DELETE FROM account_workspaces WHERE account = ?"));
    CCF_RETURN_IF_ERROR(del.Bind(1, account).Run());
    CCF_ASSIGN_OR_RETURN(sql::Stmt ins, db->Prepare(
        "INSERT OR REPLACE INTO account_workspaces(account, workspace_id, role) VALUES(?, ?, ?)"));
    for (const auto& [id, role] : ws) {
      ins.Reset();
      CCF_RETURN_IF_ERROR(ins.Bind(1, account).Bind(2, id).Bind(3, role).Run());
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt meta, db->Prepare(
        "INSERT OR REPLACE INTO meta(key, value) VALUES('memberships_account', ?)"));
    return meta.Bind(1, account).Run();
  });
}

Result<std::vector<std::pair<std::string, int64_t>>> SyncReplica::UnsentOfOtherAccounts() {
  std::vector<std::pair<std::string, int64_t>> out;
  if (s_->schema_version_ < 7) return out;
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
      "SELECT account, count(*) AS n FROM change_log WHERE sync_state IN ('waiting', 'sent') AND device_id = ? "
      "AND account IS NOT NULL AND account IS NOT (SELECT nullif(value, '') FROM meta WHERE key = 'sync_username') "
      "GROUP BY account ORDER BY n DESC, account"));
  q.Bind(1, s_->device_id_);
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.emplace_back(q.Text(0), q.Int(1));
  }
  return out;
}

Result<bool> Store::Visible(const std::string& workspace_id, const std::string& record_id) {
  if (schema_version_ < 7) return true;
  CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db_->Cached("SELECT " + internal::VisibleCondition("?1", "?2")));
  q->Bind(1, workspace_id).Bind(2, record_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  const bool visible = row && q->Int(0) != 0;
  q->Reset();
  return visible;
}

Result<std::vector<std::string>> SyncReplica::DropLeftWorkspaces() {
  std::vector<std::string> dropped;
  if (s_->schema_version_ < 7) return dropped;
  CCF_RETURN_IF_ERROR(s_->db_->CheckWritable());
  sql::Db* db = s_->db_.get();
  // Off as in ApplySyncBatch: a record elsewhere may still point at one of
  // these (the server keeps it); foreign keys guard local edits only.
  CCF_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = OFF"));
  Status st = Transact(db, [&]() -> Status {
    // Left by the signed-in account, not kept by another account of this device.
    CCF_ASSIGN_OR_RETURN(sql::Stmt left, db->Prepare(
        "SELECT l.workspace_id, coalesce(w.name, l.workspace_id) FROM left_workspaces l "
        "LEFT JOIN workspaces w ON w.id = l.workspace_id "
        "WHERE l.account = (SELECT value FROM meta WHERE key = 'sync_username') AND l.workspace_id NOT IN "
        "(SELECT workspace_id FROM account_workspaces WHERE account <> l.account)"));
    using IdAndName = std::pair<std::string, std::string>;
    CCF_ASSIGN_OR_RETURN(std::vector<IdAndName> candidates,
                         sql::AllRows<IdAndName>(left, [](const sql::Stmt& r) { return IdAndName(r.Text(0), r.Text(1)); }));
    left.Reset();
    const char* const kTables[] = {"visits", "sites", "projects", "members"};
    for (const auto& [ws, name] : candidates) {
      std::vector<std::string> ids{ws};
      for (const char* t : kTables) {
        CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare(std::string("SELECT id FROM ") + t + " WHERE workspace_id = ?"));
        q.Bind(1, ws);
        while (true) {
          CCF_ASSIGN_OR_RETURN(bool row, q.Step());
          if (!row) break;
          ids.push_back(q.Text(0));
        }
      }
      // Anything unsent or refused (any account's) keeps the whole copy: a
      // person must first send, move or discard it (Store::RefusedRecords).
      CCF_ASSIGN_OR_RETURN(sql::Stmt busy, db->Prepare(
          "SELECT 1 FROM record_state WHERE record_id = ? AND (unsent > 0 OR refused > 0)"));
      bool keep = false;
      for (const std::string& id : ids) {
        busy.Reset();
        busy.Bind(1, id);
        CCF_ASSIGN_OR_RETURN(bool row, busy.Step());
        if (row) {
          keep = true;
          break;
        }
      }
      if (keep) continue;
      for (const std::string& id : ids) {
        CCF_RETURN_IF_ERROR(internal::UnindexRecord(db, id));
        for (const char* sql : {"DELETE FROM change_log WHERE record_id = ?", "DELETE FROM field_versions WHERE record_id = ?",
                                "DELETE FROM conflicts WHERE record_id = ?"}) {
          CCF_ASSIGN_OR_RETURN(sql::Stmt d, db->Prepare(sql));
          CCF_RETURN_IF_ERROR(d.Bind(1, id).Run());
        }
      }
      for (const char* t : kTables) {
        CCF_ASSIGN_OR_RETURN(sql::Stmt d, db->Prepare(std::string("DELETE FROM ") + t + " WHERE workspace_id = ?"));
        CCF_RETURN_IF_ERROR(d.Bind(1, ws).Run());
      }
      CCF_ASSIGN_OR_RETURN(sql::Stmt dw, db->Prepare("DELETE FROM workspaces WHERE id = ?"));
      CCF_RETURN_IF_ERROR(dw.Bind(1, ws).Run());
      CCF_ASSIGN_OR_RETURN(sql::Stmt dl, db->Prepare("DELETE FROM left_workspaces WHERE workspace_id = ?"));
      CCF_RETURN_IF_ERROR(dl.Bind(1, ws).Run());
      dropped.push_back(name);
    }
    return Status::Ok();
  });
  Status fk = db->Exec("PRAGMA foreign_keys = ON");
  CCF_RETURN_IF_ERROR(st);
  CCF_RETURN_IF_ERROR(fk);
  return dropped;
}

}  // namespace ccfield
