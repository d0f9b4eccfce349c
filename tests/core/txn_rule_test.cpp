// The one transaction rule (core/sqlite_txn.h) in every write path: a COMMIT
// whose outcome is unknown (an I/O error while writing the WAL, injected by
// the fault VFS of testing_hooks.h) leaves the store refusing writes until it
// is reopened; reopening works and loses nothing committed. disk_full_test.cpp
// proves the kDiskFull side (clean rollback, the store keeps working) for
// Commit; this file proves the broken side for sync and conflict resolution,
// and the Txn helper itself on a bare connection.
#include <doctest/doctest.h>

#include "ccfield/core/sqlite_txn.h"
#include "ccfield/core/store.h"
#include "sqlite_db.h"
#include "support/raw_db.h"
#include "support/fault_vfs.h"
#include "support/store_fixture.h"
#include "testing_hooks.h"

namespace ccfield::store_test {
namespace {

// Makes every write of the scope fail: with an I/O error (an unknown COMMIT
// outcome) or, when `disk_full`, with SQLITE_FULL.
class WriteFaultScope : public testing::FaultScope {
 public:
  explicit WriteFaultScope(bool disk_full = false) : FaultScope(0, /*io_error=*/!disk_full) {}
};

// Every kind of write the store has is refused with kReadOnly and a message
// that says to reopen; reads still work.
void CheckRefusesWrites(Store* store, Env* env, const std::string& site_id) {
  const std::string visit = NewUuid(env);
  Status commit = store->Commit({SetFields{RecordType::kVisit, visit, testing::VisitFields(site_id)}}).status();
  CHECK(commit.code() == Code::kReadOnly);
  CHECK_MESSAGE(commit.message().find("reopen") != std::string::npos, commit.ToString());
  CHECK(store->replica().ApplySyncBatch(SyncBatch{}).code() == Code::kReadOnly);
  CHECK(store->drafts().Save("visit:new", json{{"notes", "x"}}).code() == Code::kReadOnly);
  CHECK(store->replica().MarkSent(1, 1).code() == Code::kReadOnly);
  CHECK(store->DeclineDemo().code() == Code::kReadOnly);
  CHECK(Unwrap(store->Get(RecordType::kSite, site_id)).id == site_id);  // reads still work
  // Search too: it cannot index what is queued (it leaves the queue as it
  // is) and searches what is indexed.
  const int64_t queued = Unwrap(store->search().IndexPending(0));
  CHECK(queued > 0);  // the seeded site and workspace
  CHECK(store->search().Find(testing::TextQuery("D-14")).ok());
  CHECK(Unwrap(store->search().IndexPending(1000)) == queued);
  CHECK(store->Get(RecordType::kVisit, visit).status().code() == Code::kNotFound);
}

// Accepts every pending change (a sync answer).
void AcceptAll(Store* s, int64_t* version) {
  SyncBatch b;
  const std::vector<ChangeEntry> pending = Unwrap(s->replica().PendingChanges(100000));
  for (size_t i = 0; i < pending.size(); i = EntryEnd(pending, i))  // an ack per entry
    b.acks.push_back({pending[i].device_seq, ++*version, ChangeOutcome::kApplied, ClockFlag::kNone, ""});
  REQUIRE_OK(s->replica().ApplySyncBatch(b));
}

// A page from the server: another device renamed the site.
SyncBatch RenameFromServer(const testing::Seeded& seeded, int64_t version, const std::string& name) {
  SyncBatch b;
  FieldChange c;
  c.version = version;
  c.type = ChangeType::kSite;
  c.record_id = seeded.site_id;
  c.workspace_id = seeded.workspace_id;
  c.field = "name";
  c.value = name;
  c.device_id = "other-device";
  c.device_seq = version;
  c.time = "2026-09-21T10:00:00.000Z";
  c.author = "bob";
  b.changes.push_back(c);
  b.cursor = version;
  return b;
}

TEST_CASE("broken store: an unknown COMMIT outcome in ApplySyncBatch refuses writes until reopened") {
  StoreFixture fx(testing::FaultOptions());
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "kept"}});
  int64_t version = 0;
  AcceptAll(fx.store(), &version);
  const int64_t changes = testing::ChangeLogCount(fx.store());

  const SyncBatch page = RenameFromServer(seeded, version + 1, "Renamed by the server");
  Status st;
  {
    WriteFaultScope io;
    st = fx->replica().ApplySyncBatch(page);
    CHECK(io.faults() > 0);
  }
  CHECK_MESSAGE(st.code() == Code::kIoError, st.ToString());
  CheckRefusesWrites(fx.store(), &fx.env, seeded.site_id);
  // Even the same page, with the disk fine again, is refused by this Store.
  CHECK(fx->replica().ApplySyncBatch(page).code() == Code::kReadOnly);

  fx.Reopen();
  REQUIRE_OK(fx->CheckIntegrity());
  CHECK(Unwrap(fx->Get(RecordType::kVisit, visit)).Get("notes") == "kept");
  CHECK(testing::ChangeLogCount(fx.store()) >= changes);
  // Whether or not the page landed, applying it again settles it (idempotent).
  REQUIRE_OK(fx->replica().ApplySyncBatch(page));
  CHECK(Unwrap(fx->Get(RecordType::kSite, seeded.site_id)).Get("name") == "Renamed by the server");
  CHECK(Unwrap(fx->replica().GetSyncSettings()).cursor == page.cursor);
  CHECK_OK(fx->Commit({SetFields{RecordType::kVisit, visit, {{"notes", "after reopen"}}}}));
}

