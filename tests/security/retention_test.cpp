// Issue 10, finding 8 (carried over): nothing ever expired on the server, so
// one member's history filled the disk. History and tombstones now expire
// below the lowest cursor of the registered, non-revoked devices
// (docs/retention.md). Over the real server and real clients: rows go, yet a
// device that comes back after the expiry loses nothing, a new device gets
// the same state, and a revoked device does not hold the horizon back.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <map>
#include <sstream>

#include "ccfield/sync/client.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

int64_t Count(const std::string& db_path, const std::string& what) {
  return testing::QueryServerDb(db_path, "SELECT count(*) FROM " + what);
}

struct Device {
  testing::TempDir dir;
  std::unique_ptr<sync::SyncClient> client;
  Device(const ServerProcess& server, const std::string& user, const std::string& name) {
    client = Unwrap(sync::SyncClient::Open(DefaultEnv(), dir.File("ccfield.db")));
    REQUIRE_OK(client->Login(server.url, user, ServerProcess::Password(user), name));
    Sync();
  }
  // Syncs twice: the server learns the cursor a device holds from its next request.
  void Sync() {
    REQUIRE_OK(client->SyncNow());
    REQUIRE_OK(client->SyncNow());
  }
  void Commit(std::vector<Op> ops) {
    auto store = testing::OpenStore(DefaultEnv(), dir.File("ccfield.db"));
    REQUIRE_OK(store->Commit(std::move(ops)));
  }
  std::unique_ptr<Store> Open() { return testing::OpenStore(DefaultEnv(), dir.File("ccfield.db")); }
  // Live sites: id -> fields.
  std::map<std::string, json> Sites() {
    auto store = Open();
    ListQuery q;
    q.type = RecordType::kSite;
    std::map<std::string, json> out;
    for (const Record& r : Unwrap(store->List(q))) out[r.id] = r.fields;
    return out;
  }
};

std::string DeviceIdNamed(ServerProcess& server, const std::string& name) {
  std::istringstream lines(server.Admin({"list-devices"}));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("\t" + name + "\t") != std::string::npos) return line.substr(0, line.find('\t'));
  }
  FAIL("no device named " << name);
  return "";
}

TEST_CASE("retention: history expires below every device's cursor, and a device returning after it loses nothing") {
  ServerProcess server(kServerPath);
  server.Kill();
  server.serve_args = {"--retention-min-age-s", "0", "--expire-every-s", "0"};  // expire after every sync
  server.Start();
  const std::string ws = server.workspace_id;
  const std::string s1 = "8a8a8a8a-1111-4222-8333-444455556666";
  const std::string d[3] = {"8b8b8b8b-1111-4222-8333-444455556661", "8b8b8b8b-1111-4222-8333-444455556662",
                            "8b8b8b8b-1111-4222-8333-444455556663"};

  Device z(server, "alice", "tablet Z");  // syncs once at the start, then is lost
  Device x(server, "alice", "tablet X");
  Device y(server, "bob", "tablet Y");
  y.Commit({SetFields{RecordType::kSite, s1, {{"workspace_id", ws}, {"name", "Drain 0"}, {"address", "Mill road"}}}});
  for (const std::string& id : d) y.Commit({SetFields{RecordType::kSite, id, {{"workspace_id", ws}, {"name", "D"}}}});
  y.Sync();
  for (int i = 1; i <= 10; ++i) {
    y.Commit({SetFields{RecordType::kSite, s1, {{"name", "Drain " + std::to_string(i)}}}});
    y.Sync();
  }
  x.Sync();
  y.Sync();
  const int64_t rows_held = Count(server.db_path(), "changes");
  // Z (lost in a drawer) still holds the horizon at its first cursor: nothing went.
  CHECK(Count(server.db_path(), "changes WHERE fields -> '$.name' IS NOT NULL AND record_id = '" + s1 + "'") == 11);

  // Revoked, Z no longer holds anything back: the superseded names go.
  server.Admin({"revoke-device", DeviceIdNamed(server, "tablet Z")});
  y.Sync();
  const int64_t rows_after = Count(server.db_path(), "changes");
  CHECK(rows_after < rows_held);
  // The latest name stays, and the creation entry, which also holds fields that are still current.
  CHECK(Count(server.db_path(), "changes WHERE fields -> '$.name' IS NOT NULL AND record_id = '" + s1 + "'") == 2);

  // X goes offline with edits; Y renames S1 more and deletes the D sites.
  x.Commit({SetFields{RecordType::kSite, s1, {{"address", "Mill road 4"}, {"name", "X's name"}}}});
  x.Commit({SetFields{RecordType::kSite, d[0], {{"name", "D0 still needed"}}}});
  for (int i = 11; i <= 15; ++i) {
    y.Commit({SetFields{RecordType::kSite, s1, {{"name", "Drain " + std::to_string(i)}}}});
    y.Sync();
  }
  for (const std::string& id : d) y.Commit({DeleteRecord{RecordType::kSite, id}});
  y.Sync();
  // X holds the horizon at its cursor: Y's later history and the deletes stay for it.
  // The creation entry (kept whole: its other fields are current), the name before X's cursor, Y's five.
  CHECK(Count(server.db_path(), "changes WHERE fields -> '$.name' IS NOT NULL AND record_id = '" + s1 + "'") == 7);
  CHECK(Count(server.db_path(), "records WHERE deleted = 1") == 3);

  // X comes back: its edits are merged or conflicted, none lost.
  x.Sync();
  y.Sync();
  x.Sync();
  {
    auto store = x.Open();
    Record site = Unwrap(store->Get(RecordType::kSite, s1));
    CHECK(site.Get("address") == "Mill road 4");
    CHECK(site.Get("name") == "X's name");                               // later arrival wins...
    CHECK(Unwrap(store->replica().Conflicts(true)).size() >= 2);                   // ...and Y's name is kept in a conflict
    CHECK_FALSE(Unwrap(store->Get(RecordType::kSite, d[0])).deleted);  // X's edit brought D0 back
    CHECK(Unwrap(store->Get(RecordType::kSite, d[1])).deleted);        // X received the other deletes
    CHECK(Unwrap(store->Get(RecordType::kSite, d[2])).deleted);
  }
  // Everyone is past the deletes now: the tombstones of D1 and D2 are purged, history shrinks again.
  y.Sync();
  CHECK(Count(server.db_path(), "records WHERE deleted = 1") == 0);
  CHECK(Count(server.db_path(), "records") == Count(server.db_path(), "records WHERE id NOT IN ('" + d[1] + "', '" +
                                                                           d[2] + "')"));
  // The latest name, and the creation entry, kept whole while its other fields are current.
  CHECK(Count(server.db_path(), "changes WHERE fields -> '$.name' IS NOT NULL AND record_id = '" + s1 + "'") == 2);

  // Y and X agree, and a brand new device pulling from 0 gets the same state.
  Device w(server, "bob", "tablet W");
  const std::map<std::string, json> ys = y.Sites();
  CHECK(x.Sites() == ys);
  CHECK(w.Sites() == ys);
  CHECK(ys.count(d[0]) == 1);
  CHECK(ys.count(d[1]) == 0);
  CHECK(ys.at(s1)["name"] == "X's name");
}

