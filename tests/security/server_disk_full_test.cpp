// Issue 10, finding 8: a full disk answered 503 to everyone. The server must
// say so plainly (503 `out_of_space`, docs/retention.md "Write quotas"), save
// nothing of the refused request, and lose nothing: the devices keep their
// changes unsent and send them once there is room again.
//
// The disk really fills up: the server keeps its data directory on a tmpfs
// of a few hundred KiB in a user and mount namespace of its own
// (ServerProcess::disk_bytes), so its writes to server.db-wal fail with
// ENOSPC, which SQLite reports as SQLITE_FULL. (RLIMIT_FSIZE was tried first:
// SQLite's unix VFS retries the short write at the limit, gets EFBIG and
// reports SQLITE_IOERR_WRITE instead, which the server answers with 500 and
// a storage that refuses writes until restarted.)
#include <doctest/doctest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "ccfield/core/uuid.h"
#include "ccfield/sync/client.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

int64_t Query(const std::string& db_path, const std::string& sql) { return testing::QueryServerDb(db_path, sql); }
int64_t Count(const std::string& db_path, const std::string& what) {
  return Query(db_path, "SELECT count(*) FROM " + what);
}

// Adds `n` sites on the device, three changes each (workspace_id, name, a long address).
void AddSites(const std::string& db, const std::string& ws, int n) {
  auto store = testing::OpenStore(DefaultEnv(), db);
  const std::string address(300, 'a');
  for (int i = 0; i < n; ++i) {
    REQUIRE_OK(store->Commit(
        {SetFields{RecordType::kSite,
                   NewUuid(DefaultEnv()),
                   {{"workspace_id", ws}, {"name", "Drain " + std::to_string(i)}, {"address", address}}}}));
  }
}

ChangeStateCounts States(const std::string& db) {
  auto store = testing::OpenStore(DefaultEnv(), db);
  return Unwrap(store->replica().CountChangeStates());
}

// A device speaking raw protocol, to read the server's own answer.
struct RawDevice {
  std::string device_id = NewUuid(DefaultEnv());
  std::string token;
  int64_t next_seq = 1;
  RawDevice(const ServerProcess& server, const std::string& user) {
    httplib::Client c("127.0.0.1", server.port);
    token = LoginToken(c, user, device_id, user + "'s laptop");
  }
  // Sends `sites` new sites (two changes each); the seqs are used up only when answered 200.
  httplib::Result Push(const ServerProcess& server, const std::string& ws, int sites) {
    json changes = json::array();
    int64_t seq = next_seq;
    for (int i = 0; i < sites; ++i) {
      // The name carries the seq that follows the site's two changes, as it always has.
      const std::string name = "Bob's drain " + std::to_string(seq + 2) + std::string(300, 'b');
      AddNewSiteChanges(&changes, &seq, ws, NewUuid(DefaultEnv()), name, "bob", "2026-12-06T09:00:00Z");
    }
    json body = {{"protocol", 1}, {"device_id", device_id}, {"cursor", 0}, {"device_time", "2026-12-06T09:00:00Z"},
                 {"limit", 1},    {"changes", changes}};
    httplib::Client c("127.0.0.1", server.port);
    c.set_read_timeout(30, 0);
    httplib::Result r = PostSync(c, token, body.dump());
    if (r && r->status == 200) next_seq = seq;
    return r;
  }
};

