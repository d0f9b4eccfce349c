#pragma once
// Shared helpers for the server tests: a server data directory with a real
// SQLite storage and a FakeEnv, users/workspaces created through the admin
// functions, and short ways to build pushed changes and run sync cycles.
//
// Only for use inside doctest test cases (the helpers REQUIRE).
#include <doctest/doctest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "admin.h"
#include "auth.h"
#include "auth_context.h"
#include "ccfield/core/forms.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/protocol.h"
#include "sqlite_storage.h"
#include "support/status_checks.h"
#include "support/temp_dir.h"
#include "sync_service.h"

namespace ccfield::server::testing {

using nlohmann::json;
using ccfield::testing::Describe;
using ccfield::testing::Unwrap;

inline constexpr const char* kPassword = "correct horse battery";
inline constexpr const char* kFormKey = "drainage_flood@1.0";

// A server data dir with storage and sync service (no HTTP).
class ServerFixture {
 public:
  explicit ServerFixture(uint64_t seed = 42);
  ~ServerFixture();

  // Closes and reopens the storage (and a fresh sync service).
  void Reopen();

  // Creates a user (password kPassword, tiny Argon2 cost); returns the id.
  std::string AddUser(const std::string& name, bool admin = false);
  std::string AddWorkspace(const std::string& name = "Test municipality");
  // Adds the member record and membership; returns the member record id.
  std::string AddMember(const std::string& workspace_id, const std::string& username,
                        const std::string& role = "field_staff");
  // The caller `user_id` on `device_id`, with memberships from the storage.
  AuthContext Who(const std::string& user_id, const std::string& device_id);
  // A fresh random device id (from the FakeEnv).
  std::string NewDeviceId();
  std::string NewId() { return NewDeviceId(); }

  // Runs one sync cycle; REQUIREs success.
  sync::SyncResponse Sync(const AuthContext& who, std::vector<FieldChange> changes, sync::ServerVersion cursor = 0,
                          int limit = sync::kDefaultPullLimit);

  ccfield::testing::TempDir dir;
  FakeEnv env;
  std::unique_ptr<SqliteStorage> storage;
  std::unique_ptr<SyncService> service;
};

// A pushed change. `time` defaults to the fixture's clock when empty.
FieldChange Change(sync::DeviceSeq seq, const std::string& type, const std::string& id, const std::string& ws,
                        const std::string& field, const json& value, sync::ServerVersion base = 0,
                        const std::string& author = "tester");

// The changes that create a site (name, workspace_id).
std::vector<FieldChange> SiteChanges(sync::DeviceSeq* seq, const std::string& site_id, const std::string& ws,
                                          const std::string& name = "Drain D-14");
// The changes that create a drainage_flood@1.0 visit at `site_id`.
std::vector<FieldChange> VisitChanges(sync::DeviceSeq* seq, const std::string& visit_id, const std::string& ws,
                                           const std::string& site_id);

// The built-in form with `key` (kFormKey: the drainage form), or nullptr.
const FormDef* BuiltinForm(const std::string& key);

// Appends all of `more` to `into`.
void Append(std::vector<FieldChange>* into, const std::vector<FieldChange>& more);

// The ack for `seq`, or nullptr.
const ChangeAck* FindAck(const sync::SyncResponse& r, sync::DeviceSeq seq);
// The reject for `seq`, or nullptr.
const ChangeRefusal* FindReject(const sync::SyncResponse& r, sync::DeviceSeq seq);
// Received changes to (record, field), in order.
std::vector<FieldChange> Received(const sync::SyncResponse& r, const std::string& record_id,
                                         const std::string& field);

// A user in a workspace with a device: the common starting point.
struct Staff {
  std::string user_id;
  std::string member_id;
  std::string device_id;
  AuthContext who;
};
Staff AddStaff(ServerFixture* f, const std::string& workspace_id, const std::string& username,
               const std::string& role = "field_staff");

}  // namespace ccfield::server::testing
