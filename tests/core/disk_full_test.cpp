// Disk full: a VFS shim (sql::RegisterFaultVfs) fails every write after the
// first N with SQLITE_FULL. A commit that hits it fails with kDiskFull,
// writes nothing, loses nothing committed before, and the same Store keeps
// working once space is back.
#include <doctest/doctest.h>

#include "ccfield/core/store.h"
#include "sqlite_db.h"
#include "testing_hooks.h"
#include "support/fault_vfs.h"
#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

// Writes after the first `writes_allowed` fail with SQLITE_FULL for the scope.
class DiskFullScope : public testing::FaultScope {
 public:
  explicit DiskFullScope(int64_t writes_allowed) : FaultScope(writes_allowed, /*io_error=*/false) {}
};

// Checks every visit in `ids` is present and the file is sound.
void CheckIntact(Store* store, const std::vector<std::string>& ids) {
  REQUIRE_OK(store->CheckIntegrity());
  for (const std::string& id : ids) {
    INFO("visit ", id);
    Record r = Unwrap(store->Get(RecordType::kVisit, id));
    CHECK(r.Get("notes").get<std::string>().starts_with("visit "));
    CHECK_FALSE(Unwrap(store->History(id)).empty());
  }
  CHECK(Unwrap(store->Count(RecordType::kVisit)) == static_cast<int64_t>(ids.size()));
}

SetFields NewVisit(Env* env, const std::string& site_id, int n, size_t notes_bytes = 100) {
  std::string notes = "visit " + std::to_string(n) + " ";
  notes.resize(notes_bytes, 'x');
  return SetFields{RecordType::kVisit, NewUuid(env), testing::VisitFields(site_id, {{"notes", notes}})};
}

TEST_CASE("a full disk fails the commit cleanly and the store keeps working") {
  StoreFixture fx(testing::FaultOptions());
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  std::vector<std::string> committed;
  for (int i = 0; i < 5; ++i) {
    SetFields op = NewVisit(&fx.env, seeded.site_id, i);
    REQUIRE_OK(fx->Commit({op}));
    committed.push_back(op.id);
  }
  const int64_t changes = ChangeLogCount(fx.store());

  SetFields lost = NewVisit(&fx.env, seeded.site_id, 99, 20'000);
  Status st;
  int64_t faults = 0;
  {
    DiskFullScope full(2);
    st = fx->Commit({lost}).status();
    faults = full.faults();
  }
  CHECK(faults > 0);
  CHECK(st.code() == Code::kDiskFull);
  CHECK(st.message().find("storage is full") != std::string::npos);
  CHECK(st.message().find("SQLITE") == std::string::npos);  // plain language, no SQLite jargon
  CHECK(fx->Get(RecordType::kVisit, lost.id).status().code() == Code::kNotFound);
  CHECK(ChangeLogCount(fx.store()) == changes);
  CheckIntact(fx.store(), committed);

  // Space is back: the same Store object writes again, and the retried visit lands.
  REQUIRE_OK(fx->Commit({lost}));
  committed.push_back(lost.id);
  CheckIntact(fx.store(), committed);

  fx.Reopen();
  CheckIntact(fx.store(), committed);
  SetFields after = NewVisit(&fx.env, seeded.site_id, 100);
  REQUIRE_OK(fx->Commit({after}));
  committed.push_back(after.id);
  CheckIntact(fx.store(), committed);
}

TEST_CASE("disk full at each write of a commit loses nothing") {
  StoreFixture fx(testing::FaultOptions());
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string contact = NewUuid(&fx.env);
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kContact, contact, {{"name", "Rachid"}, {"role", "role 0"}}}}));
  std::string contact_role = "role 0";
  std::vector<std::string> committed;
  int failures = 0, successes = 0;
  for (int writes_allowed = 0; writes_allowed <= 20; ++writes_allowed) {
    INFO("writes_allowed ", writes_allowed);
    // Two commits per limit: a visit (tens of page writes: row, indexes,
    // change log, search index) and a one-field contact edit (a few), so the
    // limits stop commits at many different points and let some through.
    const size_t notes_bytes = 100 + static_cast<size_t>(writes_allowed) * 900;
    SetFields visit = NewVisit(&fx.env, seeded.site_id, writes_allowed, notes_bytes);
    const std::string role = "role " + std::to_string(writes_allowed + 1);
    for (const Op& op : {Op(visit), Op(SetFields{RecordType::kContact, contact, {{"role", role}}})}) {
      const bool is_visit = std::holds_alternative<SetFields>(op) && std::get<SetFields>(op).type == RecordType::kVisit;
      const std::string what = is_visit ? "visit" : "contact edit";
      INFO(what);
      const int64_t changes = ChangeLogCount(fx.store());
      Status st;
      {
        DiskFullScope full(writes_allowed);
        st = fx->Commit({op}).status();
      }
      if (st.ok()) {
        ++successes;
        CHECK(ChangeLogCount(fx.store()) > changes);
        if (is_visit) committed.push_back(visit.id);
        if (!is_visit) contact_role = role;
      } else {
        ++failures;
        CHECK_MESSAGE(st.code() == Code::kDiskFull, st.ToString());
        CHECK(ChangeLogCount(fx.store()) == changes);
        if (is_visit) CHECK(fx->Get(RecordType::kVisit, visit.id).status().code() == Code::kNotFound);
      }
      CheckIntact(fx.store(), committed);
      CHECK(Unwrap(fx->Get(RecordType::kContact, contact)).Get("role") == contact_role);
    }
    // The store takes writes again right away.
    SetFields next = NewVisit(&fx.env, seeded.site_id, 1000 + writes_allowed);
    REQUIRE_OK(fx->Commit({next}));
    committed.push_back(next.id);
  }
  CHECK(failures > 0);
  CHECK(successes > 0);
  MESSAGE("disk full: ", failures, " commits failed, ", successes, " fit within the allowed writes");
  fx.Reopen();
  CheckIntact(fx.store(), committed);
  CHECK(Unwrap(fx->Get(RecordType::kContact, contact)).Get("role") == contact_role);
}

TEST_CASE("disk full while opening a new store is reported and leaves no half store") {
  testing::FaultControl();
  testing::TempDir dir;
  FakeEnv env(dir.path());
  StoreOptions o = testing::FaultOptions();
  o.path = dir.File("new.db");
  for (int writes_allowed = 0; writes_allowed <= 6; writes_allowed += 2) {
    INFO("writes_allowed ", writes_allowed);
    Result<std::unique_ptr<Store>> r = [&] {
      DiskFullScope full(writes_allowed);
      return Store::Open(&env, o);
    }();
    if (!r.ok()) CHECK_MESSAGE(r.status().code() == Code::kDiskFull, r.status().ToString());
  }
  // Whatever happened before, with space back the file opens as a sound store.
  std::unique_ptr<Store> store = testing::OpenStore(&env, o.path, o);
  REQUIRE_OK(store->CheckIntegrity());
  CHECK(store->schema_version() == kSchemaVersion);
  auto seeded = testing::SeedSite(store.get(), &env);
  CHECK_OK(store->Commit({NewVisit(&env, seeded.site_id, 1)}));
}

}  // namespace
}  // namespace ccfield::store_test
