// Issue 10, finding 8: one member sending big requests back to back raised
// everyone else's median latency 15-fold. The fair gate (server/src/
// fair_gate.h, docs/retention.md "Fair order") lets one sync per account be
// in flight and hands out the storage in arrival order. Over the real server
// and raw HTTP:
// - two syncs of one account sent at the same moment both finish, or one is
//   told 429 `busy` with Retry-After: 1; either way every change is applied
//   exactly once (a concurrent re-send of the same changes is a duplicate);
// - an account pushing big batches on several connections at once does not
//   starve another account: while one of the other's syncs is in flight, at
//   most about one of the heavy writer's requests completes.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "ccfield/core/uuid.h"
#include "ccfield/platform/env.h"
#include "support/security_fixture.h"
#include "support/server_process.h"

namespace ccfield::security_test {
namespace {

using Clock = std::chrono::steady_clock;

int64_t Count(const std::string& db_path, const std::string& what) {
  return testing::QueryServerDb(db_path, "SELECT count(*) FROM " + what);
}

// What one POST /v1/sync got back. Free of doctest, so that threads can fill it.
struct Answer {
  int status = 0;  // 0: no answer
  std::string retry_after;
  json body;
};

// One device of a user talking raw protocol. Each thread uses its own
// RawDevice (httplib::Client is not thread-safe); Connection() gives another
// connection with the same sign-in.
struct RawDevice {
  int port;
  std::string user;
  std::string device_id = NewUuid(DefaultEnv());
  std::string token;
  int64_t next_seq = 1;
  int64_t cursor = 0;

  RawDevice(const ServerProcess& server, std::string who) : port(server.port), user(std::move(who)) {
    httplib::Client c("127.0.0.1", port);
    token = LoginToken(c, user, device_id, user + "'s script " + device_id.substr(0, 4));
  }

  // `sites` new sites in workspace `ws`: two changes each (workspace_id, name).
  json NewSites(const std::string& ws, int sites, size_t name_bytes = 16) {
    json changes = json::array();
    for (int i = 0; i < sites; ++i) {
      const std::string id = NewUuid(DefaultEnv());
      const std::string name = "Drain " + std::to_string(next_seq) + std::string(name_bytes, 'x');
      AddNewSiteChanges(&changes, &next_seq, ws, id, name, user, "2026-12-06T09:00:00Z");
    }
    return changes;
  }

  std::string Body(const json& changes, int limit) const {
    json body = {{"protocol", 1},    {"device_id", device_id},
                 {"cursor", cursor}, {"device_time", "2026-12-06T09:00:00Z"},
                 {"limit", limit},   {"changes", changes}};
    return body.dump();
  }

  // Sends on `c`; no doctest here (called from worker threads).
  Answer Post(httplib::Client& c, const std::string& body) const {
    Answer a;
    httplib::Result r = PostSync(c, token, body);
    if (!r) return a;
    a.status = r->status;
    a.retry_after = r->get_header_value("Retry-After");
    a.body = json::parse(r->body, nullptr, false);
    return a;
  }

