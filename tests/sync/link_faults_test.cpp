// Sync over a bad link: the device's SyncClient (libcurl) talks to the real
// ccfield-server on 127.0.0.1 through a FaultProxy (tests/support/fault_proxy.h)
// that cuts connections mid-request or mid-response, adds latency and a
// bandwidth cap, or stalls. After the faults clear, a plain retry (what the
// background thread does) converges: the server holds each pushed change
// exactly once, with the version the device recorded, and a fresh device that
// pulls everything sees the same records.
//
// The server is tests/support/server_process.h: `ccfield-server --data TMP
// --password-cost test serve --port 0` after the admin commands that create a
// workspace and the users alice and bob.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ccfield/core/sqlite_db.h"
#include "ccfield/sync/client.h"
#include "ccfield/sync/transport.h"
#include "support/fault_proxy.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/sync_system.h"
#include "support/temp_dir.h"

namespace ccfield::sync::system_test {
namespace {

using testing::FaultProxy;
using testing::ProxyFaults;

// Polls `cond` every 5 ms until it holds or `timeout_ms` passes.
bool WaitFor(const std::function<bool()>& cond, int timeout_ms) { return testing::WaitFor(cond, timeout_ms, 5); }

// The server's highest ServerVersion (read beside the running server: WAL).
int64_t ServerVersionNow(const ServerProcess& server) {
  return QueryInt(OpenRaw(server.db_path()).get(), "SELECT value FROM server_meta WHERE key = 'server_version'");
}

// A device: its own data directory with ccfield.db (as the CLI lays it out).
struct Device : SyncDevice {
  // device_seq -> (server version, state) of the device's own changes.
  std::map<int64_t, std::pair<int64_t, std::string>> OwnChanges() {
    const std::string id = DeviceId();
    auto db = OpenRaw(path);
    sql::Stmt q = Unwrap(db->Prepare(
        "SELECT device_seq, coalesce(server_version, 0), sync_state FROM change_log WHERE device_id = ?"));
    q.Bind(1, id);
    std::map<int64_t, std::pair<int64_t, std::string>> out;
    while (Unwrap(q.Step())) out[q.Int(0)] = {q.Int(1), q.Text(2)};
    return out;
  }
};

// Text of random words, about `bytes` long (compresses about 2:1, like notes).
std::string Words(std::mt19937_64& rng, size_t bytes) {
  std::string s;
  std::uniform_int_distribution<int> len(2, 9), letter('a', 'z');
  while (s.size() < bytes) {
    for (int i = len(rng); i > 0; --i) s.push_back(static_cast<char>(letter(rng)));
    s.push_back(s.size() % 97 < 9 ? '\n' : ' ');
  }
  s.resize(bytes);
  return s;
}

// What a commit wrote: change-log entries (one per record; the states that
// CountChangeStates counts, and one ServerVersion each on the server) and the
// field changes in them (what SyncReport::pushed counts once acknowledged).
struct Made {
  int64_t entries = 0;
  int64_t fields = 0;
};

// Commits `n` visits at `site_id` in one transaction, each with notes of
// `notes_bytes`; returns what it wrote.
Made AddVisits(Store* store, const std::string& site_id, int n, size_t notes_bytes, std::mt19937_64& rng) {
  std::vector<Op> ops;
  for (int i = 0; i < n; ++i) {
    json extra = {{"notes", Words(rng, notes_bytes)}, {"condition_rating", i % 2 ? "1" : "3"}};
    ops.push_back(SetFields{RecordType::kVisit, NewUuid(DefaultEnv()), testing::VisitFields(site_id, extra)});
  }
  CommitResult r = Unwrap(store->Commit(ops));
  return Made{r.last_seq - r.first_seq + 1, r.changed_fields};
}

// Own field changes waiting or sent (each entry's fields; SyncReport::pushed
// counts these once the server acknowledges them).
int64_t PendingFields(Store* store) {
  return static_cast<int64_t>(Unwrap(store->replica().PendingChanges(1 << 30)).size());
}

// Every own change of `device` is synced, the server holds each exactly once
// with the version the device recorded, and a fresh device of the same user
// that pulls everything holds each exactly once too and has the same visits
// and sites as `device` (which must have pulled everything itself).
void CheckConverged(const ServerProcess& server, Device& device, const std::string& user) {
  std::unique_ptr<Store> store = device.OpenStore();
  const std::string device_id = store->device_id();
  const ChangeStateCounts states = CheckAllSettled(store.get());

  std::map<int64_t, int64_t> own;  // device_seq -> version as the device knows it
  for (const auto& [seq, vs] : device.OwnChanges()) {
    CHECK_MESSAGE(vs.second == "synced", "seq " << seq << " is " << vs.second);
    CHECK(vs.first > 0);
    own[seq] = vs.first;
  }
  REQUIRE_FALSE(own.empty());
  CHECK(static_cast<int64_t>(own.size()) == states.synced);
  CheckServerHolds(server, device_id, own);

  Device fresh;
  fresh.LogIn(server.url, user);
  SyncUntilComplete(fresh.Client().get(), 100);
  auto db = OpenRaw(fresh.path);
  sql::Stmt q = Unwrap(db->Prepare("SELECT device_seq, server_version FROM change_log WHERE device_id = ?"));
  q.Bind(1, device_id);
  std::map<int64_t, int64_t> pulled;
  while (Unwrap(q.Step())) {
    CHECK_MESSAGE(pulled.emplace(q.Int(0), q.Int(1)).second, "seq " << q.Int(0) << " pulled twice");
  }
  CHECK_MESSAGE(pulled == own, "the fresh device did not receive each change exactly once");

  std::unique_ptr<Store> other = fresh.OpenStore();
  CheckSameRecords(store.get(), other.get());
}

// A server, a proxy in front of it, and device A (alice) logged in through
// the proxy with one site synced.
struct LinkSetup {
  LinkSetup() {
    REQUIRE(proxy.Start());
    a.LogIn(proxy.url(), "alice");
    auto client = a.Client();
    REQUIRE_OK(client->SyncNow());
    std::unique_ptr<Store> store = a.OpenStore();
    site_id = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id, "Culvert C-3");
    REQUIRE_OK(client->SyncNow());
  }

