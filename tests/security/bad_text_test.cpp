// Issue 10, finding 6: one bad author name blocked sync for good. Text that
// cannot be sent is refused at the door (the CLI's --author, Store::Commit),
// and an entry already damaged in the store is set aside as refused, with
// the reason, while the rest are sent.
#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ccfield/core/store.h"
#include "cli/cli.h"
#include "support/raw_db.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield {
namespace {

using testing::Unwrap;

TEST_CASE("attack: --author that is not UTF-8 is refused and nothing is written") {
  testing::TempDir dir;
  FakeEnv env(dir.path());
  std::ostringstream out, err;
  REQUIRE(cli::Run({"--data", dir.path(), "init"}, &env, out, err) == 0);
  std::ostringstream out2, err2;
  int code = cli::Run({"--data", dir.path(), "--author", "Am\xffna", "demo"}, &env, out2, err2);
  INFO("stderr: ", err2.str());
  CHECK(code != 0);
  CHECK(err2.str().find("UTF-8") != std::string::npos);
  auto store = testing::OpenStore(&env, dir.File("ccfield.db"));
  CHECK(testing::ChangeLogCount(store.get()) == 0);
  store->SetAuthor("Am\xffna");
  CHECK(store->Commit({SetFields{RecordType::kWorkspace, NewUuid(&env), {{"name", "X"}}}}).status().code() ==
        Code::kInvalidArgument);
  store->SetAuthor("line\nbreak");
  CHECK_FALSE(store->Commit({SetFields{RecordType::kWorkspace, NewUuid(&env), {{"name", "X"}}}}).ok());
}

TEST_CASE("a damaged change in the store is set aside as refused and the others are still sent") {
  testing::StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);  // entries 1 (workspace) and 2 (site)
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);  // entry 3
  const std::vector<ChangeEntry> before = Unwrap(fx->replica().PendingChanges(1000));
  size_t visit_fields = 0;
  for (const ChangeEntry& c : before) visit_fields += c.record_id == visit ? 1 : 0;
  REQUIRE(visit_fields > 0);
  REQUIRE(visit_fields < before.size());
  {
    auto raw = testing::OpenRawDb(fx.path);
    REQUIRE_OK(raw->Exec("UPDATE change_log SET author = 'Am' || cast(x'ff' AS TEXT) || 'na' WHERE seq = 1"));
    // One stored value inside the site's entry (its `fields` object) damaged;
    // the entry's other fields are intact, yet the record is never sent in part.
    REQUIRE_OK(raw->Exec("UPDATE change_log SET fields = replace(fields, '\"drain\"', '\"bad ' || cast(x'ff' AS TEXT) || "
                         "'\"') WHERE seq = 2 AND instr(fields, '\"drain\"') > 0"));
    REQUIRE(raw->Changes() == 1);  // the value was there to damage
  }
  // Only the visit's entry is still sent, whole.
  auto pending = Unwrap(fx->replica().PendingChanges(1000));
  CHECK(pending.size() == visit_fields);
  for (const ChangeEntry& c : pending) CHECK(c.record_id == visit);
  // Both damaged entries are refused, with the reason, and still in the log:
  // nothing is lost.
  auto refused = Unwrap(fx->replica().ChangesInState(ChangeState::kRejected, 10));
  REQUIRE_FALSE(refused.empty());
  std::set<int64_t> refused_entries;
  for (const auto& [change, reason] : refused) {
    refused_entries.insert(change.seq);
    CHECK(reason.find("not valid UTF-8") != std::string::npos);
  }
  CHECK(refused_entries == std::set<int64_t>{1, 2});
  const ChangeStateCounts states = Unwrap(fx->replica().CountChangeStates());
  CHECK(states.rejected == 2);
  CHECK(states.waiting == 1);
  // Asking again changes nothing and does not fail.
  CHECK(Unwrap(fx->replica().PendingChanges(1000)).size() == visit_fields);
  CHECK(Unwrap(fx->replica().CountChangeStates()).rejected == 2);
}

}  // namespace
}  // namespace ccfield

#include <sys/stat.h>

namespace ccfield {
namespace {

// Issue 10, finding 9 (first part): the store was created 0644 and holds the
// bearer token. Now the data folder made by the app is 0700 and the store
// and its WAL files are 0600.
TEST_CASE("a new store and the folder made for it are private to the user") {
  testing::TempDir dir;
  FakeEnv env(dir.path());
  const std::string data = dir.File("fresh/ccfield-data");
  std::ostringstream out, err;
  REQUIRE(cli::Run({"--data", data, "init"}, &env, out, err) == 0);
  std::ostringstream out2, err2;
  REQUIRE(cli::Run({"--data", data, "demo"}, &env, out2, err2) == 0);
  struct stat st {};
  REQUIRE(stat(data.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  for (const char* f : {"/ccfield.db", "/ccfield.db-wal"}) {
    const std::string path = data + f;
    if (stat(path.c_str(), &st) != 0) continue;  // the WAL may be checkpointed away
    CHECK_MESSAGE((st.st_mode & 0777) == 0600, path);
  }
  REQUIRE(stat((data + "/ccfield.db").c_str(), &st) == 0);
}

}  // namespace
}  // namespace ccfield
