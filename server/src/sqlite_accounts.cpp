// SqliteStorage: users, devices, tokens, memberships, login throttling and
// imported forms (the sync path's history, fields and conflicts are in
// sqlite_storage.cpp).
#include "sqlite_storage.h"

namespace ccfield::server {

namespace {

UserRow ReadUser(const sql::Stmt& s) {
  return UserRow{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0, s.Int(4), s.Int(5) != 0};
}
DeviceRow ReadDevice(const sql::Stmt& s) {
  return DeviceRow{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0, s.Int(4), s.Int(5), s.Int(6), s.Text(7)};
}
TokenRow ReadToken(const sql::Stmt& s) {
  return TokenRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5), s.Int(6) != 0};
}

}  // namespace

// ---- Users, devices, tokens, memberships ----------------------------------

Result<std::optional<UserRow>> SqliteStorage::FindUserByName(const std::string& username) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, username, password_hash, is_admin, created_ms, disabled FROM users "
                                  "WHERE username = ?"));
  q->Bind(1, username);
  return sql::OneRow<UserRow>(*q, ReadUser);
}

Result<std::optional<UserRow>> SqliteStorage::FindUserById(const std::string& user_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, username, password_hash, is_admin, created_ms, disabled FROM users "
                                  "WHERE id = ?"));
  q->Bind(1, user_id);
  return sql::OneRow<UserRow>(*q, ReadUser);
}

Status SqliteStorage::CreateUser(const UserRow& u) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO users(id, username, password_hash, is_admin, created_ms) "
                                  "VALUES(?, ?, ?, ?, ?)"));
  q->Bind(1, u.id).Bind(2, u.username).Bind(3, u.password_hash).Bind(4, u.admin ? 1 : 0).Bind(5, u.created_ms);
  Status st = q->Run();
  if (st.code() == Code::kConflict) return Status::Conflict("a user named \"" + u.username + "\" already exists");
  return st;
}

Status SqliteStorage::SetPasswordHash(const std::string& user_id, const std::string& hash) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE users SET password_hash = ? WHERE id = ?"));
  q->Bind(1, hash).Bind(2, user_id);
  return q->Run();
}

Result<std::optional<DeviceRow>> SqliteStorage::FindDevice(const std::string& device_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, user_id, name, revoked, registered_ms, last_seen_ms, last_sync_ms, "
                                  "secret_hash FROM devices WHERE id = ?"));
  q->Bind(1, device_id);
  return sql::OneRow<DeviceRow>(*q, ReadDevice);
}

Status SqliteStorage::PutDevice(const DeviceRow& d) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO devices(id, user_id, name, revoked, registered_ms, last_seen_ms, "
                                  "last_sync_ms, secret_hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE "
                                  "SET user_id = excluded.user_id, name = excluded.name, "
                                  "last_seen_ms = excluded.last_seen_ms, secret_hash = CASE WHEN "
                                  "excluded.secret_hash != '' THEN excluded.secret_hash ELSE devices.secret_hash END"));
  q->Bind(1, d.id)
      .Bind(2, d.user_id)
      .Bind(3, d.name)
      .Bind(4, d.revoked ? 1 : 0)
      .Bind(5, d.registered_ms)
      .Bind(6, d.last_seen_ms)
      .Bind(7, d.last_sync_ms)
      .Bind(8, d.secret_hash);
  return q->Run();
}

Status SqliteStorage::SetDeviceRevoked(const std::string& device_id) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  {
    CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE devices SET revoked = 1 WHERE id = ?"));
    q->Bind(1, device_id);
    CCF_RETURN_IF_ERROR(q->Run());
  }
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE tokens SET revoked = 1 WHERE device_id = ?"));
  q->Bind(1, device_id);
  return q->Run();
}

Status SqliteStorage::SetDeviceLastSync(const std::string& device_id, int64_t server_ms) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE devices SET last_sync_ms = ? WHERE id = ?"));
  q->Bind(1, server_ms).Bind(2, device_id);
  return q->Run();
}

Result<std::vector<DeviceRow>> SqliteStorage::ListDevices() {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, user_id, name, revoked, registered_ms, last_seen_ms, last_sync_ms "
                                  "FROM devices ORDER BY registered_ms, id"));
  return sql::AllRows<DeviceRow>(*q, ReadDevice);
}