TEST_CASE("server disk full: the server answers 503 out_of_space, devices keep their changes unsent, nothing is lost") {
  // The small disk needs unprivileged user namespaces (some CI machines turn them off).
  if (testing::RunCommand({"/usr/bin/unshare", "-rm", "/bin/true"}).first != 0) {
    WARN_MESSAGE(false, "skipped: `unshare -rm` is not allowed here, so the server cannot get a small disk");
    return;
  }
  std::vector<std::string> args = ServerProcess::NoWriteQuota();
  args.insert(args.end(), {"--quota-user-bytes-per-day", "0", "--quota-workspace-bytes-per-day", "0"});
  ServerProcess server(kServerPath, args);
  const std::string ws = server.workspace_id;
  testing::TempDir alice_dir;
  const std::string alice_db = alice_dir.File("ccfield.db");
  auto alice = Unwrap(sync::SyncClient::Open(DefaultEnv(), alice_db));
  REQUIRE_OK(alice->Login(server.url, "alice", ServerProcess::Password("alice"), "tablet A"));
  REQUIRE_OK(alice->SyncNow());
  RawDevice bob(server, "bob");

  // Restart with little room: about 256 KiB more than server.db holds now,
  // far below the WAL's 1000-page autocheckpoint, so the WAL fills the disk.
  const int port = server.port;
  server.Kill();
  server.disk_bytes = static_cast<long long>(std::filesystem::file_size(server.db_path())) + 256 * 1024;
  server.serve_args.insert(server.serve_args.end(), {"--port", std::to_string(port)});  // the devices' address
  server.Start();
  REQUIRE(server.port == port);

  // Alice works and syncs until the server runs out of room.
  int sites_sent = 0;
  sync::SyncOutcome out;
  for (int round = 0; round < 40; ++round) {
    AddSites(alice_db, ws, 50);
    out = alice->Sync();
    if (!out.status.ok()) break;
    sites_sent += 50;
  }
  REQUIRE_MESSAGE(!out.status.ok(), "the server never ran out of room");
  INFO("alice was told: " << out.status.message());
  CHECK(sites_sent > 0);  // there was room at first
  CHECK(out.action == sync::SyncAction::kRetryLater);
  CHECK(out.report.pushed == 0);
  // What the person reads: the server's own words (out of disk space, your changes stay here).
  CHECK(out.status.message().find("out of disk space") != std::string::npos);
  CHECK(out.status.message().find("sync will try again later") != std::string::npos);
  // Her last 50 sites are on the tablet, unsent (neither refused nor synced), and not on the server.
  // A change-log entry per site (its three fields in one commit).
  ChangeStateCounts states = States(alice_db);
  CHECK(states.synced == sites_sent);
  CHECK(states.waiting + states.sent == 50);
  CHECK(states.rejected == 0);
  // Trying again changes nothing: still full, still kept.
  out = alice->Sync();
  CHECK_FALSE(out.status.ok());
  CHECK(out.action == sync::SyncAction::kRetryLater);

  // The server's own answer, to any member.
  httplib::Result r = bob.Push(server, ws, 100);
  REQUIRE(r);
  CHECK(r->status == 503);
  const json error = json::parse(r->body, nullptr, false);
  CHECK(error["error"]["code"] == "out_of_space");
  CHECK(error["error"]["message"].get<std::string>().find("out of disk space") != std::string::npos);
  CHECK(error["error"]["message"].get<std::string>().find("nothing of this request was saved") != std::string::npos);

  // Room again (the administrator moved the data to a bigger disk): everything arrives, once.
  server.Kill();  // the data directory goes back to the big disk
  // Nothing of the refused requests was saved; what was answered 200 was.
  CHECK(Count(server.db_path(), "records WHERE type = 'site'") == sites_sent);
  CHECK(Count(server.db_path(), "changes WHERE type = 'site'") == sites_sent);  // an entry per site
  server.disk_bytes = 0;
  server.Start();
  REQUIRE(server.port == port);
  REQUIRE_OK(alice->SyncNow());
  r = bob.Push(server, ws, 100);
  REQUIRE(r);
  REQUIRE_MESSAGE(r->status == 200, r->body);
  const int alice_sites = sites_sent + 50;
  states = States(alice_db);
  CHECK(states.waiting + states.sent == 0);
  CHECK(states.synced == alice_sites);
  CHECK(Count(server.db_path(), "records WHERE type = 'site'") == alice_sites + 100);
  CHECK(Count(server.db_path(), "changes WHERE type = 'site' AND device_id = '" + bob.device_id + "'") == 200);
  CHECK(Count(server.db_path(), "changes WHERE type = 'site'") == alice_sites + 200);  // an entry per site of alice (a device), one per field of bob's v1 body
  CHECK(Count(server.db_path(), "changes WHERE applied > 0 AND type = 'site'") == alice_sites + 200);  // an entry per site of alice (a device), one per field of bob's v1 body

  // And a new device of the workspace receives all of it.
  testing::TempDir carol_dir;
  auto other = Unwrap(sync::SyncClient::Open(DefaultEnv(), carol_dir.File("ccfield.db")));
  REQUIRE_OK(other->Login(server.url, "bob", ServerProcess::Password("bob"), "tablet B"));
  REQUIRE_OK(other->SyncNow());
  auto store = testing::OpenStore(DefaultEnv(), carol_dir.File("ccfield.db"));
  ListQuery q;
  q.type = RecordType::kSite;
  CHECK(Unwrap(store->List(q)).size() == static_cast<size_t>(alice_sites + 100));
}

}  // namespace
}  // namespace ccfield::security_test
