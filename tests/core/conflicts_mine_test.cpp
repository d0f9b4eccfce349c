// Issue 14, "conflicts go to those involved": a device keeps every conflict
// the server sends and marks the ones its signed-in user is to resolve (an
// author of a side, or a coordinator/admin of the workspace). Schema 10
// stores who pushed each side; a file from schema 9 keeps its conflicts,
// which name nobody and stay listed.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "ccfield/core/store.h"
#include "support/raw_db.h"
#include "support/store_fixture.h"
#include "testing_hooks.h"

namespace ccfield::store_test {
namespace {

using testing::StoreFixture;
using testing::Unwrap;

// A conflict on a visit's notes: bob's value won over alice's, as a server
// of schema 7 sends it (users empty: a server that did not record them).
FieldConflict Clash(const std::string& id, ServerVersion v, const std::string& winner_user,
                    const std::string& loser_user, const std::string& ws = "ws-1") {
  FieldConflict c;
  c.id = id;
  c.version = v;
  c.type = ChangeType::kVisit;
  c.record_id = "visit-" + id;
  c.workspace_id = ws;
  c.field = "notes";
  c.base = "Blocked";
  c.winner = "Blocked by sand";
  c.loser = "Blocked by leaves";
  c.winner_device = "tablet-b";
  c.loser_device = "tablet-a";
  c.winner_author = "Bob";
  c.loser_author = "Alice";
  c.loser_time = "2026-12-01T10:00:00.000Z";
  c.winner_version = v - 1;
  c.winner_user = winner_user;
  c.loser_user = loser_user;
  return c;
}

void Receive(Store* s, std::vector<FieldConflict> conflicts, int64_t cursor) {
  SyncBatch b;
  b.conflicts = std::move(conflicts);
  b.cursor = cursor;
  REQUIRE_OK(s->replica().ApplySyncBatch(b));
}

// The user signed in (or last signed in) on the device, as a login saves it.
void SignIn(StoreFixture& fx, const std::string& user) {
  fx.Close();
  {
    auto db = testing::OpenRawDb(fx.path);
    auto q = Unwrap(db->Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES('sync_username', ?)"));
    REQUIRE_OK(q.Bind(1, user).Run());
  }
  fx.Reopen();
}

// Open conflicts by id: whether each is marked this user's.
std::map<std::string, bool> Mine(Store* s) {
  std::map<std::string, bool> out;
  for (const FieldConflict& c : Unwrap(s->replica().Conflicts(true))) out[c.id] = c.mine;
  return out;
}

TEST_CASE("conflicts: listed to their authors and the workspace's coordinators, kept for everyone") {
  StoreFixture fx;
  REQUIRE_OK(fx->replica().SaveMemberships("alice", {{"ws-1", "field_staff"}}));
  REQUIRE_OK(fx->replica().SaveMemberships("carol", {{"ws-1", "field_staff"}}));
  REQUIRE_OK(fx->replica().SaveMemberships("dave", {{"ws-1", "coordinator"}, {"ws-2", "field_staff"}}));
  Receive(fx.store(),
          {Clash("c1", 10, "bob", "alice"), Clash("old", 12, "", ""), Clash("c2", 14, "bob", "erin", "ws-2")}, 14);
  // The users travel into the file and back.
  for (const FieldConflict& c : Unwrap(fx->replica().Conflicts(true))) {
    if (c.id != "c1") continue;
    CHECK(c.winner_user == "bob");
    CHECK(c.loser_user == "alice");
  }

  SignIn(fx, "alice");  // the author of the losing side
  CHECK(Mine(fx.store()) == std::map<std::string, bool>{{"c1", true}, {"old", true}, {"c2", false}});
  SignIn(fx, "Carol");  // another field_staff member (the name as typed at sign-in)
  CHECK(Mine(fx.store()) == std::map<std::string, bool>{{"c1", false}, {"old", true}, {"c2", false}});
  SignIn(fx, "dave");  // coordinator of ws-1 only
  CHECK(Mine(fx.store()) == std::map<std::string, bool>{{"c1", true}, {"old", true}, {"c2", false}});
  SignIn(fx, "bob");  // the winner, with no memberships saved on this device
  CHECK(Mine(fx.store()) == std::map<std::string, bool>{{"c1", true}, {"old", true}, {"c2", true}});
  SignIn(fx, "");  // nobody signed in: as before issue 14
  CHECK(Mine(fx.store()) == std::map<std::string, bool>{{"c1", true}, {"old", true}, {"c2", true}});

  // Carol's list leaves c1 out, but the file keeps it: it still protects the value.
  SignIn(fx, "carol");
  CHECK(Unwrap(fx->replica().Conflicts(true)).size() == 3);
  // A later update (resolved elsewhere) changes the resolution alone, never who was involved.
  FieldConflict done = Clash("c1", 20, "", "");
  done.resolved = true;
  done.resolved_by = 19;
  Receive(fx.store(), {done}, 20);
  CHECK(Mine(fx.store()).count("c1") == 0);
  for (const FieldConflict& c : Unwrap(fx->replica().Conflicts(false))) {
    if (c.id != "c1") continue;
    CHECK(c.resolved);
    CHECK(c.winner_user == "bob");
    CHECK(c.loser_user == "alice");
    CHECK_FALSE(c.mine);
  }
}

TEST_CASE("conflicts: a schema 9 file keeps its conflicts, listed, and stores users from then on") {
  testing_hooks::ScopedSchemaVersionLimit limit(9);
  StoreFixture fx;
  REQUIRE(fx->schema_version() == 9);
  REQUIRE_OK(fx->replica().SaveMemberships("carol", {{"ws-1", "field_staff"}}));
  // Schema 9 has nowhere to keep users: what an older device stored.
  Receive(fx.store(), {Clash("before", 10, "bob", "alice")}, 10);
  {
    std::vector<FieldConflict> all = Unwrap(fx->replica().Conflicts(true));
    REQUIRE(all.size() == 1);
    CHECK(all[0].winner_user.empty());
    CHECK(all[0].mine);
  }
  fx.Close();

  limit.Set(0);
  SignIn(fx, "carol");
  REQUIRE(fx->schema_version() == kSchemaVersion);
  {
    auto db = testing::OpenRawDb(fx.path);
    auto q = Unwrap(
        db->Prepare("SELECT count(*) FROM pragma_table_info('conflicts') WHERE name IN ('winner_user', 'loser_user')"));
    REQUIRE(Unwrap(q.Step()));
    CHECK(q.Int(0) == 2);
  }
  CHECK_OK(fx->CheckIntegrity());
  // The conflict from before names nobody: still carol's to see, as before.
  CHECK(Mine(fx.store()) == std::map<std::string, bool>{{"before", true}});
  // New conflicts keep their users.
  Receive(fx.store(), {Clash("after", 12, "bob", "alice")}, 12);
  CHECK(Mine(fx.store()) == std::map<std::string, bool>{{"before", true}, {"after", false}});
}

TEST_CASE("conflicts: a record shows the conflict badge only to those the conflict is for") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  REQUIRE_OK(fx->replica().SaveMemberships("carol", {{seeded.workspace_id, "field_staff"}}));
  REQUIRE_OK(fx->replica().SaveMemberships("dave", {{seeded.workspace_id, "coordinator"}}));
  FieldConflict c = Clash("c1", 10, "bob", "alice", seeded.workspace_id);
  c.record_id = visit;
  Receive(fx.store(), {c}, 10);
  auto badge = [&] {
    return Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, visit)).state == RecordState::kConflict;
  };
  auto counted = [&] { return Unwrap(fx->screens().CountRecordStates(RecordType::kVisit)).conflict; };
  auto listed = [&] { return Unwrap(fx->screens().RecordStates(RecordType::kVisit))[visit].state; };
  SignIn(fx, "alice");
  CHECK(badge());
  CHECK(counted() == 1);
  CHECK(listed() == RecordState::kConflict);
  SignIn(fx, "carol");  // not involved, field staff: the record stays as it is for her
  CHECK_FALSE(badge());
  CHECK(counted() == 0);
  CHECK(listed() == RecordState::kWaiting);  // its own changes are still unsent
  SignIn(fx, "dave");  // the workspace's coordinator
  CHECK(badge());
  CHECK(counted() == 1);
  SignIn(fx, "");  // nobody signed in: every conflict, as before
  CHECK(badge());
}

}  // namespace
}  // namespace ccfield::store_test
