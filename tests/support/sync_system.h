#pragma once
// What the sync tests that run the real ccfield-server with real device
// stores and clients share: their names, a device on a data folder of its
// own, and a read-only look into an SQLite file. Those tests live in
// namespace ccfield::sync::system_test (each in an anonymous namespace of its
// own inside it), so that these names need no using lines in every file.
// Only for use inside doctest test cases (the helpers REQUIRE).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ccfield/core/sqlite_db.h"
#include "ccfield/core/store.h"
#include "ccfield/sync/client.h"

#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace ccfield::sync::system_test {

using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using testing::kServerPath;
using testing::MsSince;
using testing::ServerProcess;
using testing::TempDir;
using testing::Unwrap;
using testing::WaitFor;

// Opens an SQLite file read-only with core's wrapper, to look at what the
// Store and the server do not expose: versions and states per change.
std::unique_ptr<sql::Db> OpenRaw(const std::string& path);
// The first column of the first row of `query`, with `arg` bound to ?1
// unless it is empty; REQUIREs a row.
int64_t QueryInt(sql::Db* db, const std::string& query, const std::string& arg = "");

// Syncs until a SyncNow completes (each may stop after max_round_trips);
// fails the test when `max_calls` calls do not get there.
void SyncUntilComplete(SyncClient* client, int max_calls);

// CHECKs that the server's history holds the changes of `device_id` exactly
// as `own` (device_seq -> version, as the device knows them) says.
void CheckServerHolds(const ServerProcess& server, const std::string& device_id, const std::map<int64_t, int64_t>& own);

// CHECKs that `store` has nothing left to sync (no change waiting, sent,
// rejected or in conflict) and returns its counts.
ChangeStateCounts CheckAllSettled(Store* store);

// Both stores hold the same sites and visits, deleted ones too, field for field.
void CheckSameRecords(Store* mine, Store* theirs);

// A device: its own data directory with ccfield.db (as the CLI lays it out).
struct SyncDevice {
  std::unique_ptr<SyncClient> Client(SyncClientOptions options = {});
  std::unique_ptr<Store> OpenStore();
  std::string DeviceId();
  // Logs in as `user` (device name "tablet USER") with a client of its own,
  // so no kept-alive connection of the login is reused by the syncs that follow.
  void LogIn(const std::string& url, const std::string& user);

  TempDir dir;
  std::string path = dir.File("ccfield.db");
};

}  // namespace ccfield::sync::system_test
