// Issue 10, finding 4: anyone could lock everyone out. Five wrong passwords
// locked the user name for up to an hour, the right password included, and
// 16 parallel guessers got 8 tries per lock. Now failures slow guessing down
// (an exponential delay, 429 with Retry-After), the count is atomic under
// concurrency, and a device the user signed in on before is counted on its
// own key, so a stranger guessing never keeps the owner out on their tablet.
// Real ccfield-server, real HTTP on loopback.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "ccfield/core/uuid.h"
#include "ccfield/platform/env.h"
#include "support/raw_db.h"
#include "support/security_fixture.h"
#include "support/server_process.h"

namespace ccfield::security_test {
namespace {

// A first delay far longer than the test, so that no answer depends on timing.
void StartWithLongDelay(ServerProcess& server) {
  server.Kill();
  server.serve_args = {"--login-first-delay-s", "600"};
  server.Start();
}

httplib::Result Login(int port, const std::string& user, const std::string& password, const std::string& device,
                      const std::string& secret = "") {
  httplib::Client c("127.0.0.1", port);
  return PostLogin(c, user, password, device, "tablet", secret);
}

TEST_CASE("throttle: 16 parallel guessers get at most 5 password checks, then 429 with Retry-After") {
  ServerProcess server(kServerPath);
  StartWithLongDelay(server);
  std::atomic<int> unauthorized{0}, throttled{0}, other{0}, retry_after_ok{0};
  std::vector<std::thread> guessers;
  std::mutex mu;
  std::vector<std::string> others;  // unexpected answers, shown when the check fails
  for (int i = 0; i < 16; ++i) {
    guessers.emplace_back([&, i] {
      httplib::Result r = Login(server.port, "alice", "guess-" + std::to_string(i), NewUuid(DefaultEnv()));
      // A connection cut before any answer (a busy loopback under a parallel
      // test run) is tried again: it is the answers that are counted.
      for (int retry = 0; retry < 3 && !r; ++retry) {
        r = Login(server.port, "alice", "guess-" + std::to_string(i), NewUuid(DefaultEnv()));
      }
      if (r && r->status == 401) {
        ++unauthorized;
      } else if (r && r->status == 429) {
        ++throttled;
        const std::string s = r->get_header_value("Retry-After");  // what is left of the 600 s
        if (!s.empty() && std::stoi(s) > 0 && std::stoi(s) <= 600) ++retry_after_ok;
      } else {
        ++other;
        std::lock_guard<std::mutex> lock(mu);
        others.push_back(r ? std::to_string(r->status) + " " + r->body : "no answer: " + httplib::to_string(r.error()));
      }
    });
  }
  for (std::thread& t : guessers) t.join();
  for (const std::string& o : others) CAPTURE(o);
  CHECK_MESSAGE(other == 0, (others.empty() ? "" : others[0]));
  CHECK(unauthorized >= 1);
  CHECK(unauthorized <= 5);  // the free failures; never more, however many run at once
  CHECK(throttled == 16 - unauthorized);
  CHECK(retry_after_ok == throttled);
  {
    // The server's own count of password checks for the name: the same bound.
    auto db = testing::OpenRawDb(server.db_path());
    sql::Stmt q = testing::Unwrap(db->Prepare("SELECT failures FROM login_throttle WHERE key = 'user:alice'"));
    REQUIRE(testing::Unwrap(q.Step()));
    CHECK(q.Int(0) <= 5);
    CHECK(q.Int(0) >= unauthorized);
  }
  // The delay holds for the right password from a new device too.
  httplib::Result right = Login(server.port, "alice", ServerProcess::Password("alice"), NewUuid(DefaultEnv()));
  REQUIRE(right);
  CHECK(right->status == 429);
  // Another user is not affected.
  httplib::Result bob = Login(server.port, "bob", ServerProcess::Password("bob"), NewUuid(DefaultEnv()));
  REQUIRE(bob);
  CHECK(bob->status == 200);
}

TEST_CASE("throttle: a stranger guessing alice's password never keeps her out on her own tablet") {
  ServerProcess server(kServerPath);
  StartWithLongDelay(server);
  const std::string tablet = NewUuid(DefaultEnv());
  httplib::Result first = Login(server.port, "alice", ServerProcess::Password("alice"), tablet);
  REQUIRE(first);
  REQUIRE(first->status == 200);
  const std::string secret = json::parse(first->body).value("device_secret", "");
  REQUIRE_FALSE(secret.empty());

  int answered_429 = 0;
  for (int i = 0; i < 10; ++i) {
    httplib::Result r = Login(server.port, "alice", "guess-" + std::to_string(i), NewUuid(DefaultEnv()));
    REQUIRE(r);
    if (r->status == 429) ++answered_429;
  }
  CHECK(answered_429 == 5);
  // Alice on her own tablet (it presents its device secret) gets in at once.
  httplib::Result own = Login(server.port, "alice", ServerProcess::Password("alice"), tablet, secret);
  REQUIRE(own);
  CHECK(own->status == 200);
  // A device id without its secret is no device cookie: still slowed down.
  httplib::Result forged = Login(server.port, "alice", ServerProcess::Password("alice"), NewUuid(DefaultEnv()), secret);
  REQUIRE(forged);
  CHECK(forged->status == 429);
}

}  // namespace
}  // namespace ccfield::security_test
