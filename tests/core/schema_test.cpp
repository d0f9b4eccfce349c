// Schema migrations keyed on PRAGMA user_version.
#include <doctest/doctest.h>

#include "ccfield/core/store.h"
#include "support/raw_db.h"
#include "support/store_fixture.h"
#include "testing_hooks.h"

namespace ccfield::store_test {
namespace {

int64_t UserVersion(const std::string& path) {
  auto db = testing::OpenRawDb(path);
  auto q = Unwrap(db->Prepare("PRAGMA user_version"));
  REQUIRE(Unwrap(q.Step()));
  return q.Int(0);
}

TEST_CASE("a schema-1 file is upgraded and its records become searchable") {
  testing_hooks::ScopedSchemaVersionLimit limit(1);
  StoreFixture fx;
  CHECK(fx->schema_version() == 1);
  const std::string device = fx->device_id();
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "Sedimentation grave"}});
  const std::string gone = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "Sedimentation legere"}});
  REQUIRE_OK(fx->Commit({DeleteRecord{RecordType::kVisit, gone}}));
  const int64_t changes = testing::ChangeLogCount(fx.store());
  // Search needs the v2 index: a schema-1 store says so instead of failing oddly.
  CHECK_FALSE(fx->search().Find(testing::TextQuery("Sedimentation")).ok());
  fx.Close();
  CHECK(UserVersion(fx.path) == 1);

  limit.Set(0);
  fx.Reopen();
  CHECK(fx->schema_version() == kSchemaVersion);
  CHECK(UserVersion(fx.path) == kSchemaVersion);
  CHECK(fx->device_id() == device);
  CHECK(testing::ChangeLogCount(fx.store()) == changes);
  CHECK(Unwrap(fx->Get(RecordType::kVisit, visit)).Get("notes") == "Sedimentation grave");
  CHECK_OK(fx->CheckIntegrity());

  // The v2 step indexed the rows already there (but not the deleted one).
  auto hits = Unwrap(fx->search().Find(testing::TextQuery("sedimentation")));
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].id == visit);
  CHECK(hits[0].type == RecordType::kVisit);
  CHECK(Unwrap(fx->search().Find(testing::TextQuery("Drain D-14", RecordType::kSite))).size() == 1);
  // And it keeps working for new writes.
  testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "Sedimentation again"}});
  CHECK(Unwrap(fx->search().Find(testing::TextQuery("sedimentation"))).size() == 2);
  // Asking for an older schema on a newer file changes nothing.
  limit.Set(1);
  fx.Reopen();
  CHECK(fx->schema_version() == kSchemaVersion);
}

TEST_CASE("a file from a newer ccfield is refused with a clear message") {
  StoreFixture fx;
  testing::SeedSite(fx.store(), &fx.env);
  fx.Close();
  {
    auto db = testing::OpenRawDb(fx.path);
    REQUIRE_OK(db->Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1)));
  }
  Result<std::unique_ptr<Store>> r = Store::Open(&fx.env, fx.options);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kCorrupt);
  CHECK(r.status().message().find("newer ccfield") != std::string::npos);
  CHECK(r.status().message().find("update the app") != std::string::npos);
  // The refused file is left as it was.
  CHECK(UserVersion(fx.path) == kSchemaVersion + 1);
}

}  // namespace
}  // namespace ccfield::store_test
