// Issue 10, finding 7: people could not leave. Now an admin can remove a
// member (their next sync refuses that workspace's changes, sends none of its
// records and no longer lists it), disable a user (their tokens stop at once,
// logins are refused) and reset a password (every sign-in ends).
// Real ccfield-server, its admin commands, real HTTP on loopback.
#include <doctest/doctest.h>
#include <httplib.h>

#include "ccfield/core/uuid.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/protocol.h"
#include "ccfield/sync/client.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

struct Device {
  std::string id = NewUuid(DefaultEnv());
  std::string token;
};

httplib::Result Login(int port, const std::string& user, const std::string& password, Device* d) {
  httplib::Client c("127.0.0.1", port);
  httplib::Result r = PostLogin(c, user, password, d->id, "tablet");
  if (r && r->status == 200) d->token = json::parse(r->body).value("token", "");
  return r;
}

httplib::Result Sync(int port, const Device& d, const json& changes) {
  httplib::Client c("127.0.0.1", port);
  json body = {{"protocol", 1},   {"device_id", d.id}, {"cursor", 0}, {"device_time", "2026-12-06T12:00:00.000Z"},
               {"limit", 1000}, {"changes", changes}};
  return PostSync(c, d.token, body.dump());
}

json NewSite(const std::string& ws, const std::string& name) {
  const std::string id = NewUuid(DefaultEnv());
  return json::array({{{"seq", 1}, {"type", "site"}, {"id", id}, {"ws", ws}, {"field", "workspace_id"},
                       {"value", ws}, {"base", 0}, {"time", "2026-12-06T12:00:00.000Z"}, {"author", "x"},
                       {"created", true}},
                      {{"seq", 2}, {"type", "site"}, {"id", id}, {"ws", ws}, {"field", "name"}, {"value", name},
                       {"base", 0}, {"time", "2026-12-06T12:00:00.000Z"}, {"author", "x"}}});
}

sync::SyncResponse Parse(const httplib::Result& r) {
  REQUIRE(r);
  REQUIRE_MESSAGE(r->status == 200, r->body);
  Result<sync::SyncResponse> p = sync::ParseSyncResponse(json::parse(r->body));
  REQUIRE(p.ok());
  return std::move(*p);
}

std::string ErrorCode(const httplib::Result& r) {
  return json::parse(r->body)["error"].value("code", "");
}

TEST_CASE("people: a removed member's next sync refuses their changes there and sends nothing of the workspace") {
  ServerProcess server(kServerPath);
  Device alice, bob;
  REQUIRE(Login(server.port, "alice", ServerProcess::Password("alice"), &alice)->status == 200);
  REQUIRE(Login(server.port, "bob", ServerProcess::Password("bob"), &bob)->status == 200);
  sync::SyncResponse before = Parse(Sync(server.port, alice, json::array()));
  CHECK(before.workspaces_known);
  REQUIRE(before.workspaces.size() == 1);
  CHECK(before.workspaces[0].id == server.workspace_id);
  CHECK(before.workspaces[0].role == "field_staff");
  CHECK_FALSE(before.changes.empty());  // the workspace's records

  server.Admin({"remove-member", "--workspace", server.workspace_id, "--user", "alice"});
  REQUIRE(Parse(Sync(server.port, bob, NewSite(server.workspace_id, "made after alice left"))).rejects.empty());

  sync::SyncResponse after = Parse(Sync(server.port, alice, NewSite(server.workspace_id, "typed by alice")));
  CHECK(after.workspaces_known);
  CHECK(after.workspaces.empty());
  CHECK(after.acks.empty());
  REQUIRE(after.rejects.size() == 2);  // refused, so the device keeps them as refused
  CHECK(after.rejects[0].code == RejectCode::kForbidden);
  for (const FieldChange& c : after.changes) CHECK(c.workspace_id != server.workspace_id);
  // Her sign-in still works (other workspaces, the library); only this workspace ended.
  CHECK(Sync(server.port, alice, json::array())->status == 200);
}

TEST_CASE("people: a disabled user's tokens stop at once and logins fail until enabled") {
  ServerProcess server(kServerPath);
  Device bob;
  REQUIRE(Login(server.port, "bob", ServerProcess::Password("bob"), &bob)->status == 200);
  server.Admin({"disable-user", "bob"});
  httplib::Result sync = Sync(server.port, bob, json::array());
  REQUIRE(sync);
  CHECK(sync->status == 401);
  CHECK(ErrorCode(sync) == "user_disabled");
  Device again;
  httplib::Result login = Login(server.port, "bob", ServerProcess::Password("bob"), &again);
  REQUIRE(login);
  CHECK(login->status == 403);
  CHECK(ErrorCode(login) == "user_disabled");
  // A wrong password says only that it is wrong.
  httplib::Result wrong = Login(server.port, "bob", "not-his-password", &again);
  CHECK(wrong->status == 401);
  CHECK(ErrorCode(wrong) == "unauthenticated");

  server.Admin({"enable-user", "bob"});
  CHECK(Login(server.port, "bob", ServerProcess::Password("bob"), &again)->status == 200);
  CHECK(Sync(server.port, again, json::array())->status == 200);
  CHECK(Sync(server.port, bob, json::array())->status == 401);  // old sign-ins stay ended
}

TEST_CASE("people: the app tells a disabled user so, never 'wrong password' nor 'log in again'") {
  ServerProcess server(kServerPath);
  testing::TempDir dir;
  auto client = testing::Unwrap(sync::SyncClient::Open(DefaultEnv(), dir.File("ccfield.db")));
  REQUIRE_OK(client->Login(server.url, "bob", ServerProcess::Password("bob"), "bob's tablet"));
  REQUIRE_OK(client->SyncNow());
  server.Admin({"disable-user", "bob"});
  Result<sync::SyncReport> sync = client->SyncNow();
  REQUIRE(!sync.ok());
  CHECK(sync.status().message().find("disabled") != std::string::npos);
  Result<sync::LoginResult> login = client->Login(server.url, "bob", ServerProcess::Password("bob"), "bob's tablet");
  REQUIRE(!login.ok());
  CHECK(login.status().message().find("disabled") != std::string::npos);
  CHECK(login.status().message().find("wrong") == std::string::npos);
}

TEST_CASE("people: reset-password ends every sign-in and only the new password works") {
  ServerProcess server(kServerPath);
  Device a1, a2;
  REQUIRE(Login(server.port, "alice", ServerProcess::Password("alice"), &a1)->status == 200);
  REQUIRE(Login(server.port, "alice", ServerProcess::Password("alice"), &a2)->status == 200);
  server.Admin({"reset-password", "alice", "--password", "a-new-password-2026"});
  CHECK(Sync(server.port, a1, json::array())->status == 401);
  CHECK(Sync(server.port, a2, json::array())->status == 401);
  Device a3;
  CHECK(Login(server.port, "alice", ServerProcess::Password("alice"), &a3)->status == 401);
  CHECK(Login(server.port, "alice", "a-new-password-2026", &a3)->status == 200);
  CHECK(Sync(server.port, a3, json::array())->status == 200);
}

}  // namespace
}  // namespace ccfield::security_test
