// Issue 10, finding 7 (the device side): a member removed from a workspace
// kept its records on the device for good. Now the sync answer lists the
// caller's workspaces; a workspace the person left stops showing at once,
// what was unsent there is refused by the server (and stays, as refused,
// until moved or discarded), and once nothing of it is unsent or refused its
// local copy is removed and the person is told once. The real CLI
// (in-process) against the real ccfield-server on 127.0.0.1.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "ccfield/platform/env.h"
#include "support/cli_device.h"
#include "support/raw_db.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

using Cli = testing::CliOut;

// A tablet with a credentials folder of its own.
struct Tablet : testing::CliDevice {
  TempDir creds;
  Tablet() { setenv("CCFIELD_CREDENTIALS_DIR", creds.path().c_str(), 1); }
  int64_t RowsOf(const std::string& ws) {
    auto raw = testing::OpenRawDb(dir.File("ccfield.db"));
    auto q = Unwrap(raw->Prepare("SELECT (SELECT count(*) FROM sites WHERE workspace_id = ?1) + "
                                 "(SELECT count(*) FROM workspaces WHERE id = ?1)"));
    q.Bind(1, ws);
    REQUIRE(Unwrap(q.Step()));
    return q.Int(0);
  }
};

void RemoveMember(ServerProcess& server, const std::string& ws, const std::string& user) {
  server.Admin({"remove-member", ws, user});
}

TEST_CASE("attack: a person removed from a workspace keeps nothing of it on the device once their work is resolved") {
  ServerProcess server(kServerPath);
  const std::string priv = testing::TrimEnd(server.Admin({"create-workspace", "Msasani team", "--country", "TZ"}));
  server.Admin({"add-member", priv, "alice", "--role", "field_staff"});
  Tablet tab;
  tab.Ok({"init"});
  tab.Ok({"login", server.url, "--user", "alice", "--password", ServerProcess::Password("alice")});
  tab.Ok({"sync"});
  const std::string sent = tab.Ok({"site", "add", "--name", "Msasani drain", "--kind", "drain", "--workspace", priv})["id"];
  tab.Ok({"sync"});
  const std::string kept = tab.Ok({"site", "add", "--name", "Team culvert", "--kind", "drain", "--workspace",
                                   server.workspace_id})["id"];
  tab.Ok({"sync"});  // the team site is sent; the tablet now holds two workspaces
  // Offline work in the workspace she is about to be removed from.
  const std::string unsent = tab.Ok({"site", "add", "--name", "Msasani dump", "--kind", "drain", "--workspace", priv})["id"];

  RemoveMember(server, priv, "alice");
  json first = tab.Ok({"sync"});
  CHECK(first["removed_workspaces"].empty());  // her unsent site is not dropped
  CHECK(first["rejected"].get<int64_t>() > 0);
  {
    auto store = testing::OpenStore(DefaultEnv(), tab.dir.File("ccfield.db"));
    auto refused = Unwrap(store->replica().ChangesInState(ChangeState::kRejected, 100));
    REQUIRE_FALSE(refused.empty());
    for (const auto& [entry, reason] : refused) {
      CHECK(entry.record_id == unsent);
      CHECK_FALSE(reason.empty());
    }
  }
  CHECK_FALSE(tab.HasSite(sent));  // no longer shown
  CHECK(tab.HasSite(unsent));      // her own refused work: shown, with the ways out
  CHECK(tab.HasSite(kept));
  CHECK(tab.RowsOf(priv) > 0);

  // She gives it up: the next sync removes the workspace's copy and says so, once.
  REQUIRE(tab.Run({"refused", "discard", unsent, "--yes"}).code == 0);
  Cli told = tab.Run({"sync"});
  INFO(told.err);
  REQUIRE(told.code == 0);
  CHECK(told.out.find("You were removed from workspace Msasani team; its records were removed from this tablet.") !=
        std::string::npos);
  CHECK(tab.RowsOf(priv) == 0);
  CHECK(tab.HasSite(kept));
  Cli again = tab.Run({"sync"});
  CHECK(again.out.find("removed from workspace") == std::string::npos);
  CHECK(tab.RowsOf(priv) == 0);
}

}  // namespace
}  // namespace ccfield::security_test
