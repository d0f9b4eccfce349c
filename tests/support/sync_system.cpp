#include "support/sync_system.h"

#include <doctest/doctest.h>

#include <utility>

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
