// Issue 10, finding 5: a shared tablet lost the first person's work. Bob
// signed in on Alice's tablet and synced: Alice's unsent changes became
// permanently refused and Bob could read her workspace's records. Now each
// change belongs to the account it was made under; a sync sends only the
// signed-in account's; the others stay unsent (never refused) and go when
// their owner signs in again; records of workspaces the signed-in person is
// not a member of are not shown. The real CLI (in-process) against the real
// ccfield-server on 127.0.0.1.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"
#include "support/cli_device.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

// Tokens go to a test folder, not the home directory (one for the process:
// every tablet of a test must find its own).
void UseTestCredentials() {
  static TempDir creds;
  setenv("CCFIELD_CREDENTIALS_DIR", creds.path().c_str(), 1);
}

struct Tablet : testing::CliDevice {
  Tablet() { UseTestCredentials(); }
};

TEST_CASE("shared tablet: Bob signing in never refuses Alice's unsent changes nor shows her private workspace") {
  ServerProcess server(kServerPath);
  const std::string ws = server.workspace_id;  // alice and bob
  const std::string priv = testing::TrimEnd(server.Admin({"create-workspace", "Alice private", "--country", "TZ"}));
  server.Admin({"add-member", priv, "alice", "--role", "field_staff"});

  Tablet tab;
  tab.Ok({"init"});
  json login = tab.Ok({"login", server.url, "--user", "alice", "--password", ServerProcess::Password("alice")});
  CHECK(login["workspaces"].size() == 2);
  tab.Ok({"sync"});
  // Alice works offline: two sites in her private workspace, one shared.
  std::vector<std::string> hers;
  for (const char* name : {"Alice drain", "Alice dump"}) {
    hers.push_back(tab.Ok({"site", "add", "--name", name, "--kind", "drain", "--workspace", priv})["id"]);
  }
  const std::string shared = tab.Ok({"site", "add", "--name", "Shared culvert", "--kind", "drain", "--workspace", ws})["id"];
  int64_t alice_unsent = 0;
  {
    auto store = testing::OpenStore(DefaultEnv(), tab.Db());
    // Counted in entries (what one save changed in one record), as the CLI and UnsentOfOtherAccounts count.
    const std::vector<ChangeEntry> pending = Unwrap(store->replica().PendingChanges(10000));
    for (size_t i = 0; i < pending.size(); i = EntryEnd(pending, i)) ++alice_unsent;
  }
  REQUIRE(alice_unsent > 0);

  // Bob signs in on the same tablet: told, not silently taking over.
  Tablet::Out bob = tab.Run({"login", server.url, "--user", "bob", "--password", ServerProcess::Password("bob")});
  INFO(bob.err);
  REQUIRE(bob.code == 0);
  CHECK(bob.out.find("alice has " + std::to_string(alice_unsent) +
                     " unsent changes on this tablet; they stay here and are sent when alice signs in again.") !=
        std::string::npos);
  const std::string bob_site = tab.Ok({"site", "add", "--name", "Bob drain", "--kind", "drain", "--workspace", ws})["id"];
  json sync = tab.Ok({"sync"});
  {
    auto store = testing::OpenStore(DefaultEnv(), tab.Db());
    CHECK(Unwrap(store->replica().ChangesInState(ChangeState::kRejected, 100)).empty());
    CHECK(Unwrap(store->replica().CountChangeStates()).rejected == 0);
    // Alice's stay unsent; Bob's went.
    auto others = Unwrap(store->replica().UnsentOfOtherAccounts());
    REQUIRE(others.size() == 1);
    CHECK(others[0].first == "alice");
    CHECK(others[0].second == alice_unsent);
    CHECK(Unwrap(store->replica().PendingChanges(10000)).empty());
  }
  // Bob does not see Alice's private workspace: lists, search, show, export.
  for (const std::string& id : hers) CHECK_FALSE(tab.HasSite(id));
  CHECK(tab.HasSite(bob_site));
  CHECK(tab.HasSite(shared));  // his own workspace: he may see it
  json found = tab.Ok({"search", "Alice"});
  INFO(found.dump());
  for (const json& hit : found["items"]) {
    for (const std::string& id : hers) CHECK(hit["id"] != id);
  }
  CHECK(tab.Run({"site", "show", hers[0]}).code != 0);

  // Alice signs in again and syncs: everything of hers reaches the server.
  tab.Ok({"login", server.url, "--user", "alice", "--password", ServerProcess::Password("alice")});
  for (const std::string& id : hers) CHECK(tab.HasSite(id));
  json again = tab.Ok({"sync"});
  {
    auto store = testing::OpenStore(DefaultEnv(), tab.Db());
    CHECK(Unwrap(store->replica().PendingChanges(10000)).empty());
    CHECK(Unwrap(store->replica().UnsentOfOtherAccounts()).empty());
    CHECK(Unwrap(store->replica().CountChangeStates()).rejected == 0);
  }
  // A second device of Alice's receives all of it from the server.
  Tablet other;
  other.Ok({"init"});
  other.Ok({"login", server.url, "--user", "alice", "--password", ServerProcess::Password("alice")});
  other.Ok({"sync"});
  for (const std::string& id : hers) CHECK(other.HasSite(id));
  CHECK(other.HasSite(shared));
  CHECK(other.HasSite(bob_site));
}

}  // namespace
}  // namespace ccfield::security_test
