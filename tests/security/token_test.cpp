// Issue 10, finding 9 (the rest): the bearer token was kept in the data file,
// so a copied database carried a working login. Now the token lives apart
// from the data (platform/credentials.h: a 0600 file in a 0700 folder of this
// user, keyed by the store's path and device id); a store copied elsewhere
// is signed out, and a token an older version kept in the file is moved out
// and erased from the file's pages. The real CLI (in-process) and the real
// ccfield-server on 127.0.0.1.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "ccfield/platform/credentials.h"
#include "ccfield/platform/env.h"
#include "cli/cli.h"
#include "support/raw_db.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"
#include "testing_hooks.h"

namespace ccfield::security_test {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// The bytes of the store and its WAL, as a copy of the folder would carry them.
std::string StoreBytes(const std::string& db) { return ReadAll(db) + ReadAll(db + "-wal"); }

struct Cli {
  int code;
  std::string out, err;
};
Cli Run(const std::string& data, std::vector<std::string> args) {
  args.insert(args.begin(), {"--data", data});
  std::ostringstream out, err;
  const int code = cli::Run(args, DefaultEnv(), out, err);
  return {code, out.str(), err.str()};
}

int Mode(const std::string& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}

TEST_CASE("attack: a copied store does not carry a working login, the token is a 0600 file apart from the data (copied store test)") {
  ServerProcess server(kServerPath);
  TempDir creds, tablet, copy;
  const std::string cred_dir = creds.File("state/ccfield/credentials");
  setenv("CCFIELD_CREDENTIALS_DIR", cred_dir.c_str(), 1);
  REQUIRE(Run(tablet.path(), {"init"}).code == 0);
  Cli login = Run(tablet.path(), {"login", server.url, "--user", "alice", "--password", ServerProcess::Password("alice")});
  INFO(login.err);
  REQUIRE(login.code == 0);
  REQUIRE(Run(tablet.path(), {"sync"}).code == 0);

  // One token file, private, in a private folder.
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(cred_dir)) files.push_back(e.path().string());
  REQUIRE(files.size() == 1);
  CHECK(Mode(cred_dir) == 0700);
  CHECK(Mode(files[0]) == 0600);
  const std::string token = ReadAll(files[0]);
  REQUIRE(token.size() >= 20);
  const std::string db = tablet.File("ccfield.db");
  CHECK(StoreBytes(db).find(token) == std::string::npos);

  // The folder copied elsewhere (a backup, a file sent for support): signed out.
  for (const char* f : {"ccfield.db", "ccfield.db-wal"}) {
    if (std::filesystem::exists(tablet.File(f))) std::filesystem::copy_file(tablet.File(f), copy.File(f));
  }
  json status = json::parse(Run(copy.path(), {"--json", "status"}).out, nullptr, false);
  REQUIRE_FALSE(status.is_discarded());
  CHECK(status["logged_in"] == false);
  Cli sync_copy = Run(copy.path(), {"sync"});
  CHECK(sync_copy.code != 0);
  CHECK(sync_copy.err.find("log in") != std::string::npos);
  // The original is still signed in and syncs.
  json original = json::parse(Run(tablet.path(), {"--json", "status"}).out, nullptr, false);
  CHECK(original["logged_in"] == true);
  CHECK(Run(tablet.path(), {"sync"}).code == 0);

  // Logging out removes the token file.
  CHECK(Run(tablet.path(), {"logout"}).code == 0);
  CHECK(std::filesystem::is_empty(cred_dir));
}

TEST_CASE("a token an older version kept in the data file is moved out and erased from the file") {
  TempDir dir, creds;
  setenv("CCFIELD_CREDENTIALS_DIR", creds.path().c_str(), 1);
  const std::string db = dir.File("ccfield.db");
  const std::string token = "tok-0123456789abcdef-old-version-token";
  {
    StoreOptions o;
    o.path = db;
    testing_hooks::ScopedSchemaVersionLimit limit(6);
    auto store = Unwrap(Store::Open(DefaultEnv(), o));
    REQUIRE(store->schema_version() == 6);
  }
  {
    auto raw = testing::OpenRawDb(db);
    REQUIRE_OK(raw->Exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('sync_server_url', 'http://127.0.0.1:1'), "
                         "('sync_username', 'alice'), ('sync_token', '" + token + "')"));
    REQUIRE_OK(raw->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  REQUIRE(ReadAll(db).find(token) != std::string::npos);  // the old layout
  {
    auto store = testing::OpenStore(DefaultEnv(), db);
    CHECK(store->schema_version() == kSchemaVersion);
    SyncSettings s = Unwrap(store->replica().GetSyncSettings());
    CHECK(s.token == token);  // still signed in here
    CHECK(s.username == "alice");
  }
  CHECK(StoreBytes(db).find(token) == std::string::npos);
  CHECK(LoadCredential(CredentialKey(db, testing::OpenStore(DefaultEnv(), db)->device_id())) == token);
}

}  // namespace
}  // namespace ccfield::security_test
