// SqliteStorage: schema and migrations, transactions, the version counter,
// JSON types kept, history queries and pull filtering.
#include <doctest/doctest.h>

#include "ccfield/core/sqlite_db.h"
#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

RecordMeta Meta(const std::string& id, const std::string& type, const std::string& ws) {
  RecordMeta m;
  m.id = id;
  m.type = ParseChangeType(type);
  m.workspace_id = ws;
  return m;
}

sql::OpenOptions Opts(const std::string& path) {
  sql::OpenOptions o;
  o.path = path;
  return o;
}

HistoryEntry Entry(ServerVersion v, const std::string& record, const std::string& ws, const std::string& field,
                   const json& value, const std::string& device, DeviceSeq seq,
                   HistoryOutcome o = HistoryOutcome::kApplied) {
  HistoryEntry e;
  static_cast<FieldChange&>(e) = Change(seq, "site", record, ws, field, value, /*base=*/0, /*author=*/"");
  e.version = v;
  e.device_id = device;
  e.outcome = o;
  return e;
}

TEST_CASE("storage: a new file gets the schema, reopening keeps the data") {
  ServerFixture f;
  CHECK(Unwrap(f.storage->CurrentVersion()) == 0);
  REQUIRE_OK(f.storage->Begin());
  CHECK(Unwrap(f.storage->NextVersion()) == 1);
  CHECK(Unwrap(f.storage->NextVersion()) == 2);
  REQUIRE_OK(f.storage->Commit());
  f.Reopen();
  CHECK(Unwrap(f.storage->CurrentVersion()) == 2);
}

TEST_CASE("storage: a rollback returns the versions it handed out and drops the writes") {
  ServerFixture f;
  REQUIRE_OK(f.storage->Begin());
  ServerVersion v = Unwrap(f.storage->NextVersion());
  REQUIRE_OK(f.storage->CreateRecord(Meta("r1", "site", "ws")));
  REQUIRE_OK(f.storage->AppendChange(Entry(v, "r1", "ws", "name", "x", "d1", 1)));
  f.storage->Rollback();
  CHECK(Unwrap(f.storage->CurrentVersion()) == 0);
  CHECK_FALSE(Unwrap(f.storage->GetRecord("r1")).has_value());
  CHECK_FALSE(Unwrap(f.storage->FindChange("d1", 1)).has_value());
}

TEST_CASE("storage: writes outside a transaction are refused, transactions do not nest") {
  ServerFixture f;
  CHECK(f.storage->CreateRecord(Meta("r1", "site", "ws")).code() == Code::kInternal);
  CHECK_FALSE(f.storage->NextVersion().ok());
  REQUIRE_OK(f.storage->Begin());
  CHECK_FALSE(f.storage->Begin().ok());
  f.storage->Rollback();
}

TEST_CASE("storage: values keep their JSON type") {
  ServerFixture f;
  const json values[] = {true,
                         false,
                         5,
                         5.5,
                         "5",
                         "true",
                         nullptr,
                         json::array({"11.5", "6.b"}),
                         json{{"lat", 1.5}, {"lon", -3}},
                         "émoji ✓ ქართული"};
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->CreateRecord(Meta("r1", "site", "ws")));
  int i = 0;
  for (const json& v : values) {
    ++i;
    StoredField sf;
    sf.state = sync::FieldState{true, v, i, "d1"};
    REQUIRE_OK(f.storage->SetField("r1", "f" + std::to_string(i), sf));
    REQUIRE_OK(f.storage->AppendChange(Entry(i, "r1", "ws", "f" + std::to_string(i), v, "d1", i)));
  }
  REQUIRE_OK(f.storage->Commit());
  i = 0;
  for (const json& v : values) {
    ++i;
    CAPTURE(v.dump());
    StoredField got = Unwrap(f.storage->GetField("r1", "f" + std::to_string(i)));
    CHECK(got.state.exists);
    CHECK(got.state.value == v);
    CHECK(got.state.value.dump() == v.dump());  // same JSON: a bool stays a bool, "5" stays text
    CHECK(Unwrap(f.storage->ValueAt("r1", "f" + std::to_string(i), 100)) == v);
  }
  CHECK_FALSE(Unwrap(f.storage->GetField("r1", "nothing")).state.exists);
}