  // Makes the next kCuts new connections break once `after` bytes went up
  // (`up`) or down, and returns a new client of A: the cuts apply to new
  // connections only.
  std::unique_ptr<SyncClient> ClientOverCutLink(bool up, int64_t after);

  ServerProcess server{kServerPath, ServerProcess::NoWriteQuota()};
  FaultProxy proxy{server.port};
  Device a;
  std::string site_id;
};

constexpr int kCuts = 2;  // connections cut before the link behaves
constexpr int64_t kCutPoints[] = {50, 300, 1000, 5000};
constexpr int kBatchVisits = 50;
constexpr size_t kNotesBytes = 2048;

// The next kCuts new connections are cut once `after` bytes have gone up to
// the server (`up`) or down to the device.
ProxyFaults CutConnections(bool up, int64_t after) {
  ProxyFaults f;
  (up ? f.cut_up_after : f.cut_down_after) = after;
  f.cut_connections = kCuts;
  return f;
}

std::unique_ptr<SyncClient> LinkSetup::ClientOverCutLink(bool up, int64_t after) {
  proxy.SetFaults(CutConnections(up, after));
  return a.Client();
}

// The SyncNow calls that meet a cut fail with a plain "connection dropped".
void ExpectDropped(const SyncOutcome& out) {
  REQUIRE_FALSE(out.status.ok());
  CHECK(out.status.code() == Code::kUnavailable);
  CHECK(out.action == SyncAction::kRetryLater);
  CHECK_MESSAGE(out.status.message().starts_with("the connection dropped"), out.status.message());
}

TEST_CASE("Sync over a bad link: uploads cut mid-request are sent again and applied once") {
  SKIP_WITHOUT_SERVER();
  const auto t0 = Clock::now();
  LinkSetup s;
  std::mt19937_64 rng(1);
  for (int64_t cut : kCutPoints) {
    CAPTURE(cut);
    std::unique_ptr<Store> store = s.a.OpenStore();
    const Made made = AddVisits(store.get(), s.site_id, kBatchVisits, kNotesBytes, rng);
    const int64_t v0 = ServerVersionNow(s.server);
    const int64_t cuts0 = s.proxy.cuts();
    auto client = s.ClientOverCutLink(/*up=*/true, cut);
    for (int i = 0; i < kCuts; ++i) {
      CAPTURE(i);
      ExpectDropped(client->Sync());
      // The request never arrived whole: nothing was applied.
      CHECK(ServerVersionNow(s.server) == v0);
      ChangeStateCounts states = Unwrap(store->replica().CountChangeStates());
      CHECK(states.sent == made.entries);  // sent, answer unknown: kept for the retry
      CHECK(states.waiting == 0);
    }
    CHECK(s.proxy.cuts() - cuts0 == kCuts);
    // The retry (as the background thread would) gets through.
    SyncReport report = Unwrap(client->SyncNow());
    CHECK(report.pushed == made.fields);
    CHECK(report.rejected == 0);
    CHECK(ServerVersionNow(s.server) - v0 == made.entries);  // each entry applied once (a version per entry)
    CHECK(Unwrap(store->replica().CountChangeStates()).sent == 0);
  }
  s.proxy.SetFaults({});
  CheckConverged(s.server, s.a, "alice");
  MESSAGE("upload cuts: ", std::size(kCutPoints), " cut points x ", kCuts, " cuts, ", MsSince(t0), " ms");
}

TEST_CASE("Sync over a bad link: answers lost mid-response are re-sent, acked as duplicates, nothing applied twice") {
  SKIP_WITHOUT_SERVER();
  const auto t0 = Clock::now();
  LinkSetup s;
  // B (bob, same workspace) pushes straight to the server, so A's answers
  // also carry B's changes: the pulled half of a lost answer is re-pulled.
  Device b;
  b.LogIn(s.server.url, "bob");
  auto client_b = b.Client();
  REQUIRE_OK(client_b->SyncNow());
  std::mt19937_64 rng(2);
  for (int64_t cut : kCutPoints) {
    CAPTURE(cut);
    {
      std::unique_ptr<Store> store_b = b.OpenStore();
      AddVisits(store_b.get(), s.site_id, kBatchVisits, kNotesBytes, rng);
    }
    REQUIRE(Unwrap(client_b->SyncNow()).pushed > 0);
    std::unique_ptr<Store> store = s.a.OpenStore();
    const Made made = AddVisits(store.get(), s.site_id, kBatchVisits, kNotesBytes, rng);
    const int64_t v0 = ServerVersionNow(s.server);
    const int64_t cursor0 = Unwrap(store->replica().GetSyncSettings()).cursor;
    const int64_t remote0 = Unwrap(store->replica().CountChangeStates()).remote;
    const int64_t cuts0 = s.proxy.cuts();
    auto client = s.ClientOverCutLink(/*up=*/false, cut);
    for (int i = 0; i < kCuts; ++i) {
      CAPTURE(i);
      ExpectDropped(client->Sync());
      // The server applied the first request; the re-sent one changed nothing.
      CHECK(ServerVersionNow(s.server) - v0 == made.entries);
      // The device saw no answer: nothing moved.
      ChangeStateCounts states = Unwrap(store->replica().CountChangeStates());
      CHECK(states.sent == made.entries);
      CHECK(states.remote == remote0);
      CHECK(Unwrap(store->replica().GetSyncSettings()).cursor == cursor0);
    }
    CHECK(s.proxy.cuts() - cuts0 == kCuts);
    SyncReport report = Unwrap(client->SyncNow());
    CHECK(report.pushed == made.fields);  // acked (as duplicates: the version did not move)
    CHECK(report.received >= kBatchVisits);
    CHECK(ServerVersionNow(s.server) - v0 == made.entries);
    CHECK(Unwrap(store->replica().CountChangeStates()).sent == 0);
    CHECK(Unwrap(store->replica().CountChangeStates()).waiting == 0);
  }
  s.proxy.SetFaults({});
  REQUIRE_OK(client_b->SyncNow());
  CheckConverged(s.server, s.a, "alice");
  CheckConverged(s.server, b, "bob");
  MESSAGE("answer cuts: ", std::size(kCutPoints), " cut points x ", kCuts, " cuts, ", MsSince(t0), " ms");
}

TEST_CASE("Sync over a bad link: 100 ms latency and 20 KB/s (2G) still complete correctly") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server{kServerPath, ServerProcess::NoWriteQuota()};
  FaultProxy proxy(server.port);
  REQUIRE(proxy.Start());
  ProxyFaults f;
  f.latency_ms = 100;
  f.bytes_per_second = 20'000;
  proxy.SetFaults(f);

