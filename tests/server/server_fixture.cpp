#include "server_fixture.h"

#include <initializer_list>
#include <utility>

#include "ccfield/core/store.h"

namespace ccfield::server::testing {

ServerFixture::ServerFixture(uint64_t seed) : env(dir.path(), seed) {
  REQUIRE(InitCrypto());
  Reopen();
}

ServerFixture::~ServerFixture() {
  service.reset();
  storage.reset();
}

void ServerFixture::Reopen() {
  service.reset();
  storage.reset();
  storage = Unwrap(SqliteStorage::Open(SqliteStorage::PathIn(dir.path())));
  service = std::make_unique<SyncService>(storage.get(), &env);
}

std::string ServerFixture::AddUser(const std::string& name, bool admin) {
  return Unwrap(CreateUser(storage.get(), &env, name, kPassword, admin, PasswordCost::kMinimumForTests));
}

std::string ServerFixture::AddWorkspace(const std::string& name) {
  return Unwrap(CreateWorkspace(storage.get(), &env, name, "TZ", "sw"));
}

std::string ServerFixture::AddMember(const std::string& workspace_id, const std::string& username,
                                     const std::string& role) {
  return Unwrap(server::AddMember(storage.get(), &env, workspace_id, username, role));
}

AuthContext ServerFixture::Who(const std::string& user_id, const std::string& device_id) {
  AuthContext who;
  who.user_id = user_id;
  who.device_id = device_id;
  who.memberships = Unwrap(storage->MembershipsOf(user_id));
  return who;
}

std::string ServerFixture::NewDeviceId() { return NewUuid(&env); }

sync::SyncResponse ServerFixture::Sync(const AuthContext& who, std::vector<FieldChange> changes,
                                       sync::ServerVersion cursor, int limit) {
  sync::SyncRequest req;
  req.device_id = who.device_id;
  req.cursor = cursor;
  req.limit = limit;
  req.device_time = FormatUtcMillis(env.WallMillis());
  for (FieldChange& c : changes) {
    if (c.time.empty()) c.time = FormatUtcMillis(env.WallMillis());
  }
  req.changes = std::move(changes);
  return Unwrap(service->Sync(who, req));
}

FieldChange Change(sync::DeviceSeq seq, const std::string& type, const std::string& id, const std::string& ws,
                        const std::string& field, const json& value, sync::ServerVersion base,
                        const std::string& author) {
  FieldChange c;
  c.device_seq = seq;
  c.type = ParseChangeType(type);  // a name the server does not know stays unknown
  c.record_id = id;
  c.workspace_id = ws;
  c.field = field;
  c.value = value;
  c.base = base;
  c.author = author;
  return c;
}

namespace {

// The changes that create record `id` of `type` in `ws`: its workspace_id
// (marked created), then `fields` in order, numbered from ++*seq.
std::vector<FieldChange> CreateChanges(sync::DeviceSeq* seq, const std::string& type, const std::string& id,
                                       const std::string& ws,
                                       std::initializer_list<std::pair<const char*, json>> fields) {
  std::vector<FieldChange> out;
  out.push_back(Change(++*seq, type, id, ws, "workspace_id", ws));
  out.back().created = true;
  for (const auto& [field, value] : fields) out.push_back(Change(++*seq, type, id, ws, field, value));
  return out;
}

}  // namespace

std::vector<FieldChange> SiteChanges(sync::DeviceSeq* seq, const std::string& site_id, const std::string& ws,
                                          const std::string& name) {
  return CreateChanges(seq, "site", site_id, ws, {{"name", name}});
}

std::vector<FieldChange> VisitChanges(sync::DeviceSeq* seq, const std::string& visit_id, const std::string& ws,
                                           const std::string& site_id) {
  return CreateChanges(seq, "visit", visit_id, ws,
                       {{"site_id", site_id},
                        {"form", kFormKey},
                        {"started_at", "2026-10-14T08:05:00+03:00"},
                        {"status", "draft"}});
}

const FormDef* BuiltinForm(const std::string& key) {
  for (const FormDef& f : BuiltinForms()) {
    if (f.key() == key) return &f;
  }
  return nullptr;
}

void Append(std::vector<FieldChange>* into, const std::vector<FieldChange>& more) {
  into->insert(into->end(), more.begin(), more.end());
}

const ChangeAck* FindAck(const sync::SyncResponse& r, sync::DeviceSeq seq) {
  for (const ChangeAck& a : r.acks) {
    if (a.device_seq == seq) return &a;
  }
  return nullptr;
}

const ChangeRefusal* FindReject(const sync::SyncResponse& r, sync::DeviceSeq seq) {
  for (const ChangeRefusal& x : r.rejects) {
    if (x.device_seq == seq) return &x;
  }
  return nullptr;
}

std::vector<FieldChange> Received(const sync::SyncResponse& r, const std::string& record_id,
                                         const std::string& field) {
  std::vector<FieldChange> out;
  for (const FieldChange& c : r.changes) {
    if (c.record_id == record_id && c.field == field) out.push_back(c);
  }
  return out;
}

Staff AddStaff(ServerFixture* f, const std::string& workspace_id, const std::string& username,
               const std::string& role) {
  Staff s;
  auto existing = Unwrap(f->storage->FindUserByName(username));
  s.user_id = existing ? existing->id : f->AddUser(username);
  s.member_id = f->AddMember(workspace_id, username, role);
  s.device_id = f->NewDeviceId();
  s.who = f->Who(s.user_id, s.device_id);
  return s;
}

}  // namespace ccfield::server::testing