TEST_CASE("storage: history queries: value at a version, max version by others, pull filtering") {
  ServerFixture f;
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->CreateRecord(Meta("r1", "site", "wsA")));
  REQUIRE_OK(f.storage->AppendChange(Entry(1, "r1", "wsA", "name", "one", "d1", 1)));
  REQUIRE_OK(f.storage->AppendChange(Entry(2, "r1", "wsA", "name", "raw", "d2", 1, HistoryOutcome::kMerged)));
  REQUIRE_OK(f.storage->AppendChange(Entry(3, "r1", "wsA", "name", "merged", "server", 3)));
  REQUIRE_OK(f.storage->AppendChange(Entry(0, "r1", "wsA", "_deleted", true, "d1", 2, HistoryOutcome::kKeptOut)));
  REQUIRE_OK(f.storage->AppendChange(Entry(4, "r2", "wsB", "name", "secret", "d3", 1)));
  REQUIRE_OK(f.storage->AppendChange(Entry(5, "p1", "", "title", "library", "server", 5)));
  REQUIRE_OK(f.storage->Commit());

  CHECK(Unwrap(f.storage->ValueAt("r1", "name", 0)).is_null());
  CHECK(Unwrap(f.storage->ValueAt("r1", "name", 1)) == "one");
  CHECK(Unwrap(f.storage->ValueAt("r1", "name", 2)) == "one");  // the merged push never was the value
  CHECK(Unwrap(f.storage->ValueAt("r1", "name", 9)) == "merged");
  CHECK(Unwrap(f.storage->ValueAt("r1", "_deleted", 9)).is_null());  // kept out
  CHECK(Unwrap(f.storage->MaxVersionByOthers("r1", "d1")) == 3);
  CHECK(Unwrap(f.storage->MaxVersionByOthers("r1", "server")) == 1);
  CHECK(Unwrap(f.storage->MaxVersionByOthers("nothing", "d1")) == 0);

  auto dup = Unwrap(f.storage->FindChange("d1", 2));
  REQUIRE(dup.has_value());
  CHECK(dup->outcome == HistoryOutcome::kKeptOut);
  CHECK(dup->version == 0);
  // (device, seq) is unique.
  REQUIRE_OK(f.storage->Begin());
  CHECK_FALSE(f.storage->AppendChange(Entry(6, "r1", "wsA", "name", "again", "d1", 1)).ok());
  f.storage->Rollback();

  PullQuery q;
  q.workspaces = {"wsA"};
  q.device_id = "d1";
  q.limit = 100;
  std::vector<ServerVersion> got;
  for (const auto& e : Unwrap(f.storage->ChangesAfter(q))) got.push_back(e.version);
  CHECK(got == std::vector<ServerVersion>{3, 5});  // not d1's own, not merged pushes, not wsB
  q.device_id = "d2";
  got.clear();
  for (const auto& e : Unwrap(f.storage->ChangesAfter(q))) got.push_back(e.version);
  CHECK(got == std::vector<ServerVersion>{1, 3, 5});
  q.after = 3;
  q.limit = 1;
  got.clear();
  for (const auto& e : Unwrap(f.storage->ChangesAfter(q))) got.push_back(e.version);
  CHECK(got == std::vector<ServerVersion>{5});
  q.workspaces = {};
  q.after = 0;
  q.limit = 100;
  got.clear();
  for (const auto& e : Unwrap(f.storage->ChangesAfter(q))) got.push_back(e.version);
  CHECK(got == std::vector<ServerVersion>{5});  // the library only

  // A field whose current value is d2's own later change: d2 does not get the older values.
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->AppendChange(Entry(6, "r1", "wsA", "name", "d2 wins", "d2", 2)));
  StoredField mine;
  mine.state = sync::FieldState{true, "d2 wins", 6, "d2"};
  REQUIRE_OK(f.storage->SetField("r1", "name", mine));
  REQUIRE_OK(f.storage->Commit());
  q.workspaces = {"wsA"};
  q.device_id = "d2";
  got.clear();
  for (const auto& e : Unwrap(f.storage->ChangesAfter(q))) got.push_back(e.version);
  CHECK(got == std::vector<ServerVersion>{5});
  q.device_id = "d9";
  got.clear();
  for (const auto& e : Unwrap(f.storage->ChangesAfter(q))) got.push_back(e.version);
  CHECK(got == std::vector<ServerVersion>{1, 3, 5, 6});  // others get the whole history
}