// `ccfield-server admin expire` runs the same pass as `serve` does after a
// sync, now, for an administrator freeing space (or a server started with
// --expire-every-s -1). It honours the minimum age, prints the horizon and the
// counts, and devices lose nothing by it.
TEST_CASE("retention: admin expire runs one expiry pass now and prints the horizon and what it removed") {
  ServerProcess server(kServerPath);
  server.Kill();
  server.serve_args = {"--retention-min-age-s", "0", "--expire-every-s", "-1"};  // the server never expires by itself
  server.Start();
  const std::string ws = server.workspace_id;
  const std::string s1 = "8c8c8c8c-1111-4222-8333-444455556666";
  const std::string gone = "8d8d8d8d-1111-4222-8333-444455556666";
  Device x(server, "alice", "tablet X");
  Device y(server, "bob", "tablet Y");
  y.Commit({SetFields{RecordType::kSite, s1, {{"workspace_id", ws}, {"name", "Drain 0"}}}});
  y.Commit({SetFields{RecordType::kSite, gone, {{"workspace_id", ws}, {"name", "Gone"}}}});
  y.Sync();
  for (int i = 1; i <= 5; ++i) {
    y.Commit({SetFields{RecordType::kSite, s1, {{"name", "Drain " + std::to_string(i)}}}});
    y.Sync();
  }
  y.Commit({DeleteRecord{RecordType::kSite, gone}});
  y.Sync();
  x.Sync();
  y.Sync();
  const std::string names = "changes WHERE fields -> '$.name' IS NOT NULL AND record_id = '" + s1 + "'";
  REQUIRE(Count(server.db_path(), names) == 6);  // --expire-every-s -1: nothing went by itself
  REQUIRE(Count(server.db_path(), "records WHERE deleted = 1") == 1);

  // The default minimum age (30 days) keeps everything this young.
  std::string said = server.Admin({"expire"});
  CHECK(said.find("horizon: version 0\n") != std::string::npos);
  CHECK(said.find("history entries removed: 0\n") != std::string::npos);
  CHECK(said.find("deleted records purged: 0\n") != std::string::npos);
  CHECK(Count(server.db_path(), names) == 6);

  // Without a minimum age the horizon is the devices' lowest cursor (both are
  // at the current version): the superseded names and the tombstone go.
  const int64_t changes_before = Count(server.db_path(), "changes");
  said = server.Admin({"expire", "--retention-min-age-s", "0"});
  const int64_t removed = changes_before - Count(server.db_path(), "changes");
  CHECK(removed >= 5);  // 5 superseded names, and the purged record's history
  CHECK(said.find("history entries removed: " + std::to_string(removed) + "\n") != std::string::npos);
  CHECK(said.find("deleted records purged: 1\n") != std::string::npos);
  CHECK(said.find("horizon: version 0\n") == std::string::npos);
  // The superseded names go; the site's creation entry stays whole (its other fields are current).
  CHECK(Count(server.db_path(), names) == 2);
  CHECK(Count(server.db_path(), "records WHERE deleted = 1") == 0);
  // A second pass finds nothing more.
  said = server.Admin({"expire", "--retention-min-age-s", "0"});
  CHECK(said.find("history entries removed: 0\n") != std::string::npos);

  // Bad arguments are a usage error; --help describes the command.
  auto [code, out] = testing::RunCommand({kServerPath, "--data", server.dir.path(), "admin", "expire",
                                          "--retention-min-age-s", "soon"});
  CHECK(code == 2);
  auto [help_code, help] = testing::RunCommand({kServerPath, "--data", server.dir.path(), "admin", "expire", "--help"});
  CHECK(help_code == 0);
  CHECK(help.find("expire [--retention-min-age-s N]") != std::string::npos);

  // The devices lose nothing, and a new device pulling from 0 gets the same state.
  x.Sync();
  y.Sync();
  Device w(server, "bob", "tablet W");
  const std::map<std::string, json> ys = y.Sites();
  CHECK(ys.at(s1)["name"] == "Drain 5");
  CHECK(ys.count(gone) == 0);
  CHECK(x.Sites() == ys);
  CHECK(w.Sites() == ys);
}

}  // namespace
}  // namespace ccfield::security_test