TEST_CASE("broken store: an unknown COMMIT outcome in ResolveConflict refuses writes until reopened") {
  StoreFixture fx(testing::FaultOptions());
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  int64_t version = 0;
  AcceptAll(fx.store(), &version);
  SyncBatch page = RenameFromServer(seeded, version + 1, "Server name");
  FieldConflict conflict;
  conflict.id = NewUuid(&fx.env);
  conflict.version = version + 2;
  conflict.type = ChangeType::kSite;
  conflict.record_id = seeded.site_id;
  conflict.workspace_id = seeded.workspace_id;
  conflict.field = "name";
  conflict.base = "Drain D-14";
  conflict.winner = "Server name";
  conflict.loser = "Device name";
  conflict.winner_device = "other-device";
  conflict.loser_device = fx->device_id();
  conflict.winner_author = "bob";
  conflict.loser_author = "local";
  conflict.loser_time = "2026-09-21T10:00:00.000Z";
  conflict.winner_version = version + 1;
  page.conflicts.push_back(conflict);
  page.cursor = version + 2;
  REQUIRE_OK(fx->replica().ApplySyncBatch(page));
  const int64_t changes = testing::ChangeLogCount(fx.store());

  Status st;
  {
    WriteFaultScope io;
    st = fx->replica().ResolveConflict(conflict.id, "Agreed name").status();
    CHECK(io.faults() > 0);
  }
  CHECK_MESSAGE(st.code() == Code::kIoError, st.ToString());
  CHECK(fx->replica().ResolveConflict(conflict.id, "Agreed name").status().code() == Code::kReadOnly);
  CheckRefusesWrites(fx.store(), &fx.env, seeded.site_id);

  fx.Reopen();
  REQUIRE_OK(fx->CheckIntegrity());
  const int64_t after_reopen = testing::ChangeLogCount(fx.store());
  CHECK((after_reopen == changes || after_reopen == changes + 1));  // the resolution landed whole or not at all
  REQUIRE_OK(fx->replica().ResolveConflict(conflict.id, "Agreed name"));
  CHECK(Unwrap(fx->Get(RecordType::kSite, seeded.site_id)).Get("name") == "Agreed name");
  std::vector<FieldConflict> open = Unwrap(fx->replica().Conflicts(false));
  REQUIRE(open.size() == 1);
  CHECK(open[0].resolving_locally);
}

TEST_CASE("disk full at COMMIT in ApplySyncBatch rolls back cleanly and the store keeps working") {
  StoreFixture fx(testing::FaultOptions());
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  int64_t version = 0;
  AcceptAll(fx.store(), &version);
  const SyncBatch page = RenameFromServer(seeded, version + 1, "Renamed");
  Status st;
  {
    WriteFaultScope full(/*disk_full=*/true);
    st = fx->replica().ApplySyncBatch(page);
  }
  CHECK_MESSAGE(st.code() == Code::kDiskFull, st.ToString());
  CHECK(Unwrap(fx->Get(RecordType::kSite, seeded.site_id)).Get("name") == "Drain D-14");
  REQUIRE_OK(fx->replica().ApplySyncBatch(page));  // the same Store, no reopen
  CHECK(Unwrap(fx->Get(RecordType::kSite, seeded.site_id)).Get("name") == "Renamed");
}

