// Damaged and foreign files: Store::Open and the store's reads return errors
// with a clear message; nothing crashes and a foreign file is left untouched.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "ccfield/core/export.h"
#include "ccfield/core/import.h"
#include "ccfield/core/store.h"
#include "support/raw_db.h"
#include "support/store_fixture.h"

namespace ccfield {
namespace {

using testing::TempDir;
using testing::Unwrap;

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f.good());
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void CheckClearOpenError(const Status& st, const std::string& path) {
  INFO(st.ToString());
  CHECK((st.code() == Code::kCorrupt || st.code() == Code::kIoError));
  CHECK(st.message().find(path) != std::string::npos);
  CHECK((st.message().find("damaged") != std::string::npos ||
         st.message().find("not a ccfield store") != std::string::npos));
}

TEST_CASE("a file of random garbage is refused as corrupt") {
  TempDir dir;
  FakeEnv env(dir.path());
  std::mt19937_64 rng(1234);
  const std::string path = dir.File("garbage.db");
  SUBCASE("random bytes") { WriteFile(path, RandomBytes(rng, 64 * 1024)); }
  SUBCASE("a short text file") { WriteFile(path, "these are my field notes, not a database\n"); }
  SUBCASE("an SQLite header followed by garbage") {
    WriteFile(path, std::string("SQLite format 3\0", 16) + RandomBytes(rng, 64 * 1024 - 16));
  }
  const std::string before = ReadFile(path);
  StoreOptions o;
  o.path = path;
  Result<std::unique_ptr<Store>> r = Store::Open(&env, o);
  REQUIRE_FALSE(r.ok());
  CheckClearOpenError(r.status(), path);
  CHECK(ReadFile(path) == before);  // not "repaired", not converted
}

TEST_CASE("a store with garbage over its middle pages reports errors and does not crash") {
  TempDir dir;
  FakeEnv env(dir.path());
  const std::string clean = dir.File("clean.db");
  {
    std::unique_ptr<Store> store = testing::OpenStore(&env, clean);
    REQUIRE_OK(LoadDemoData(store.get(), &env));
  }  // closing the last connection checkpoints the WAL into the file
  REQUIRE_FALSE(std::filesystem::exists(clean + "-wal"));
  const std::string bytes = ReadFile(clean);
  const size_t page = 4096;
  const size_t pages = bytes.size() / page;
  REQUIRE(pages >= 12);

  for (uint64_t variant = 0; variant < 6; ++variant) {
    INFO("variant ", variant);
    std::mt19937_64 rng(variant);
    // Overwrite a run of pages somewhere in the middle third (never page 1,
    // so SQLite still sees a database and must find the damage itself).
    const size_t first = pages / 3 + static_cast<size_t>(rng() % (pages / 3));
    const size_t count = 1 + static_cast<size_t>(rng() % 4);
    std::string damaged = bytes;
    for (size_t p = first; p < first + count && p < pages; ++p) {
      damaged.replace(p * page, page, RandomBytes(rng, page));
    }
    const std::string path = dir.File("damaged" + std::to_string(variant) + ".db");
    WriteFile(path, damaged);

    StoreOptions o;
    o.path = path;
    Result<std::unique_ptr<Store>> r = Store::Open(&env, o);
    if (!r.ok()) {
      CheckClearOpenError(r.status(), path);
      continue;
    }
    Store* store = r.value().get();
    Status integrity = store->CheckIntegrity();
    // Either SQLite's report or the damage it hit while checking.
    CHECK_MESSAGE(integrity.code() == Code::kCorrupt, integrity.ToString());
    // Reads may fail or return what survived; they must not crash.
    for (RecordType t : kAllRecordTypes) {
      ListQuery q;
      q.type = t;
      q.limit = 1000;
      q.include_deleted = true;
      (void)store->List(q);
      (void)store->Count(t, true);
    }
    for (const char* text : {"inondation", "drain", "école", "water"}) (void)store->search().Find(testing::TextQuery(text));
    (void)store->ChangesAfter(0, 100000);
    (void)store->FindAny("e2ed3dba");
    std::ostringstream sink;
    (void)ExportVisitsCsv(store, sink, "en");
    (void)ExportGeoJson(store, sink);
    auto seeded_ws = NewUuid(&env);
    (void)store->Commit({SetFields{RecordType::kWorkspace, seeded_ws, {{"name", "after damage"}}}});
  }
}

TEST_CASE("a damaged device sequence is reported as corrupt") {
  TempDir dir;
  FakeEnv env(dir.path());
  const std::string path = dir.File("store.db");
  testing::OpenStore(&env, path);
  {
    auto db = testing::OpenRawDb(path);
    REQUIRE_OK(db->Exec("UPDATE meta SET value = 'garbage' WHERE key = 'device_seq'"));
  }
  std::unique_ptr<Store> store = testing::OpenStore(&env, path);
  Status st = store->Commit({SetFields{RecordType::kWorkspace, NewUuid(&env), {{"name", "x"}}}}).status();
  CHECK(st.code() == Code::kCorrupt);
  CHECK(Unwrap(store->Count(RecordType::kWorkspace, true)) == 0);
}

TEST_CASE("a SQLite file that is not a ccfield store is refused and left untouched") {
  TempDir dir;
  FakeEnv env(dir.path());
  const std::string path = dir.File("other.sqlite");
  {
    auto db = testing::OpenRawDb(path);
    REQUIRE_OK(db->Exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); "
                        "INSERT INTO notes(body) VALUES('shopping list');"));
  }
  const std::string before = ReadFile(path);
  StoreOptions o;
  o.path = path;
  Result<std::unique_ptr<Store>> r = Store::Open(&env, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kCorrupt);
  CHECK(r.status().message().find("not a ccfield store") != std::string::npos);
  CHECK(r.status().message().find(path) != std::string::npos);

  // Opening did not change the file: still rollback-journal mode, same bytes, no WAL.
  CHECK(ReadFile(path) == before);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  auto db = testing::OpenRawDb(path);
  auto q = Unwrap(db->Prepare("PRAGMA journal_mode"));
  REQUIRE(Unwrap(q.Step()));
  CHECK(q.Text(0) == "delete");
  auto rows = Unwrap(db->Prepare("SELECT body FROM notes"));
  REQUIRE(Unwrap(rows.Step()));
  CHECK(rows.Text(0) == "shopping list");
}

TEST_CASE("a missing directory is an I/O error naming the path") {
  TempDir dir;
  FakeEnv env(dir.path());
  StoreOptions o;
  o.path = dir.File("no/such/dir/store.db");
  Result<std::unique_ptr<Store>> r = Store::Open(&env, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kIoError);
  CHECK(r.status().message().find(o.path) != std::string::npos);
}

}  // namespace
}  // namespace ccfield
