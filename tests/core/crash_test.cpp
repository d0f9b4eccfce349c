// Crash safety: a writer process killed with SIGKILL at a random moment loses
// no visit whose Commit had returned, and leaves a file that opens and passes
// the integrity check. The same file is used across all rounds, so it grows
// and later rounds also kill during recovery of earlier crashes.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "support/store_fixture.h"

namespace ccfield {
namespace {

using testing::Unwrap;

constexpr int kRounds = 50;

struct WriterRun {
  std::vector<std::string> ids;  // complete lines the child printed
  bool killed = false;           // ended by our SIGKILL (not by itself)
  int wait_status = 0;
};

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Runs crash_writer on `path` and kills it `delay_ms` after it started or,
// with `after_first_commit`, after it reported its first visit.
WriterRun RunWriter(const std::string& path, uint64_t seed, int delay_ms, bool after_first_commit) {
  const std::string seed_text = std::to_string(seed);
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    dup2(fds[1], STDOUT_FILENO);
    execl(CRASH_WRITER_PATH, "crash_writer", path.c_str(), seed_text.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  const int64_t start = NowMs();
  // A generous bound for the child to start and commit once (sanitizer builds are slow).
  const int64_t give_up = start + 30'000;
  int64_t deadline = after_first_commit ? give_up : start + delay_ms;
  std::string out;
  bool eof = false;
  while (!eof) {
    const int64_t now = NowMs();
    if (now >= deadline) break;
    pollfd p{fds[0], POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(deadline - now));
    if (n <= 0) continue;
    char buf[4096];
    ssize_t got = read(fds[0], buf, sizeof buf);
    if (got <= 0) {
      eof = got == 0;
      continue;
    }
    out.append(buf, static_cast<size_t>(got));
    if (after_first_commit && deadline == give_up && out.find('\n') != std::string::npos) {
      deadline = NowMs() + delay_ms;
    }
  }
  WriterRun run;
  run.killed = kill(pid, SIGKILL) == 0;
  REQUIRE(waitpid(pid, &run.wait_status, 0) == pid);
  // Whatever the child wrote before it died is still in the pipe.
  for (;;) {
    char buf[4096];
    ssize_t got = read(fds[0], buf, sizeof buf);
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  close(fds[0]);
  // Only complete lines count: a trailing partial line means the child died
  // while printing, and that id is not claimed as committed.
  size_t pos = 0;
  for (size_t nl; (nl = out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    run.ids.push_back(out.substr(pos, nl - pos));
  }
  run.killed = run.killed && WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL;
  if (after_first_commit && deadline == give_up) FAIL("crash_writer reported no visit within 30 s");
  return run;
}

void CheckVisitSurvived(Store* store, const std::string& id) {
  INFO("visit ", id);
  REQUIRE(IsUuid(id));
  Record r = Unwrap(store->Get(RecordType::kVisit, id));
  CHECK_FALSE(r.deleted);
  CHECK(r.Get("notes").get<std::string>().size() >= 10);
  CHECK(r.Get("answers.blockage_pct") == "gt75");
  std::vector<ChangeEntry> h = Unwrap(store->History(id));
  REQUIRE_FALSE(h.empty());
  std::set<std::string> created;
  for (const ChangeEntry& e : h) {
    if (e.created) created.insert(e.field);
  }
  for (const char* f : {"site_id", "form", "started_at", "notes", "answers.asset_type", "workspace_id"}) {
    INFO("field ", f);
    CHECK(created.count(f));
  }
}

TEST_CASE("a writer killed at random moments loses no committed visit") {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("CCFIELD_CRASH_SEED")) seed = std::strtoull(s, nullptr, 10);
  INFO("crash test seed ", seed, " (rerun with CCFIELD_CRASH_SEED=", seed, ")");
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  const std::string path = dir.File("crash.db");
  FakeEnv env(dir.path());
  std::set<std::string> reported;
  int kills = 0;

  for (int round = 0; round < kRounds; ++round) {
    INFO("round ", round);
    const int delay_ms = std::uniform_int_distribution<int>(5, 60)(rng);
    // Odd rounds count the delay from the first commit, so the kill lands in
    // the commit loop; even rounds from the start, so it can land in opening,
    // recovery or setup too.
    const bool after_first = round % 2 == 1;
    WriterRun run = RunWriter(path, seed + static_cast<uint64_t>(round), delay_ms, after_first);
    INFO("child wait status ", run.wait_status);
    REQUIRE_MESSAGE(run.killed, "crash_writer ended by itself (see its stderr above)");
    ++kills;
    if (after_first) CHECK_FALSE(run.ids.empty());

    std::unique_ptr<Store> store = testing::OpenStore(&env, path);
    REQUIRE_OK(store->CheckIntegrity());
    for (const std::string& id : run.ids) {
      CheckVisitSurvived(store.get(), id);
      reported.insert(id);
    }
  }
  CHECK(kills == kRounds);
  // Every visit reported in any round is still there at the end.
  std::unique_ptr<Store> store = testing::OpenStore(&env, path);
  REQUIRE_OK(store->CheckIntegrity());
  CHECK(reported.size() >= kRounds / 2);
  CHECK(Unwrap(store->Count(RecordType::kVisit)) >= static_cast<int64_t>(reported.size()));
  for (const std::string& id : reported) REQUIRE(store->Get(RecordType::kVisit, id).ok());
  MESSAGE("crash test: ", kRounds, " kills, ", reported.size(), " visits reported, seed ", seed);
}

}  // namespace
}  // namespace ccfield
