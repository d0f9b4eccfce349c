// Issue 10, finding 6 (the rest): "--json list/export over invalid text
// already stored" aborted the CLI, and "--notes-file reads at most the note
// limit and refuses directories". Text damaged in the store (by an older
// version or another tool) is shown with U+FFFD and never stops a listing,
// a history or an export; a notes file is bounded and must be a regular file.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "ccfield/core/records.h"
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "cli/cli.h"
#include "support/raw_db.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield {
namespace {

using testing::Unwrap;

struct CliRun {
  int code = 0;
  std::string out, err;
};

CliRun RunCli(FakeEnv* env, const std::string& data, std::vector<std::string> args) {
  std::vector<std::string> argv = {"--data", data};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out, err;
  CliRun r;
  r.code = cli::Run(argv, env, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST_CASE("attack: text damaged in the store does not abort --json list, show, history, search or export") {
  testing::TempDir dir;
  FakeEnv env(dir.path());
  REQUIRE(RunCli(&env, dir.path(), {"demo"}).code == 0);
  std::string site_id, visit_id;
  {
    auto raw = testing::OpenRawDb(dir.File("ccfield.db"));
    REQUIRE_OK(raw->Exec("UPDATE sites SET name = 'Bad ' || cast(x'ff' AS TEXT) || ' name' WHERE rowid = 1"));
    REQUIRE_OK(raw->Exec("UPDATE visits SET notes = 'N ' || cast(x'fe' AS TEXT) WHERE rowid = 1"));
    REQUIRE_OK(raw->Exec("UPDATE change_log SET author = 'A' || cast(x'ff' AS TEXT) WHERE seq = 1"));
    auto q = Unwrap(raw->Prepare("SELECT (SELECT id FROM sites WHERE rowid = 1), (SELECT id FROM visits WHERE rowid = 1)"));
    REQUIRE(Unwrap(q.Step()));
    site_id = q.Text(0);
    visit_id = q.Text(1);
  }
  const std::vector<std::vector<std::string>> commands = {
      {"--json", "list", "sites"}, {"--json", "list", "visits"},  {"list", "sites"},
      {"--json", "show", site_id}, {"--json", "show", visit_id},  {"show", visit_id},
      {"--json", "history", site_id}, {"--json", "search", "Bad"}, {"export", "geojson"},
      {"export", "csv"},           {"--json", "status"},
  };
  for (const auto& c : commands) {
    CliRun r = RunCli(&env, dir.path(), c);
    std::string line;
    for (const std::string& part : c) line += part + " ";
    INFO("command: ", line, "\nstderr: ", r.err);
    CHECK(r.code == 0);
    CHECK_FALSE(FindInvalidUtf8(r.out).has_value());  // what is printed is always valid UTF-8
  }
  CliRun list = RunCli(&env, dir.path(), {"--json", "list", "sites"});
  CHECK(list.out.find("Bad \xEF\xBF\xBD name") != std::string::npos);  // U+FFFD where the bad byte was
}

TEST_CASE("attack: --notes-file refuses a folder, a device and a file over the notes limit, and writes nothing") {
  testing::TempDir dir;
  FakeEnv env(dir.path());
  REQUIRE(RunCli(&env, dir.path(), {"demo"}).code == 0);
  std::string site_id;
  {
    auto raw = testing::OpenRawDb(dir.File("ccfield.db"));
    auto q = Unwrap(raw->Prepare("SELECT id FROM sites WHERE rowid = 1"));
    REQUIRE(Unwrap(q.Step()));
    site_id = q.Text(0);
  }
  const auto visits_now = [&] {
    CliRun r = RunCli(&env, dir.path(), {"--json", "list", "visits"});
    REQUIRE(r.code == 0);
    return r.out;
  };
  const std::string before = visits_now();
  const std::string big = dir.File("big-notes.txt");
  {
    std::ofstream f(big, std::ios::binary);
    f << std::string(kMaxLongTextBytes + 1, 'x');
  }
  struct Case {
    std::string path;
    std::string expect;
  };
  for (const Case& c : {Case{dir.path(), "is a folder"}, Case{"/dev/zero", "not a regular file"},
                        Case{big, "at most 100 KB"}, Case{dir.File("missing.txt"), "does not exist"}}) {
    CliRun r = RunCli(&env, dir.path(), {"visit", "add", "--site", site_id, "--form", "drainage_flood@1.0", "--notes-file", c.path});
    INFO("notes file: ", c.path, "\nstderr: ", r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(c.expect) != std::string::npos);
  }
  CHECK(visits_now() == before);
  // A file at the limit is read whole.
  const std::string ok = dir.File("notes.txt");
  {
    std::ofstream f(ok, std::ios::binary);
    f << "Drain blocked at the culvert; " << std::string(1000, 'y');
  }
  CliRun r = RunCli(&env, dir.path(), {"--json", "visit", "add", "--site", site_id, "--form", "drainage_flood@1.0", "--status", "draft", "--notes-file", ok});
  INFO("stderr: ", r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("Drain blocked at the culvert") != std::string::npos);
}

}  // namespace
}  // namespace ccfield