Status SqliteStorage::CreateToken(const TokenRow& t) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO tokens(id, hash, user_id, device_id, created_ms, expires_ms, revoked) "
                                  "VALUES(?, ?, ?, ?, ?, ?, ?)"));
  q->Bind(1, t.id)
      .Bind(2, t.hash)
      .Bind(3, t.user_id)
      .Bind(4, t.device_id)
      .Bind(5, t.created_ms)
      .Bind(6, t.expires_ms)
      .Bind(7, t.revoked ? 1 : 0);
  return q->Run();
}

Result<std::optional<TokenRow>> SqliteStorage::FindTokenByHash(const std::string& hash) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, hash, user_id, device_id, created_ms, expires_ms, revoked FROM tokens "
                                  "WHERE hash = ?"));
  q->Bind(1, hash);
  return sql::OneRow<TokenRow>(*q, ReadToken);
}

Result<std::optional<TokenRow>> SqliteStorage::FindToken(const std::string& token_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, hash, user_id, device_id, created_ms, expires_ms, revoked FROM tokens "
                                  "WHERE id = ?"));
  q->Bind(1, token_id);
  return sql::OneRow<TokenRow>(*q, ReadToken);
}

Result<std::vector<TokenRow>> SqliteStorage::ListTokens(const std::string& user_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT id, hash, user_id, device_id, created_ms, expires_ms, revoked FROM tokens "
                                  "WHERE user_id = ? ORDER BY created_ms, id"));
  q->Bind(1, user_id);
  return sql::AllRows<TokenRow>(*q, ReadToken);
}

Status SqliteStorage::RevokeToken(const std::string& token_id) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("UPDATE tokens SET revoked = 1 WHERE id = ?"));
  q->Bind(1, token_id);
  return q->Run();
}

Result<std::vector<Membership>> SqliteStorage::MembershipsOf(const std::string& user_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT user_id, workspace_id, role, member_id FROM memberships WHERE user_id = ? "
                                  "ORDER BY workspace_id"));
  q->Bind(1, user_id);
  return sql::AllRows<Membership>(
      *q, [](const sql::Stmt& r) { return Membership{r.Text(0), r.Text(1), r.Text(2), r.Text(3)}; });
}

Status SqliteStorage::PutMembership(const Membership& m) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO memberships(user_id, workspace_id, role, member_id) VALUES(?, ?, ?, ?) "
                                  "ON CONFLICT(user_id, workspace_id) DO UPDATE SET role = excluded.role, "
                                  "member_id = excluded.member_id"));
  q->Bind(1, m.user_id).Bind(2, m.workspace_id).Bind(3, m.role).Bind(4, m.member_id);
  return q->Run();
}

// ---- Login throttling ---------------------------------------------------

Result<ThrottleState> SqliteStorage::GetThrottle(const std::string& key) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT failures, window_start_ms, locked_until_ms, lock_count FROM login_throttle "
                                  "WHERE key = ?"));
  q->Bind(1, key);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  ThrottleState t;
  // window_start_ms holds the last failure, locked_until_ms the delay's end
  // (column names from the lock-out design; lock_count is no longer used).
  if (row) t = ThrottleState{static_cast<int>(q->Int(0)), q->Int(1), q->Int(2)};
  return t;
}

Status SqliteStorage::PutThrottle(const std::string& key, const ThrottleState& t) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO login_throttle(key, failures, window_start_ms, locked_until_ms, "
                                  "lock_count) VALUES(?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                                  "failures = excluded.failures, window_start_ms = excluded.window_start_ms, "
                                  "locked_until_ms = excluded.locked_until_ms, lock_count = excluded.lock_count"));
  q->Bind(1, key).Bind(2, t.failures).Bind(3, t.last_failure_ms).Bind(4, t.wait_until_ms).Bind(5, 0);
  return q->Run();
}

// ---- Forms --------------------------------------------------------------

Result<std::optional<StoredForm>> SqliteStorage::FindForm(const std::string& key) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT key, definition, version FROM forms WHERE key = ?"));
  q->Bind(1, key);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<StoredForm>();
  StoredForm f;
  f.key = q->Text(0);
  CCF_ASSIGN_OR_RETURN(f.definition, StoredJson(q->Text(1)));
  f.version = q->Int(2);
  return std::optional<StoredForm>(std::move(f));
}

Status SqliteStorage::AddForm(const StoredForm& f) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO forms(key, definition, version) VALUES(?, ?, ?)"));
  q->Bind(1, f.key).Bind(2, JsonText(f.definition)).Bind(3, f.version);
  return q->Run();
}

}  // namespace ccfield::server
