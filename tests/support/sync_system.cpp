#include "support/sync_system.h"

#include <doctest/doctest.h>

#include <utility>
#include <vector>

namespace ccfield::sync::system_test {

std::unique_ptr<sql::Db> OpenRaw(const std::string& path) {
  sql::OpenOptions o;
  o.path = path;
  o.read_only = true;
  return Unwrap(sql::Db::Open(o));
}

int64_t QueryInt(sql::Db* db, const std::string& query, const std::string& arg) {
  sql::Stmt q = Unwrap(db->Prepare(query));
  if (!arg.empty()) q.Bind(1, arg);
  REQUIRE(Unwrap(q.Step()));
  return q.Int(0);
}

void SyncUntilComplete(SyncClient* client, int max_calls) {
  for (int i = 0; i < max_calls; ++i) {
    SyncReport r = Unwrap(client->SyncNow());
    if (r.complete) return;
  }
  FAIL("sync did not complete in ", max_calls, " calls");
}

namespace {

// device_seq -> version of every change of `device_id` in the server's
// history; CHECKs that no device_seq stands there twice.
std::map<int64_t, int64_t> ServerChangesOf(const ServerProcess& server, const std::string& device_id) {
  auto db = OpenRaw(server.db_path());
  sql::Stmt q = Unwrap(db->Prepare("SELECT device_seq, version FROM changes WHERE device_id = ?"));
  q.Bind(1, device_id);
  std::map<int64_t, int64_t> out;
  while (Unwrap(q.Step())) {
    CHECK_MESSAGE(out.emplace(q.Int(0), q.Int(1)).second, "the server holds seq " << q.Int(0) << " twice");
  }
  return out;
}

}  // namespace

void CheckServerHolds(const ServerProcess& server, const std::string& device_id,
                      const std::map<int64_t, int64_t>& own) {
  const std::map<int64_t, int64_t> on_server = ServerChangesOf(server, device_id);
  CHECK(on_server.size() == own.size());
  CHECK_MESSAGE(on_server == own, "the server's history of the device differs from the device's own log");
}

ChangeStateCounts CheckAllSettled(Store* store) {
  ChangeStateCounts states = Unwrap(store->replica().CountChangeStates());
  CHECK(states.waiting == 0);
  CHECK(states.sent == 0);
  CHECK(states.rejected == 0);
  CHECK(states.conflict == 0);
  return states;
}

void CheckSameRecords(Store* mine, Store* theirs) {
  for (RecordType type : {RecordType::kSite, RecordType::kVisit}) {
    ListQuery all;
    all.type = type;
    all.include_deleted = true;
    all.limit = 1'000'000;
    std::vector<Record> a = Unwrap(mine->List(all));
    std::vector<Record> b = Unwrap(theirs->List(all));
    REQUIRE(a.size() == b.size());
    std::map<std::string, const Record*> by_id;
    for (const Record& r : b) by_id[r.id] = &r;
    for (const Record& r : a) {
      auto it = by_id.find(r.id);
      REQUIRE_MESSAGE(it != by_id.end(), "record " << r.id << " missing in the other store");
      CHECK_MESSAGE(it->second->fields == r.fields, "record " << r.id << " differs");
      CHECK(it->second->deleted == r.deleted);
    }
  }
}

std::unique_ptr<SyncClient> SyncDevice::Client(SyncClientOptions options) {
  return Unwrap(SyncClient::Open(DefaultEnv(), path, std::move(options)));
}

std::unique_ptr<Store> SyncDevice::OpenStore() { return testing::OpenStore(DefaultEnv(), path); }

std::string SyncDevice::DeviceId() { return OpenStore()->device_id(); }

void SyncDevice::LogIn(const std::string& url, const std::string& user) {
  auto client = Client();
  REQUIRE_OK(client->Login(url, user, ServerProcess::Password(user), "tablet " + user));
}

}  // namespace ccfield::sync::system_test
