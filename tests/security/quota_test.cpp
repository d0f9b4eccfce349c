// Issue 10, finding 8: one field_staff account wrote 288 MB in 30 s and
// nothing stopped it. Over the real server: an account bursting past its
// per-minute or per-day write quota gets 429 + Retry-After, nothing of the
// refused request is applied, its client keeps every change unsent and says
// how long to wait, another member still syncs, and a restart keeps the counts.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "ccfield/core/uuid.h"
#include "ccfield/sync/client.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

// Rows of `table` in the server's file.
int64_t CountRows(const std::string& db_path, const std::string& table) {
  return testing::QueryServerDb(db_path, "SELECT count(*) FROM " + table);
}

// Waits until a fresh period has `margin_s` seconds left at least, so that
// the requests of one case fall in one period (a wait, not a timed assertion).
void AvoidPeriodEnd(int64_t period_s, int64_t margin_s) {
  using namespace std::chrono;
  const int64_t now_s = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  const int64_t left = period_s - now_s % period_s;
  if (left < margin_s) std::this_thread::sleep_for(seconds(left + 1));
}

// Adds `n` sites on the device (two or three changes each).
void AddSites(const std::string& db, const std::string& ws, int n, const std::string& address = "") {
  auto store = testing::OpenStore(DefaultEnv(), db);
  for (int i = 0; i < n; ++i) {
    nlohmann::json fields = {{"workspace_id", ws}, {"name", "Drain " + std::to_string(i)}};
    if (!address.empty()) fields["address"] = address;
    REQUIRE_OK(store->Commit({SetFields{RecordType::kSite, NewUuid(DefaultEnv()), fields}}));
  }
}

struct Member {
  testing::TempDir dir;
  std::unique_ptr<sync::SyncClient> client;
  Member(const ServerProcess& server, const std::string& user) {
    client = Unwrap(sync::SyncClient::Open(DefaultEnv(), dir.File("ccfield.db")));
    REQUIRE_OK(client->Login(server.url, user, ServerProcess::Password(user), user + "'s tablet"));
    REQUIRE_OK(client->SyncNow());
  }
  ChangeStateCounts States() {
    auto store = testing::OpenStore(DefaultEnv(), dir.File("ccfield.db"));
    return Unwrap(store->replica().CountChangeStates());
  }
};

TEST_CASE("quota: a burst past the per-minute quota is refused whole with 429, kept on the device, others sync") {
  ServerProcess server(kServerPath);
  server.Kill();
  server.serve_args = {"--quota-user-changes-per-min", "20"};
  server.Start();
  AvoidPeriodEnd(60, 20);
  Member alice(server, "alice");
  Member bob(server, "bob");

  AddSites(alice.dir.File("ccfield.db"), server.workspace_id, 8);  // 16 changes: within the quota
  REQUIRE_OK(alice.client->SyncNow());
  const int64_t sites_on_server = CountRows(server.db_path(), "records WHERE type = 'site'");
  CHECK(sites_on_server == 8);

  AddSites(alice.dir.File("ccfield.db"), server.workspace_id, 8);  // 16 more: 32 > 20
  sync::SyncOutcome out = alice.client->Sync();
  REQUIRE_FALSE(out.status.ok());
  CHECK(out.action == sync::SyncAction::kRetryLater);
  REQUIRE(out.retry_after_seconds.has_value());
  CHECK(*out.retry_after_seconds >= 1);
  CHECK(*out.retry_after_seconds <= 60);
  const std::string said = out.status.message();
  CHECK(said.find("wait " + std::to_string(*out.retry_after_seconds) + " seconds") != std::string::npos);
  CHECK(said.find("20 changes per minute") != std::string::npos);
  CHECK(out.report.pushed == 0);
  // Nothing of the refused request reached the server; every change is still on the device, unsent.
  CHECK(CountRows(server.db_path(), "records WHERE type = 'site'") == sites_on_server);
  // States count change-log entries: one per site (its fields in one commit).
  ChangeStateCounts states = alice.States();
  CHECK(states.synced == 8);
  CHECK(states.waiting + states.sent == 8);

  // Another member of the workspace still syncs, and receives alice's accepted sites.
  AddSites(bob.dir.File("ccfield.db"), server.workspace_id, 1);
  sync::SyncReport r = Unwrap(bob.client->SyncNow());
  CHECK(r.pushed == 2);
  CHECK(r.received == 16);
}

TEST_CASE("quota: the bytes-per-day quota refuses big values, and a restart of the server keeps the count") {
  ServerProcess server(kServerPath);
  server.Kill();
  server.serve_args = {"--quota-user-bytes-per-day", "3000"};
  server.Start();
  AvoidPeriodEnd(24 * 3600, 120);
  Member alice(server, "alice");
  Member bob(server, "bob");
  const std::string long_address(400, 'a');

  AddSites(alice.dir.File("ccfield.db"), server.workspace_id, 5, long_address);  // ~2.2 KB: fits
  REQUIRE_OK(alice.client->SyncNow());
  AddSites(alice.dir.File("ccfield.db"), server.workspace_id, 3, long_address);  // ~1.3 KB more: over
  sync::SyncOutcome out = alice.client->Sync();
  REQUIRE_FALSE(out.status.ok());
  REQUIRE(out.retry_after_seconds.has_value());
  CHECK(out.status.message().find("per day") != std::string::npos);
  CHECK(out.report.pushed == 0);

  // The count is in server.db: after a restart the account is still over.
  const int port = server.port;
  server.Kill();
  server.serve_args.insert(server.serve_args.end(), {"--port", std::to_string(port)});  // the devices' address
  server.Start();
  REQUIRE(server.port == port);
  out = alice.client->Sync();
  CHECK_FALSE(out.status.ok());
  CHECK(out.action == sync::SyncAction::kRetryLater);
  CHECK(out.status.message().find("per day") != std::string::npos);
  ChangeStateCounts states = alice.States();  // entries: one per site
  CHECK(states.synced == 5);
  CHECK(states.waiting + states.sent == 3);
  CHECK(CountRows(server.db_path(), "records WHERE type = 'site'") == 5);

  AddSites(bob.dir.File("ccfield.db"), server.workspace_id, 1, long_address);
  CHECK(Unwrap(bob.client->SyncNow()).pushed == 3);
}

}  // namespace
}  // namespace ccfield::security_test