  std::unique_ptr<httplib::Client> Connection() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
    c->set_keep_alive(true);
    c->set_read_timeout(60, 0);
    c->set_write_timeout(60, 0);
    return c;
  }
};

// The answer is either 200 or 429 busy with Retry-After: 1; a 429 is sent
// again (after the second it asks for) until it is answered 200. Returns the 200.
Answer SendUntilDone(const RawDevice& d, httplib::Client& c, const std::string& body, const Answer& first,
                     int* busy_seen) {
  Answer a = first;
  for (int attempt = 0; attempt < 30 && a.status == 429; ++attempt) {
    ++*busy_seen;
    CHECK(a.body["error"]["code"] == "busy");
    CHECK(a.retry_after == "1");
    std::this_thread::sleep_for(std::chrono::seconds(1));
    a = d.Post(c, body);
  }
  REQUIRE_MESSAGE(a.status == 200, a.status << " " << a.body.dump());
  return a;
}

// `d1` sends `b1` on `k1` and `d2` sends `b2` on `k2`, both at the same
// moment; each is then sent again until done (SendUntilDone). The 200s.
std::pair<Answer, Answer> PostAtOnce(const RawDevice& d1, httplib::Client& k1, const std::string& b1,
                                     const RawDevice& d2, httplib::Client& k2, const std::string& b2,
                                     int* busy_seen) {
  Answer r1, r2;
  std::latch go(2);
  std::thread t1([&] {
    go.arrive_and_wait();
    r1 = d1.Post(k1, b1);
  });
  std::thread t2([&] {
    go.arrive_and_wait();
    r2 = d2.Post(k2, b2);
  });
  t1.join();
  t2.join();
  r1 = SendUntilDone(d1, k1, b1, r1, busy_seen);
  r2 = SendUntilDone(d2, k2, b2, r2, busy_seen);
  return {r1, r2};
}

// Every ack of `a` has `outcome`; the acks' seqs are those of `changes`.
void CheckAcks(const Answer& a, const json& changes, const std::string& outcome) {
  REQUIRE(a.body["acks"].size() == changes.size());
  CHECK(a.body["rejects"].empty());
  for (size_t i = 0; i < changes.size(); ++i) {
    CHECK(a.body["acks"][i]["seq"] == changes[i]["seq"]);
    CHECK(a.body["acks"][i]["outcome"] == outcome);
  }
}

TEST_CASE("fair gate: two syncs of one account at the same moment are both answered and apply everything once") {
  ServerProcess server(kServerPath, ServerProcess::NoWriteQuota());
  const std::string ws = server.workspace_id;
  RawDevice a1(server, "alice");
  RawDevice a2(server, "alice");  // the same account on a second tablet
  int busy_seen = 0;
  int64_t sites = 0;

  // Two devices of one account push at the same moment, several times over.
  for (int round = 0; round < 5; ++round) {
    const json c1 = a1.NewSites(ws, 1000);
    const json c2 = a2.NewSites(ws, 1000);
    sites += 2000;
    const std::string b1 = a1.Body(c1, 10), b2 = a2.Body(c2, 10);
    auto k1 = a1.Connection(), k2 = a2.Connection();
    const auto [r1, r2] = PostAtOnce(a1, *k1, b1, a2, *k2, b2, &busy_seen);
    CheckAcks(r1, c1, "applied");
    CheckAcks(r2, c2, "applied");
  }

  // One device sends the same changes twice at once (it gave up waiting for
  // the first answer): one applies them, the other is answered as a duplicate
  // with the same versions, or told busy and then answered as a duplicate.
  for (int round = 0; round < 3; ++round) {
    const json c = a1.NewSites(ws, 1000);
    sites += 1000;
    const std::string body = a1.Body(c, 10);
    auto k1 = a1.Connection(), k2 = a1.Connection();
    const auto [r1, r2] = PostAtOnce(a1, *k1, body, a1, *k2, body, &busy_seen);
    REQUIRE(r1.body["acks"].size() == c.size());
    REQUIRE(r2.body["acks"].size() == c.size());
    const bool first_applied = r1.body["acks"][0]["outcome"] == "applied";
    const Answer& applied = first_applied ? r1 : r2;
    const Answer& duplicate = first_applied ? r2 : r1;
    CheckAcks(applied, c, "applied");
    CheckAcks(duplicate, c, "duplicate");
    for (size_t i = 0; i < c.size(); ++i) CHECK(duplicate.body["acks"][i]["v"] == applied.body["acks"][i]["v"]);
  }
  // 429 busy is rare here: the second sync waits for the account's place for
  // up to 2 s, and a sync of 2000 changes takes far less (the heavy-writer
  // case below sees a few). Both outcomes are checked when they happen.
  MESSAGE("429 busy answers seen: " << busy_seen);

  // Every change is on the server exactly once.
  const std::string path = server.db_path();
  CHECK(Count(path, "changes WHERE device_id = '" + a1.device_id + "'") == a1.next_seq - 1);
  CHECK(Count(path, "changes WHERE device_id = '" + a2.device_id + "'") == a2.next_seq - 1);
  CHECK(Count(path, "records WHERE type = 'site'") == sites);
  CHECK(Count(path, "(SELECT DISTINCT version FROM changes WHERE device_id IN ('" + a1.device_id + "', '" +
                        a2.device_id + "'))") == 2 * sites);
}

TEST_CASE("fair gate: an account pushing big batches on six connections does not starve another account") {
  std::vector<std::string> args = ServerProcess::NoWriteQuota();
  args.insert(args.end(), {"--quota-user-bytes-per-day", "0", "--quota-workspace-bytes-per-day", "0"});
  ServerProcess server(kServerPath, args);
  // The heavy writer works in a workspace of its own, so the other account's
  // pulls stay small: what is measured is waiting, not receiving.
  std::string heavy_ws = server.Admin({"create-workspace", "Heavy", "--country", "TZ"});
  heavy_ws.erase(heavy_ws.find_last_not_of("\r\n ") + 1);
  server.Admin({"add-member", heavy_ws, "alice", "--role", "field_staff"});

  constexpr int kHeavyConnections = 6;
  std::vector<std::unique_ptr<RawDevice>> heavy;
  for (int i = 0; i < kHeavyConnections; ++i) heavy.push_back(std::make_unique<RawDevice>(server, "alice"));
  RawDevice light(server, "bob");

  std::mutex mu;
  std::vector<Clock::time_point> heavy_done;  // when each 200 of the heavy writer arrived
  std::vector<double> heavy_seconds;          // how long each 200 of the heavy writer took
  std::atomic<int> heavy_failed{0}, heavy_busy{0};
  std::atomic<bool> stop{false};
  std::latch started(kHeavyConnections);
  std::vector<std::thread> threads;
  for (int i = 0; i < kHeavyConnections; ++i) {
    threads.emplace_back([&, i] {
      RawDevice& d = *heavy[static_cast<size_t>(i)];
      auto c = d.Connection();
      bool first = true;
      while (!stop) {
        const std::string body = d.Body(d.NewSites(heavy_ws, 1500, 48), 10);
        for (;;) {
          if (first) {
            started.count_down();
            first = false;
          }
          const Clock::time_point t0 = Clock::now();
          Answer a = d.Post(*c, body);
          const Clock::time_point t1 = Clock::now();
          if (a.status == 429) {  // busy: another of its connections holds the place
            ++heavy_busy;
            if (stop) break;
            continue;
          }
          if (a.status != 200) {
            ++heavy_failed;
            break;
          }
          std::lock_guard<std::mutex> lock(mu);
          heavy_done.push_back(t1);
          heavy_seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
          break;
        }
      }
    });
  }
  started.wait();
  // Let the heavy writer get going: several of its requests have completed.
  for (int i = 0; i < 600; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (heavy_done.size() >= 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  struct LightSync {
    Clock::time_point start, end;
  };
  std::vector<LightSync> syncs;
  auto c = light.Connection();
  for (int i = 0; i < 15; ++i) {
    const json changes = light.NewSites(server.workspace_id, 1);
    const std::string body = light.Body(changes, 1000);
    LightSync s;
    s.start = Clock::now();
    Answer a = light.Post(*c, body);
    s.end = Clock::now();
    REQUIRE_MESSAGE(a.status == 200, a.status << " " << a.body.dump());  // never busy, never refused
    CheckAcks(a, changes, "applied");
    light.cursor = a.body["cursor"].get<int64_t>();
    syncs.push_back(s);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  CHECK(heavy_failed == 0);
  REQUIRE(heavy_seconds.size() >= 5);  // the heavy writer really ran alongside

  // While one of the light account's syncs was in flight, how many of the
  // heavy writer's requests completed? With the gate: at most the one holding
  // the storage when it arrived (the light sync's ticket comes before those of
  // the heavy requests still being parsed), rarely one whose answer was still
  // on its way; measured: 0 in all 15. With the gate taken out (tried by hand),
  // the six connections queue for the storage lock together with it, again
  // and again: up to 5-6 during one sync and about 40 during the 15.
  int most_overtaken = 0;
  int total_overtaken = 0;
  double light_max = 0;
  for (const LightSync& s : syncs) {
    const auto n = std::count_if(heavy_done.begin(), heavy_done.end(),
                                 [&](Clock::time_point t) { return t > s.start && t < s.end; });
    most_overtaken = std::max(most_overtaken, static_cast<int>(n));
    total_overtaken += static_cast<int>(n);
    light_max = std::max(light_max, std::chrono::duration<double>(s.end - s.start).count());
  }
  const double heavy_max = *std::max_element(heavy_seconds.begin(), heavy_seconds.end());
  MESSAGE("heavy requests: " << heavy_seconds.size() << " (429 busy: " << heavy_busy.load() << "), longest "
                             << heavy_max << " s; light syncs: longest " << light_max << " s, at most "
                             << most_overtaken << " heavy requests completed during one, " << total_overtaken
                             << " during all " << syncs.size());
  CHECK(most_overtaken <= 2);
  CHECK(total_overtaken <= static_cast<int>(syncs.size()));
  // A generous bound on the wait itself: about one heavy request (measured:
  // 0.15 s against 1.2-1.6 s for the heavy writer's longest).
  CHECK(light_max < heavy_max + 1.0);
}

}  // namespace
}  // namespace ccfield::security_test
