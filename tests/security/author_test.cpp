// Issue 10, finding 10a: the history's author was whatever the client sent.
// The server now records the authenticated user beside it and sends it to
// devices: a change pushed by bob as "Mallory Impersonator" reaches the other
// devices with user "bob". Real ccfield-server, real HTTP on loopback.
#include <doctest/doctest.h>
#include <httplib.h>

#include <sstream>

#include "ccfield/core/uuid.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/protocol.h"
#include "ccfield/sync/client.h"
#include "cli/cli.h"
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

void Login(int port, const std::string& user, Device* d) {
  httplib::Client c("127.0.0.1", port);
  d->token = LoginToken(c, user, d->id, "tablet");
}

sync::SyncResponse Sync(int port, const Device& d, const json& changes) {
  httplib::Client c("127.0.0.1", port);
  json body = {{"protocol", 1},   {"device_id", d.id}, {"cursor", 0}, {"device_time", "2026-12-06T12:00:00.000Z"},
               {"limit", 1000}, {"changes", changes}};
  httplib::Result r = PostSync(c, d.token, body.dump());
  REQUIRE(r);
  REQUIRE_MESSAGE(r->status == 200, r->body);
  Result<sync::SyncResponse> p = sync::ParseSyncResponse(json::parse(r->body));
  REQUIRE(p.ok());
  return std::move(*p);
}

TEST_CASE("author: a change pushed as someone else reaches other devices with the signed-in user beside it") {
  ServerProcess server(kServerPath);
  Device bob, alice;
  Login(server.port, "bob", &bob);
  Login(server.port, "alice", &alice);
  const std::string site = NewUuid(DefaultEnv());
  const std::string ws = server.workspace_id;
  json changes = json::array(
      {{{"seq", 1}, {"type", "site"}, {"id", site}, {"ws", ws}, {"field", "workspace_id"}, {"value", ws},
        {"base", 0}, {"time", "2026-12-06T12:00:00.000Z"}, {"author", "Mallory Impersonator"}, {"created", true}},
       {{"seq", 2}, {"type", "site"}, {"id", site}, {"ws", ws}, {"field", "name"}, {"value", "Drain D-9"},
        {"base", 0}, {"time", "2026-12-06T12:00:00.000Z"}, {"author", "Mallory Impersonator"}}});
  REQUIRE(Sync(server.port, bob, changes).acks.size() == 2);

  sync::SyncResponse pulled = Sync(server.port, alice, json::array());
  int seen = 0;
  for (const FieldChange& c : pulled.changes) {
    if (c.record_id != site) {
      if (c.device_id == sync::kServerDeviceId) CHECK(c.user.empty());  // the admin's records
      continue;
    }
    ++seen;
    CHECK(c.author == "Mallory Impersonator");  // what the device typed, kept as data
    CHECK(c.user == "bob");                     // who really pushed it
  }
  CHECK(seen == 2);
}

TEST_CASE("author: the receiving device keeps and shows the signed-in user beside the name the pusher typed") {
  ServerProcess server(kServerPath);
  testing::TempDir bob_dir, alice_dir;
  const std::string bob_db = bob_dir.File("ccfield.db"), alice_db = alice_dir.File("ccfield.db");
  auto bob = testing::Unwrap(sync::SyncClient::Open(DefaultEnv(), bob_db));
  REQUIRE_OK(bob->Login(server.url, "bob", ServerProcess::Password("bob"), "bob's tablet"));
  REQUIRE_OK(bob->SyncNow());
  const std::string site = NewUuid(DefaultEnv());
  {
    auto store = testing::OpenStore(DefaultEnv(), bob_db);
    store->SetAuthor("Mallory Impersonator");
    REQUIRE_OK(store->Commit({SetFields{RecordType::kSite, site,
                                        {{"workspace_id", server.workspace_id}, {"name", "Drain D-9"}}}}));
  }
  REQUIRE(testing::Unwrap(bob->SyncNow()).pushed == 2);

  auto alice = testing::Unwrap(sync::SyncClient::Open(DefaultEnv(), alice_db));
  REQUIRE_OK(alice->Login(server.url, "alice", ServerProcess::Password("alice"), "alice's tablet"));
  REQUIRE_OK(alice->SyncNow());
  alice.reset();
  {
    auto store = testing::OpenStore(DefaultEnv(), alice_db);
    std::vector<ChangeEntry> history = testing::Unwrap(store->History(site));
    REQUIRE(history.size() == 2);
    for (const ChangeEntry& e : history) {
      CHECK(e.author == "Mallory Impersonator");
      CHECK(e.user == "bob");
    }
  }
  // The CLI shows who really pushed it first.
  std::ostringstream out, err;
  REQUIRE_MESSAGE(cli::Run({"--data", alice_dir.path(), "history", site}, DefaultEnv(), out, err) == 0, err.str());
  CHECK(out.str().find("bob (signed as \"Mallory Impersonator\")") != std::string::npos);
  // The pusher's own history names nobody else: its changes are its own.
  std::ostringstream own, own_err;
  REQUIRE(cli::Run({"--data", bob_dir.path(), "--json", "history", site}, DefaultEnv(), own, own_err) == 0);
  CHECK(own.str().find("\"pushed_by\":\"\"") != std::string::npos);
}

}  // namespace
}  // namespace ccfield::security_test
