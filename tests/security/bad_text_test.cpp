// Issue 10, finding 6: one bad author name blocked sync for good. Text that
// cannot be sent is refused at the door (the CLI's --author, Store::Commit),
// and an entry already damaged in the store is set aside as refused, with
// the reason, while the rest are sent.
#include <doctest/doctest.h>

#include <sstream>

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
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const size_t before = Unwrap(fx->replica().PendingChanges(1000)).size();
  {
    auto raw = testing::OpenRawDb(fx.path);
    REQUIRE_OK(raw->Exec("UPDATE change_log SET author = 'Am' || cast(x'ff' AS TEXT) || 'na' WHERE seq = 1"));
    REQUIRE_OK(raw->Exec("UPDATE change_log SET value = '\"bad ' || cast(x'ff' AS TEXT) || '\"' WHERE seq = 2"));
  }
  auto pending = Unwrap(fx->replica().PendingChanges(1000));
  CHECK(pending.size() == before - 2);
  auto refused = Unwrap(fx->replica().ChangesInState(ChangeState::kRejected, 10));
  REQUIRE(refused.size() == 2);
  CHECK(refused[0].second.find("not valid UTF-8") != std::string::npos);
  // Asking again changes nothing and does not fail.
  CHECK(Unwrap(fx->replica().PendingChanges(1000)).size() == before - 2);
  (void)seeded;
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
