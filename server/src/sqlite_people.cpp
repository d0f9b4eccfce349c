// SqliteStorage: disabling users, ending all their sign-ins and ending
// memberships (admin disable-user, reset-password, remove-member). Kept apart
// from sqlite_storage.cpp so that each file stays one subject; these run only
// from admin commands, so statements are prepared on use rather than cached.
#include "sqlite_storage.h"

namespace ccfield::server {

const char* SqliteStorage::PeopleSchemaSql() {
  return "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;";
}

Status SqliteStorage::SetUserDisabled(const std::string& user_id, bool disabled) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("UPDATE users SET disabled = ? WHERE id = ?"));
  return q.Bind(1, disabled ? 1 : 0).Bind(2, user_id).Run();
}

Status SqliteStorage::RevokeUserTokens(const std::string& user_id) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("UPDATE tokens SET revoked = 1 WHERE user_id = ?"));
  return q.Bind(1, user_id).Run();
}

Result<bool> SqliteStorage::RemoveMembership(const std::string& user_id, const std::string& workspace_id) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(sql::Stmt q,
                       db_->Prepare("DELETE FROM memberships WHERE user_id = ? AND workspace_id = ? RETURNING 1"));
  q.Bind(1, user_id).Bind(2, workspace_id);
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  if (row) {
    // Finish the statement so that the delete is complete before the caller commits.
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool more, q.Step());
      if (!more) break;
    }
  }
  return row;
}

}  // namespace ccfield::server