TEST_CASE("storage: conflicts: open ones per field, resolving moves their version, pull per workspace") {
  ServerFixture f;
  FieldConflict x;
  x.id = "c1";
  x.version = 7;
  x.type = ChangeType::kSite;
  x.record_id = "r1";
  x.workspace_id = "wsA";
  x.field = "name";
  x.winner = "b";
  x.loser = "a";
  x.winner_version = 6;
  FieldConflict y = x;
  y.id = "c2";
  y.version = 8;
  y.workspace_id = "wsB";
  y.record_id = "r2";
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->CreateConflict(x));
  REQUIRE_OK(f.storage->CreateConflict(y));
  REQUIRE_OK(f.storage->Commit());
  REQUIRE(Unwrap(f.storage->OpenConflicts("r1", "name")).size() == 1);
  CHECK(Unwrap(f.storage->ConflictsAfter(0, {"wsA"}, 10)).size() == 1);
  CHECK(Unwrap(f.storage->ConflictsAfter(0, {}, 10)).empty());
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->ResolveConflict("c1", 9, 10));
  REQUIRE_OK(f.storage->Commit());
  CHECK(Unwrap(f.storage->OpenConflicts("r1", "name")).empty());
  auto after = Unwrap(f.storage->ConflictsAfter(8, {"wsA", "wsB"}, 10));
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == "c1");
  CHECK(after[0].resolved);
  CHECK(after[0].resolved_by == 9);
  CHECK(after[0].version == 10);
  CHECK(after[0].winner == "b");
}

// Issue 14: schema 7 keeps the user behind each side of a conflict. A
// schema 6 file (today's before this step: the columns dropped again) keeps
// its conflicts, which name nobody.
TEST_CASE("storage: conflicts keep their users, and a schema 6 file is upgraded with its conflicts") {
  ServerFixture f;
  FieldConflict x;
  x.id = "c1";
  x.version = 7;
  x.type = ChangeType::kSite;
  x.record_id = "r1";
  x.workspace_id = "wsA";
  x.field = "name";
  x.winner = "b";
  x.loser = "a";
  x.winner_version = 6;
  x.winner_user = "bob";
  x.loser_user = "alice";
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->CreateConflict(x));
  REQUIRE_OK(f.storage->Commit());
  auto open = Unwrap(f.storage->OpenConflicts("r1", "name"));
  REQUIRE(open.size() == 1);
  CHECK(open[0].winner_user == "bob");
  CHECK(open[0].loser_user == "alice");

  f.storage.reset();
  f.service.reset();
  {
    auto db = Unwrap(sql::Db::Open(Opts(SqliteStorage::PathIn(f.dir.path()))));
    // (The history back in its schema 4-7 shape too, one row per field
    // change, as schema 8 rebuilds it: upgrade_test.cpp upgrades a real one.)
    REQUIRE_OK(db->Exec("ALTER TABLE conflicts DROP COLUMN winner_user; ALTER TABLE conflicts DROP COLUMN loser_user;"
                        "DROP TABLE changes; CREATE TABLE changes(id INTEGER PRIMARY KEY, version INTEGER NOT NULL, "
                        "type TEXT NOT NULL, record_id TEXT NOT NULL, workspace_id TEXT NOT NULL, field TEXT NOT NULL, "
                        "value TEXT NOT NULL, device_id TEXT NOT NULL, device_seq INTEGER NOT NULL, "
                        "device_time TEXT NOT NULL, author TEXT NOT NULL, created INTEGER NOT NULL, "
                        "outcome TEXT NOT NULL, clock_flag TEXT NOT NULL, user_id TEXT NOT NULL, "
                        "ack TEXT NOT NULL DEFAULT '', UNIQUE(device_id, device_seq));"
                        "PRAGMA user_version = 6"));
  }
  f.Reopen();
  auto upgraded = Unwrap(f.storage->ConflictsAfter(0, {"wsA"}, 10));
  REQUIRE(upgraded.size() == 1);
  CHECK(upgraded[0].id == "c1");
  CHECK(upgraded[0].winner == "b");
  CHECK(upgraded[0].winner_user.empty());
  CHECK(upgraded[0].loser_user.empty());
  {
    auto db = Unwrap(sql::Db::Open(Opts(SqliteStorage::PathIn(f.dir.path()))));
    auto q = Unwrap(db->Prepare("PRAGMA user_version"));
    REQUIRE(Unwrap(q.Step()));
    CHECK(q.Int(0) == kServerSchemaVersion);
  }
}

TEST_CASE("storage: a foreign SQLite file or one from a newer server is refused") {
  ccfield::testing::TempDir dir;
  {
    auto db = Unwrap(sql::Db::Open(Opts(dir.File("foreign.db"))));
    REQUIRE_OK(db->Exec("CREATE TABLE photos(id INTEGER)"));
  }
  auto foreign = SqliteStorage::Open(dir.File("foreign.db"));
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.status().code() == Code::kCorrupt);
  { auto s = Unwrap(SqliteStorage::Open(dir.File("newer.db"))); }
  {
    auto db = Unwrap(sql::Db::Open(Opts(dir.File("newer.db"))));
    REQUIRE_OK(db->Exec("PRAGMA user_version = 99"));
  }
  auto newer = SqliteStorage::Open(dir.File("newer.db"));
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.status().message().find("newer") != std::string::npos);
  {
    std::FILE* fp = std::fopen(dir.File("garbage.db").c_str(), "wb");
    std::fputs("this is not a database at all, not even close, definitely not", fp);
    std::fclose(fp);
  }
  auto garbage = SqliteStorage::Open(dir.File("garbage.db"));
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().code() == Code::kCorrupt);
}