  const auto t0 = Clock::now();
  Device a;
  a.LogIn(proxy.url(), "alice");
  auto client = a.Client();
  REQUIRE_OK(client->SyncNow());
  std::mt19937_64 rng(3);
  {
    std::unique_ptr<Store> store = a.OpenStore();
    const std::string site = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id);
    AddVisits(store.get(), site, 10, 600, rng);
  }
  const int64_t fields = PendingFields(a.OpenStore().get());  // the site's and the visits' fields
  const auto t_push = Clock::now();
  SyncReport push = Unwrap(client->SyncNow());
  const int64_t push_ms = MsSince(t_push);
  CHECK(push.pushed == fields);
  CHECK(push.requests == 1);
  // At least one round trip of latency, and no faster than the cap allows.
  CHECK(push_ms >= 200);
  CHECK(push_ms >= static_cast<int64_t>(push.bytes_up * 1000 / 20'000));
  const int64_t total_ms = MsSince(t0);
  CHECK(proxy.bytes_down() * 1000 / std::max<int64_t>(1, total_ms) <= 2 * 20'000);
  proxy.SetFaults({});
  CheckConverged(server, a, "alice");
  MESSAGE("2G link: push of ", push.bytes_up, " bytes up, ", push.bytes_down, " down in ", push_ms, " ms; ",
          proxy.bytes_up() + proxy.bytes_down(), " bytes through the proxy in ", total_ms, " ms");
}

TEST_CASE("Sync over a bad link: a stalled link is given up and the next sync loses nothing") {
  SKIP_WITHOUT_SERVER();
  // CurlTransport gives a transfer up when under 10 B/s move for
  // stall_seconds (60 s by default: the 2G rule). The app can also give up
  // sooner: Stop() on the background thread, and, for a foreground SyncNow,
  // a cancel flag raised by a watchdog through TransportConfig::cancel.
  LinkSetup s;
  std::mt19937_64 rng(4);
  std::unique_ptr<Store> store = s.a.OpenStore();

  SUBCASE("background sync, stopped by Stop()") {
    const int64_t made = AddVisits(store.get(), s.site_id, 20, kNotesBytes, rng).entries;
    ProxyFaults f;
    f.stall = true;
    s.proxy.SetFaults(f);
    std::atomic<int> finished{0};
    SyncClientOptions options;
    options.on_finished = [&](const SyncOutcome&) { ++finished; };
    auto client = s.a.Client(options);
    client->Start();
    client->RequestSync();
    REQUIRE(WaitFor([&] { return client->Status().running; }, 2000));
    REQUIRE(WaitFor([&] { return Unwrap(store->replica().CountChangeStates()).sent == made; }, 2000));
    std::this_thread::sleep_for(milliseconds(700));  // held: no answer, no timeout yet
    CHECK(client->Status().running);
    CHECK(finished == 0);
    const auto t_stop = Clock::now();
    client->Stop();
    const int64_t stop_ms = MsSince(t_stop);
    CHECK(stop_ms < 2000);
    MESSAGE("Stop() during a stall returned in ", stop_ms, " ms");
    ChangeStateCounts states = Unwrap(store->replica().CountChangeStates());
    CHECK(states.sent + states.synced >= made);
    CHECK(states.waiting == 0);
  }
  SUBCASE("foreground SyncNow, cancelled by a watchdog") {
    const int64_t made = AddVisits(store.get(), s.site_id, 20, kNotesBytes, rng).entries;
    std::atomic<bool> give_up{false};
    SyncClientOptions options;
    options.transport_factory = [&give_up](const TransportConfig& config) -> Result<std::unique_ptr<Transport>> {
      TransportConfig c = config;
      c.cancel = &give_up;
      CCF_ASSIGN_OR_RETURN(std::unique_ptr<CurlTransport> t, CurlTransport::Create(c));
      return std::unique_ptr<Transport>(std::move(t));
    };
    auto client = s.a.Client(options);
    ProxyFaults f;
    f.stall = true;
    s.proxy.SetFaults(f);
    std::thread watchdog([&] {
      std::this_thread::sleep_for(milliseconds(1000));
      give_up = true;
    });
    const auto t_sync = Clock::now();
    SyncOutcome out = client->Sync();
    const int64_t sync_ms = MsSince(t_sync);
    watchdog.join();
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.message() == "sync was stopped");
    CHECK(sync_ms >= 900);
    CHECK(sync_ms < 3000);
    CHECK(Unwrap(store->replica().CountChangeStates()).sent == made);
  }
  SUBCASE("a configured stall timeout gives the transfer up by itself") {
    const int64_t made = AddVisits(store.get(), s.site_id, 5, kNotesBytes, rng).entries;
    SyncClientOptions options;
    options.stall_seconds = 2;
    auto client = s.a.Client(options);
    ProxyFaults f;
    f.stall = true;
    s.proxy.SetFaults(f);
    const auto t_sync = Clock::now();
    SyncOutcome out = client->Sync();
    const int64_t sync_ms = MsSince(t_sync);
    REQUIRE_FALSE(out.status.ok());
    MESSAGE("stalled sync given up after ", sync_ms, " ms: ", out.status.message());
    CHECK(sync_ms >= 1500);
    CHECK(sync_ms < 30000);  // far below the default 60 s: the option was used
    CHECK(Unwrap(store->replica().CountChangeStates()).sent == made);
  }
  // The stall clears: the held request may still reach the server (then the
  // next sync's copy is a duplicate), or not. Either way nothing is lost.
  s.proxy.SetFaults({});
  auto client = s.a.Client();
  SyncUntilComplete(client.get(), 100);
  CHECK(Unwrap(store->replica().CountChangeStates()).sent == 0);
  CheckConverged(s.server, s.a, "alice");
}

}  // namespace
}  // namespace ccfield::sync::system_test
