// Issue 10, carried-over item: a re-sent change that had caused a conflict
// was acked "duplicate", so the device marked it synced and forgot that the
// server had kept its delete out (or lost its edit to a conflict). Over the
// real server, real clients and a proxy that drops the answer of the sync
// that caused the conflicts: the re-send must get the outcome it really had.
#include <doctest/doctest.h>

#include "ccfield/sync/client.h"
#include "support/fault_proxy.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

TEST_CASE("resend: a conflict whose answer was lost is a conflict again when re-sent, never synced-and-forgotten") {
  ServerProcess server(kServerPath);
  testing::FaultProxy proxy(server.port);
  REQUIRE(proxy.Start());
  const std::string kept = "7a7a7a7a-1111-4222-8333-444455556666";     // bob deletes it, alice edits it
  const std::string renamed = "7b7b7b7b-1111-4222-8333-444455556666";  // both rename it

  testing::TempDir alice_dir, bob_dir;
  auto alice = Unwrap(sync::SyncClient::Open(DefaultEnv(), alice_dir.File("ccfield.db")));
  auto bob = Unwrap(sync::SyncClient::Open(DefaultEnv(), bob_dir.File("ccfield.db")));
  REQUIRE_OK(alice->Login(server.url, "alice", ServerProcess::Password("alice"), "tablet A"));
  REQUIRE_OK(bob->Login(proxy.url(), "bob", ServerProcess::Password("bob"), "tablet B"));
  REQUIRE_OK(alice->SyncNow());
  {
    auto store = testing::OpenStore(DefaultEnv(), alice_dir.File("ccfield.db"));
    REQUIRE_OK(store->Commit({SetFields{RecordType::kSite, kept, {{"workspace_id", server.workspace_id},
                                                                  {"name", "Drain D-14"}}},
                              SetFields{RecordType::kSite, renamed, {{"workspace_id", server.workspace_id},
                                                                     {"name", "Pump P-1"}}}}));
  }
  REQUIRE_OK(alice->SyncNow());
  REQUIRE_OK(bob->SyncNow());  // bob has both sites

  // Concurrent work: alice edits both and syncs first; bob, not having seen
  // that, deletes one and renames the other.
  {
    auto store = testing::OpenStore(DefaultEnv(), alice_dir.File("ccfield.db"));
    REQUIRE_OK(store->Commit({SetFields{RecordType::kSite, kept, {{"name", "Drain D-14 (cleared)"}}},
                              SetFields{RecordType::kSite, renamed, {{"name", "Pump P-1 north"}}}}));
  }
  REQUIRE_OK(alice->SyncNow());
  {
    auto store = testing::OpenStore(DefaultEnv(), bob_dir.File("ccfield.db"));
    REQUIRE_OK(store->Commit({DeleteRecord{RecordType::kSite, kept}}));
    REQUIRE_OK(store->Commit({SetFields{RecordType::kSite, renamed, {{"name", "Pump P-1 south"}}}}));
  }

  // Bob's sync reaches the server (which keeps the delete out and records
  // both conflicts) but its answer is lost on the way back.
  testing::ProxyFaults cut;
  cut.cut_down_after = 0;
  proxy.SetFaults(cut);
  CHECK_FALSE(bob->SyncNow().ok());
  proxy.SetFaults(testing::ProxyFaults{});

  // The device re-sends; the server must answer with what really happened.
  REQUIRE_OK(bob->SyncNow());
  auto store = testing::OpenStore(DefaultEnv(), bob_dir.File("ccfield.db"));
  ChangeStateCounts states = Unwrap(store->replica().CountChangeStates());
  CHECK(states.waiting == 0);
  CHECK(states.sent == 0);
  CHECK(states.conflict == 2);  // the kept-out delete and the conflicting rename
  // The delete was kept out: the site is alive on bob's device with alice's
  // name, and both conflicts are open for bob to see.
  Record site = Unwrap(store->Get(RecordType::kSite, kept));
  CHECK_FALSE(site.deleted);
  CHECK(site.Get("name") == "Drain D-14 (cleared)");
  std::vector<FieldConflict> open = Unwrap(store->replica().Conflicts(true));
  CHECK(open.size() == 2);
  CHECK(Unwrap(store->screens().RecordStateOf(RecordType::kSite, kept)).state == RecordState::kConflict);
  CHECK(Unwrap(store->screens().RecordStateOf(RecordType::kSite, renamed)).state == RecordState::kConflict);
}

}  // namespace
}  // namespace ccfield::security_test
