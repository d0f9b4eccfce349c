// Sync with kill -9: the real ccfield-server killed with SIGKILL while a
// device pushes, and a device (tests/support/sync_child.cpp, its own process)
// killed with SIGKILL while it applies pulled pages. Kill moments are random
// from a seed printed with any failure (rerun with CCFIELD_KILL_SEED=N).
//
// What must hold after each kill: both SQLite files pass the integrity check;
// the server's version counter matches its history; the device holds exactly
// the changes up to its committed cursor (whole pages, nothing of a page that
// did not commit); and after the next successful sync every change is on the
// server exactly once and a fresh device that pulls everything sees the same.
//
// The server is tests/support/server_process.h (`ccfield-server --data TMP
// --password-cost test serve --port 0`); after a crash it is restarted on the
// same data directory and the device is pointed at its new port.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ccfield/core/sqlite_db.h"
#include "ccfield/sync/client.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/sync_system.h"
#include "support/temp_dir.h"

namespace ccfield::sync::system_test {
namespace {

#ifdef SYNC_CHILD_PATH
constexpr const char* kChildPath = SYNC_CHILD_PATH;
#else
constexpr const char* kChildPath = "";
#endif

uint64_t SeedFromEnv() {
  if (const char* s = std::getenv("CCFIELD_KILL_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

// Declares `seed` (CCFIELD_KILL_SEED, else random) and `rng` seeded with it in
// the enclosing test case, and prints the seed with any failure of it. Not
// wrapped in do/while: the names must stay in scope.
#define KILL_TEST_SEEDED_RNG(seed, rng)                              \
  const uint64_t seed = SeedFromEnv();                               \
  INFO("seed ", seed, " (rerun with CCFIELD_KILL_SEED=", seed, ")"); \
  std::mt19937_64 rng(seed)

// Reads from `fd` into *out until `stop(*out)` holds, end of file, or the
// deadline; true when `stop` held.
bool ReadUntil(int fd, std::string* out, Clock::time_point deadline, const std::function<bool(const std::string&)>& stop) {
  while (!stop(*out)) {
    const int64_t left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 100))) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return stop(*out);
    out->append(buf, static_cast<size_t>(n));
  }
  return true;
}

#define SKIP_WITHOUT_SERVER_OR_CHILD()                                                   \
  if (!ServerProcess::Available(kServerPath) || access(kChildPath, X_OK) != 0) {        \
    MESSAGE("skipped: ccfield-server or sync_child not built (" << kServerPath << ")"); \
    return;                                                                             \
  }

void CheckIntegrity(sql::Db* db) {
  sql::Stmt q = Unwrap(db->Prepare("PRAGMA integrity_check"));
  REQUIRE(Unwrap(q.Step()));
  CHECK(q.Text(0) == "ok");
  sql::Stmt fk = Unwrap(db->Prepare("PRAGMA foreign_key_check"));
  CHECK_FALSE(Unwrap(fk.Step()));
}

// The server's file after a crash (read beside the restarted server): it
// passes the integrity check, its version counter is the highest version in
// its history and conflicts (a rolled-back transaction returns its
// versions), and every device's change is held at most once.
void CheckServerFile(const ServerProcess& server) {
  auto db = OpenRaw(server.db_path());
  CheckIntegrity(db.get());
  const int64_t counter = QueryInt(db.get(), "SELECT value FROM server_meta WHERE key = 'server_version'");
  const int64_t highest = QueryInt(db.get(),
                                   "SELECT max((SELECT coalesce(max(version), 0) FROM changes), "
                                   "(SELECT coalesce(max(version), 0) FROM conflicts))");
  CHECK(counter == highest);
  CHECK(QueryInt(db.get(), "SELECT count(*) FROM (SELECT 1 FROM changes GROUP BY device_id, device_seq "
                           "HAVING count(*) > 1)") == 0);
  CHECK(QueryInt(db.get(), "SELECT count(*) FROM (SELECT 1 FROM changes WHERE version > 0 GROUP BY version "
                           "HAVING count(*) > 1)") == 0);
}

struct Device : SyncDevice {
  // The server moved (restarted on another port): same login, same cursor.
  void PointAt(const std::string& url) {
    std::unique_ptr<Store> store = OpenStore();
    SyncSettings s = Unwrap(store->replica().GetSyncSettings());
    s.server_url = url;
    REQUIRE_OK(store->replica().SaveSyncSettings(s));
  }
};

// Commits `n` visits at `site_id`, `per_commit` to a transaction, each with
// `notes_bytes` of notes; returns how many change-log entries were written
// (one per visit: an entry holds every field one commit changed in a record).
int64_t AddVisits(Store* store, const std::string& site_id, int n, size_t notes_bytes, std::mt19937_64& rng,
                  int per_commit = 500) {
  int64_t entries = 0;
  std::uniform_int_distribution<int> letter('a', 'z');
  for (int done = 0; done < n;) {
    std::vector<Op> ops;
    for (; done < n && static_cast<int>(ops.size()) < per_commit; ++done) {
      std::string notes;
      while (notes.size() < notes_bytes) notes.push_back(notes.size() % 8 == 7 ? ' ' : static_cast<char>(letter(rng)));
      json extra = {{"notes", notes}, {"condition_rating", std::to_string(done % 4)}};
      ops.push_back(SetFields{RecordType::kVisit, NewUuid(DefaultEnv()), testing::VisitFields(site_id, extra)});
    }
    CommitResult r = Unwrap(store->Commit(ops));
    entries += r.last_seq - r.first_seq + 1;
  }
  return entries;
}

// (device_id, device_seq) -> server version of every entry in a device's
// log (own and received; one version per entry, shared by its fields);
// REQUIREs that no pair appears twice.
std::map<std::pair<std::string, int64_t>, int64_t> LoggedChanges(const std::string& store_path) {
  auto db = OpenRaw(store_path);
  sql::Stmt q = Unwrap(db->Prepare("SELECT device_id, device_seq, coalesce(server_version, 0) FROM change_log"));
  std::map<std::pair<std::string, int64_t>, int64_t> out;
  while (Unwrap(q.Step())) {
    const bool fresh = out.emplace(std::pair{q.Text(0), q.Int(1)}, q.Int(2)).second;
    REQUIRE_MESSAGE(fresh, "change " << q.Text(0) << "/" << q.Int(1) << " logged twice");
  }
  return out;
}

// A fresh device of `user` pulls everything; `device` (which must have
// pulled everything too) holds the same records and the same received
// changes. Own changes of `device` are all synced, and the server holds each
// exactly once with the version the device recorded.
void CheckConverged(const ServerProcess& server, Device& device, const std::string& user) {
  std::unique_ptr<Store> store = device.OpenStore();
  const std::string id = store->device_id();
  CheckAllSettled(store.get());
  auto logged = LoggedChanges(device.path);

  std::map<int64_t, int64_t> own;
  for (const auto& [key, version] : logged) {
    if (key.first == id) own[key.second] = version;
  }
  CheckServerHolds(server, id, own);

  Device fresh;
  fresh.LogIn(server.url, user);
  SyncUntilComplete(fresh.Client().get(), 200);
  auto pulled = LoggedChanges(fresh.path);
  // What the fresh device received, the device has too (its own changes as
  // own, the rest as received), with the same versions.
  int64_t missing = 0, differ = 0;
  for (const auto& [key, version] : pulled) {
    auto it = logged.find(key);
    if (it == logged.end()) {
      ++missing;
    } else if (it->second != version) {
      ++differ;
    }
  }
  CHECK(missing == 0);
  CHECK(differ == 0);
  std::unique_ptr<Store> other = fresh.OpenStore();
  CheckSameRecords(store.get(), other.get());
}

// ---------------------------------------------------------------------------
// The server killed during a push

TEST_CASE("Sync with kill -9 of the server during a push: nothing lost, nothing applied twice") {
  SKIP_WITHOUT_SERVER_OR_CHILD();
  KILL_TEST_SEEDED_RNG(seed, rng);
  const auto t0 = Clock::now();
  constexpr int kRounds = 4;
  constexpr int kVisitsPerRound = 400;

  ServerProcess server{kServerPath, ServerProcess::NoWriteQuota()};
  Device a;
  a.LogIn(server.url, "alice");
  std::string site_id;
  {
    auto client = a.Client();
    REQUIRE_OK(client->SyncNow());
    std::unique_ptr<Store> store = a.OpenStore();
    site_id = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id);
  }
  // Small batches: a push is many requests, each its own server
  // transaction, so a kill lands between requests or inside one.
  SyncClientOptions options;
  options.push_batch = 300;
  int mid_push = 0;
  std::vector<std::string> moments;
  for (int round = 0; round < kRounds; ++round) {
    INFO("round ", round);
    std::unique_ptr<Store> store = a.OpenStore();
    AddVisits(store.get(), site_id, kVisitsPerRound, 300, rng);
    const ChangeStateCounts before = Unwrap(store->replica().CountChangeStates());
    const int64_t pending = before.waiting + before.sent;
    // Kill once the server has applied a random part of the push, plus a
    // random few milliseconds (to land inside a request, not only between).
    auto watch = OpenRaw(server.db_path());
    const int64_t v0 = QueryInt(watch.get(), "SELECT value FROM server_meta WHERE key = 'server_version'");
    const int64_t applied_before_kill = std::uniform_int_distribution<int64_t>(0, pending - 1)(rng);
    const int extra_ms = std::uniform_int_distribution<int>(0, 20)(rng);

    auto client = a.Client(options);
    SyncOutcome out;
    std::thread sync([&] { out = client->Sync(); });
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    int64_t v = v0;
    while (v - v0 < applied_before_kill && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(1));
      v = QueryInt(watch.get(), "SELECT value FROM server_meta WHERE key = 'server_version'");
    }
    std::this_thread::sleep_for(milliseconds(extra_ms));
    server.Kill(SIGKILL);
    sync.join();
    watch.reset();
    client.reset();
    std::string moment = std::to_string(applied_before_kill) + "/" + std::to_string(pending) + " +" +
                         std::to_string(extra_ms) + "ms";
    if (!out.status.ok()) {
      ++mid_push;
      CHECK(out.action == SyncAction::kRetryLater);
      // "the connection dropped" inside a request; "cannot reach the server"
      // between requests, or when libcurl re-sent a request whose kept-alive
      // connection died before any answer (it retries those once by itself).
      moment += out.status.message().starts_with("the connection dropped") ? " (dropped)" : " (unreachable)";
    }
    moments.push_back(moment);