TEST_CASE("storage: users, devices, tokens, memberships and throttle state") {
  ServerFixture f;
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->CreateUser(UserRow{"u1", "amina", "hash", false, 1}));
  CHECK(f.storage->CreateUser(UserRow{"u2", "amina", "hash", false, 1}).code() == Code::kConflict);
  f.storage->Rollback();
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->CreateUser(UserRow{"u1", "amina", "hash", false, 1}));
  REQUIRE_OK(f.storage->PutDevice(DeviceRow{"d1", "u1", "tablet", false, 10, 10, 0, ""}));
  REQUIRE_OK(f.storage->SetDeviceLastSync("d1", 99));
  REQUIRE_OK(f.storage->PutDevice(DeviceRow{"d1", "u1", "renamed", false, 50, 50, 0, ""}));
  REQUIRE_OK(f.storage->CreateToken(TokenRow{"t1", "h1", "u1", "d1", 10, 20, false}));
  REQUIRE_OK(f.storage->PutMembership(Membership{"u1", "wsA", "field_staff", "m1"}));
  REQUIRE_OK(f.storage->PutMembership(Membership{"u1", "wsA", "coordinator", "m1"}));
  REQUIRE_OK(f.storage->PutThrottle("user:amina", ThrottleState{3, 100, 0}));
  REQUIRE_OK(f.storage->PutThrottle("user:amina", ThrottleState{4, 100, 500}));
  REQUIRE_OK(f.storage->Commit());
  auto d = Unwrap(f.storage->FindDevice("d1"));
  REQUIRE(d.has_value());
  CHECK(d->name == "renamed");
  CHECK(d->registered_ms == 10);  // kept
  CHECK(d->last_sync_ms == 99);   // kept
  auto ms = Unwrap(f.storage->MembershipsOf("u1"));
  REQUIRE(ms.size() == 1);
  CHECK(ms[0].role == "coordinator");
  ThrottleState t = Unwrap(f.storage->GetThrottle("user:amina"));
  CHECK(t.failures == 4);
  CHECK(t.wait_until_ms == 500);
  CHECK(Unwrap(f.storage->GetThrottle("user:nobody")).failures == 0);
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->SetDeviceRevoked("d1"));
  REQUIRE_OK(f.storage->Commit());
  CHECK(Unwrap(f.storage->FindTokenByHash("h1"))->revoked);  // the device's tokens go with it
}

TEST_CASE("storage: quota usage adds up per key and period, and the horizon ignores revoked and never-synced devices") {
  ServerFixture f;
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->AddUsage("u:1:changes/min", 60000, 5));
  REQUIRE_OK(f.storage->AddUsage("u:1:changes/min", 60000, 7));
  REQUIRE_OK(f.storage->AddUsage("u:1:changes/min", 120000, 1));
  REQUIRE_OK(f.storage->CreateUser(UserRow{"u1", "amina", "hash", false, 1}));
  REQUIRE_OK(f.storage->PutDevice(DeviceRow{"d1", "u1", "tablet", false, 10, 10, 0, ""}));
  REQUIRE_OK(f.storage->PutDevice(DeviceRow{"d2", "u1", "phone", false, 10, 10, 0, ""}));
  REQUIRE_OK(f.storage->PutDevice(DeviceRow{"d3", "u1", "new", false, 10, 10, 0, ""}));  // never syncs
  REQUIRE_OK(f.storage->SetDeviceCursor("d1", 40));
  REQUIRE_OK(f.storage->SetDeviceCursor("d2", 7));
  REQUIRE_OK(f.storage->Commit());
  CHECK(Unwrap(f.storage->GetUsage("u:1:changes/min", 60000)) == 12);
  CHECK(Unwrap(f.storage->GetUsage("u:1:changes/min", 120000)) == 1);
  CHECK(Unwrap(f.storage->GetUsage("u:2:changes/min", 60000)) == 0);
  CHECK(Unwrap(f.storage->DeviceHorizon()) == 7);
  REQUIRE_OK(f.storage->Begin());
  REQUIRE_OK(f.storage->SetDeviceRevoked("d2"));
  REQUIRE_OK(f.storage->Commit());
  CHECK(Unwrap(f.storage->DeviceHorizon()) == 40);
}

}  // namespace
}  // namespace ccfield::server::testing