// ---- The Txn helper on a bare connection ------------------------------------

std::unique_ptr<sql::Db> OpenFaultDb(const std::string& path) {
  testing::FaultControl();
  sql::OpenOptions o;
  o.path = path;
  o.vfs = testing::kFaultVfs;
  std::unique_ptr<sql::Db> db = Unwrap(sql::Db::Open(o));
  REQUIRE_OK(db->UseDurableWal(path));
  REQUIRE_OK(db->Exec("CREATE TABLE t(x INTEGER)"));
  return db;
}

int64_t Rows(sql::Db* db) {
  sql::Stmt q = Unwrap(db->Prepare("SELECT count(*) FROM t"));
  REQUIRE(Unwrap(q.Step()));
  return q.Int(0);
}

TEST_CASE("Stmt::Run leaves the statement ready to be bound and run again") {
  testing::TempDir dir;
  std::unique_ptr<sql::Db> db = OpenFaultDb(dir.File("t.db"));
  sql::Stmt ins = Unwrap(db->Prepare("INSERT INTO t(x) VALUES(?)"));
  for (int64_t x : {1, 2, 3}) REQUIRE_OK(ins.Bind(1, x).Run());
  sql::Stmt sum = Unwrap(db->Prepare("SELECT count(DISTINCT x) FROM t"));
  REQUIRE(Unwrap(sum.Step()));
  CHECK(sum.Int(0) == 3);  // three values, not the first one three times
}

TEST_CASE("Txn: rolled back on scope exit unless committed, and not nestable") {
  testing::TempDir dir;
  std::unique_ptr<sql::Db> db = OpenFaultDb(dir.File("t.db"));
  {
    sql::Txn txn = Unwrap(sql::Txn::Begin(db.get()));
    CHECK(db->InTransaction());
    REQUIRE_OK(db->Exec("INSERT INTO t VALUES(1)"));
    CHECK(sql::Txn::Begin(db.get()).status().code() == Code::kInternal);
  }  // no Commit: rolled back
  CHECK_FALSE(db->InTransaction());
  CHECK(Rows(db.get()) == 0);
  CHECK(sql::Transact(db.get(), [&] { return db->Exec("INSERT INTO t VALUES(2)"); }).ok());
  CHECK(sql::Transact(db.get(), [&]() -> Status {
          CCF_RETURN_IF_ERROR(db->Exec("INSERT INTO t VALUES(3)"));
          return Status::Invalid("the body failed");
        }).code() == Code::kInvalidArgument);
  CHECK(Rows(db.get()) == 1);
  CHECK_FALSE(db->broken());
}

TEST_CASE("Txn: a COMMIT with an unknown outcome breaks the Db, disk full does not") {
  testing::TempDir dir;
  std::unique_ptr<sql::Db> db = OpenFaultDb(dir.File("t.db"));
  {
    sql::Txn txn = Unwrap(sql::Txn::Begin(db.get()));
    REQUIRE_OK(db->Exec("INSERT INTO t VALUES(1)"));
    WriteFaultScope full(/*disk_full=*/true);
    CHECK(txn.Commit().code() == Code::kDiskFull);
  }
  CHECK_FALSE(db->broken());
  CHECK_FALSE(db->InTransaction());
  REQUIRE_OK(sql::Transact(db.get(), [&] { return db->Exec("INSERT INTO t VALUES(2)"); }));
  {
    sql::Txn txn = Unwrap(sql::Txn::Begin(db.get()));
    REQUIRE_OK(db->Exec("INSERT INTO t VALUES(3)"));
    WriteFaultScope io;
    CHECK(txn.Commit().code() == Code::kIoError);
  }
  CHECK(db->broken());
  CHECK(db->CheckWritable().code() == Code::kReadOnly);
  CHECK(sql::Txn::Begin(db.get()).status().code() == Code::kReadOnly);
  CHECK(Rows(db.get()) >= 1);  // reads still work
  db.reset();
  std::unique_ptr<sql::Db> again = testing::OpenRawDb(dir.File("t.db"));
  CHECK_FALSE(again->broken());
  const int64_t rows = Rows(again.get());
  CHECK((rows == 1 || rows == 2));
  REQUIRE_OK(sql::Transact(again.get(), [&] { return again->Exec("INSERT INTO t VALUES(4)"); }));
  CHECK(Rows(again.get()) == rows + 1);
}

}  // namespace
}  // namespace ccfield::store_test
