// Issue 14, "conflicts go to those involved", end to end against the real
// ccfield-server on 127.0.0.1: alice and bob (field staff) edit the same
// field offline; the server records the user it authenticated for each side
// (winner_user, loser_user) and sends them with the conflict. Every device
// of the workspace keeps the conflict; alice, bob and dave (coordinator)
// have it to resolve, carol (field staff, not involved) does not: not in
// her status count, her sync report or `ccfield conflicts` (only `--all`).
#include <doctest/doctest.h>

#include <string>

#include "ccfield/platform/env.h"
#include "support/cli_device.h"
#include "support/server_process.h"
#include "support/sync_system.h"

namespace ccfield::sync::system_test {
namespace {

testing::CliOut Cli(SyncDevice& d, std::vector<std::string> args) {
  args.insert(args.begin(), {"--data", d.dir.path()});
  return testing::RunCli(args, DefaultEnv());
}

TEST_CASE("End to end: a conflict names both users and is listed to those involved and the coordinator") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  for (const auto& [user, role] : {std::pair{"carol", "field_staff"}, std::pair{"dave", "coordinator"}}) {
    server.Admin({"create-user", user, "--password", ServerProcess::Password(user)});
    server.Admin({"add-member", server.workspace_id, user, "--role", role});
  }
  SyncDevice alice, bob, carol, dave;
  alice.LogIn(server.url, "alice");
  bob.LogIn(server.url, "bob");
  carol.LogIn(server.url, "carol");
  dave.LogIn(server.url, "dave");
  auto client_a = alice.Client();
  auto client_b = bob.Client();
  REQUIRE_OK(client_a->SyncNow());
  std::string visit_id;
  {
    std::unique_ptr<Store> store = alice.OpenStore();
    const std::string site = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id);
    visit_id = testing::AddVisit(store.get(), DefaultEnv(), site, {{"answers", json::object()}});
  }
  REQUIRE_OK(client_a->SyncNow());
  REQUIRE_OK(client_b->SyncNow());
  REQUIRE_OK(alice.OpenStore()->Commit({SetFields{RecordType::kVisit, visit_id, {{"follow_up_action", "Dig out"}}}}));
  REQUIRE_OK(bob.OpenStore()->Commit({SetFields{RecordType::kVisit, visit_id, {{"follow_up_action", "Replace"}}}}));
  REQUIRE_OK(client_a->SyncNow());
  CHECK(Unwrap(client_b->SyncNow()).conflicts == 1);  // bob's arrives later and wins

  // The server recorded who pushed each side.
  CHECK(testing::QueryServerDb(server.db_path(), "SELECT count(*) FROM conflicts") == 1);
  CHECK(testing::QueryServerDb(server.db_path(),
                               "SELECT count(*) FROM conflicts WHERE winner_user = 'bob' AND loser_user = 'alice'") ==
        1);

  // Every device keeps it; the sync report counts it only where it is to be resolved.
  CHECK(Unwrap(client_a->SyncNow()).conflicts == 1);
  CHECK(Unwrap(carol.Client()->SyncNow()).conflicts == 0);
  CHECK(Unwrap(dave.Client()->SyncNow()).conflicts == 1);
  for (SyncDevice* d : {&alice, &bob, &carol, &dave}) {
    std::vector<FieldConflict> all = Unwrap(d->OpenStore()->replica().Conflicts(true));
    REQUIRE(all.size() == 1);
    CHECK(all[0].winner_user == "bob");
    CHECK(all[0].loser_user == "alice");
    CHECK(all[0].mine == (d != &carol));
    CHECK(Unwrap(ReadSyncStatus(d->OpenStore().get())).open_conflicts == (d == &carol ? 0 : 1));
  }

  // The command line: carol's list is empty and says where the others are.
  testing::CliOut none = Cli(carol, {"conflicts"});
  CHECK(none.code == 0);
  CHECK(
      none.out ==
      "No open conflicts.\n1 other person's conflict is kept on this device for them to resolve: see it with --all\n");
  CHECK(Cli(carol, {"--json", "conflicts"}).Json()["count"] == 0);
  testing::CliOut others = Cli(carol, {"conflicts", "--all"});
  CHECK(others.out.find("field follow_up_action  (someone else's)") != std::string::npos);
  json mine = Cli(dave, {"--json", "conflicts"}).Json();
  REQUIRE(mine["count"] == 1);
  CHECK(mine["items"][0]["current_user"] == "bob");
  CHECK(mine["items"][0]["other_user"] == "alice");
  CHECK(mine["items"][0]["mine"] == true);
  testing::CliOut listed = Cli(alice, {"conflicts"});
  CHECK(listed.out.find("field follow_up_action\n") != std::string::npos);
  CHECK(listed.out.find("other people") == std::string::npos);
}

}  // namespace
}  // namespace ccfield::sync::system_test