    server.Start();  // same data directory, after the crash
    CheckServerFile(server);
    a.PointAt(server.url);
    // Nothing the device had is lost; some of it may be sent, answer unknown.
    const ChangeStateCounts after = Unwrap(a.OpenStore()->replica().CountChangeStates());
    CHECK(after.waiting + after.sent + after.synced == before.waiting + before.sent + before.synced);
  }
  CHECK(mid_push >= 1);
  {
    auto client = a.Client();
    SyncUntilComplete(client.get(), 200);
  }
  CheckServerFile(server);
  CheckConverged(server, a, "alice");
  std::string list;
  for (const std::string& m : moments) list += " " + m + ";";
  MESSAGE("server kills: ", kRounds, " (", mid_push, " mid-push) at applied/pending + delay:", list, " seed ", seed,
          "; ", MsSince(t0), " ms");
}

// ---------------------------------------------------------------------------
// The device killed while it applies a pull

struct ChildRun {
  std::vector<int64_t> cursors;  // from the "page" lines it printed
  bool done = false;             // it printed "done" (finished before the kill)
  bool killed = false;
};

// Runs sync_child on `store_path` and SIGKILLs it `delay_ms` after it has
// reported `pages` pages (0: after it started). With delay_ms < 0 it is left
// to finish.
ChildRun RunChild(const std::string& store_path, int pull_limit, int pages, int delay_ms) {
  auto [pid, fd] = testing::SpawnWithOutput({kChildPath, store_path, "--pull-limit", std::to_string(pull_limit)});
  std::string out;
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  auto finished = [](const std::string& s) { return s.find("done") != std::string::npos; };
  if (delay_ms < 0) {
    ReadUntil(fd, &out, give_up, finished);
  } else {
    ReadUntil(fd, &out, give_up, [&](const std::string& s) {
      return finished(s) || std::count(s.begin(), s.end(), '\n') >= pages;
    });
    ReadUntil(fd, &out, Clock::now() + milliseconds(delay_ms), finished);
  }
  ChildRun run;
  run.killed = delay_ms >= 0 && kill(pid, SIGKILL) == 0;
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  ReadUntil(fd, &out, Clock::now() + milliseconds(500), [](const std::string&) { return false; });
  close(fd);
  run.killed = run.killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  // Complete lines only: a line cut by the kill claims nothing.
  size_t pos = 0;
  for (size_t nl; (nl = out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    const std::string line = out.substr(pos, nl - pos);
    if (line.rfind("page ", 0) == 0) run.cursors.push_back(std::stoll(line.substr(5)));
    if (line.rfind("done", 0) == 0) run.done = true;
  }
  if (delay_ms < 0) {
    CHECK_MESSAGE(run.done, "sync_child did not finish: " << out);
    CHECK_FALSE(run.killed);
  }
  return run;
}

// After a kill: the device's file is sound, its cursor is at least the last
// one the child reported, and it holds exactly the changes the server had
// for it up to that cursor (whole pages), applied to its records.
void CheckPulledPrefix(const ServerProcess& server, Device& device, int64_t reported_cursor) {
  std::unique_ptr<Store> store = device.OpenStore();
  REQUIRE_OK(store->CheckIntegrity());
  const int64_t cursor = Unwrap(store->replica().GetSyncSettings()).cursor;
  CHECK(cursor >= reported_cursor);

  std::vector<int64_t> expected;
  {
    auto db = OpenRaw(server.db_path());
    // One version per applied field (server schema 8 keeps one row per
    // entry, its fields in a JSON object; docs/server.md).
    sql::Stmt q = Unwrap(db->Prepare(
        "SELECT c.version FROM changes c, json_each(c.fields) j WHERE c.version > 0 AND c.version <= ? "
        "AND (c.outcomes IS NULL OR c.outcomes -> ('$.\"' || j.key || '\"') IS NULL) ORDER BY c.version"));
    q.Bind(1, cursor);
    while (Unwrap(q.Step())) expected.push_back(q.Int(0));
  }
  struct Entry {
    std::string type, record_id, field;
    json value;
  };
  // A version per received field, like `expected`: a received entry is one
  // row whose `fields` object holds every field of it (store schema 11).
  std::vector<int64_t> received;
  std::map<std::pair<std::string, std::string>, Entry> latest;  // (record, field) -> newest entry
  {
    auto db = OpenRaw(device.path);
    CheckIntegrity(db.get());
    sql::Stmt q = Unwrap(db->Prepare("SELECT server_version, record_type, record_id, fields FROM change_log "
                                     "WHERE sync_state = 'remote' ORDER BY server_version"));
    while (Unwrap(q.Step())) {
      const json fields = json::parse(q.Text(3));
      REQUIRE_MESSAGE(!fields.empty(), "a received entry with no fields: " << q.Text(3));
      for (const auto& [name, value] : fields.items()) {
        received.push_back(q.Int(0));
        Entry e{q.Text(1), q.Text(2), name, value};
        latest[{e.record_id, e.field}] = std::move(e);
      }
    }
  }
  CHECK_MESSAGE(received == expected, "received " << received.size() << " changes, the server had "
                                                  << expected.size() << " up to cursor " << cursor);
  // Every received change is in the records (no local edits here, no conflicts).
  int64_t wrong = 0;
  std::set<std::string> visits;
  for (const auto& [key, e] : latest) {
    std::optional<RecordType> type = ParseRecordType(e.type);
    if (!type) continue;  // forms
    if (*type == RecordType::kVisit) visits.insert(e.record_id);
    Result<Record> r = store->Get(*type, e.record_id);
    if (!r.ok()) {
      ++wrong;
      continue;
    }
    const bool same = e.field == kDeletedField ? json(r->deleted) == e.value : r->Get(e.field) == e.value;
    if (!same && wrong++ < 3) MESSAGE(e.type << " " << e.record_id << " " << e.field << " is not " << e.value.dump());
  }
  CHECK(wrong == 0);
  CHECK(Unwrap(store->Count(RecordType::kVisit, true)) == static_cast<int64_t>(visits.size()));
}

TEST_CASE("Sync with kill -9 of a device while it applies a pull: whole pages only, then it converges") {
  SKIP_WITHOUT_SERVER_OR_CHILD();
  KILL_TEST_SEEDED_RNG(seed, rng);
  const auto t0 = Clock::now();
  constexpr int kBacklogVisits = 3000;
  constexpr int kPullLimit = 200;  // many pages, each its own transaction
  constexpr int kRounds = 6;

  ServerProcess server{kServerPath, ServerProcess::NoWriteQuota()};
  // A pushes the backlog.
  Device a;
  a.LogIn(server.url, "alice");
  {
    auto client = a.Client();
    REQUIRE_OK(client->SyncNow());
    std::unique_ptr<Store> store = a.OpenStore();
    const std::string site_id = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id);
    AddVisits(store.get(), site_id, kBacklogVisits, 200, rng);
    SyncUntilComplete(client.get(), 200);
  }
  const int64_t push_ms = MsSince(t0);

  // B (bob, same workspace) pulls it in a child process that is killed.
  Device b;
  b.LogIn(server.url, "bob");
  int64_t last_reported = 0;
  int kills = 0, pages = 0;
  std::string moments;
  for (int round = 0; round < kRounds; ++round) {
    INFO("round ", round);
    // Even rounds count from the start (the kill can land in opening and
    // recovery too), odd ones from a few pages in (in the pull loop, at any
    // point of a page's round trip and commit). Counting pages keeps the
    // kills inside the backlog however fast the machine is.
    const bool from_start = round % 2 == 0;
    const int pages_first = from_start ? 0 : std::uniform_int_distribution<int>(1, 6)(rng);
    const int delay_ms = std::uniform_int_distribution<int>(from_start ? 20 : 0, from_start ? 150 : 40)(rng);
    ChildRun run = RunChild(b.path, kPullLimit, pages_first, delay_ms);
    moments += " " + std::to_string(delay_ms) + "ms after " + std::to_string(pages_first) + " pages;";
    if (run.done) {
      MESSAGE("round ", round, ": the child finished before the kill");
      break;
    }
    REQUIRE_MESSAGE(run.killed, "sync_child ended by itself (see its stderr above)");
    ++kills;
    pages += static_cast<int>(run.cursors.size());
    if (!run.cursors.empty()) last_reported = run.cursors.back();
    CheckPulledPrefix(server, b, last_reported);
  }
  CHECK(kills >= kRounds - 1);
  // The last run finishes the pull.
  const auto t_last = Clock::now();
  ChildRun last = RunChild(b.path, kPullLimit, 0, -1);
  const int64_t last_ms = MsSince(t_last);
  CHECK(last.done);
  CheckPulledPrefix(server, b, last.cursors.empty() ? last_reported : last.cursors.back());
  CheckConverged(server, b, "bob");
  MESSAGE("device kills: ", kills, " (", pages, " pages reported before them) at", moments, " the rest (",
          last.cursors.size(), " pages) in ", last_ms, " ms; backlog pushed in ", push_ms, " ms; seed ", seed, "; ",
          MsSince(t0), " ms");
}

}  // namespace
}  // namespace ccfield::sync::system_test
