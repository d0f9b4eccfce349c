// Issue 10, finding 3: eight slow connections stopped the server. Clients
// trickling a header or body byte every few seconds held every worker
// thread; 17 MiB of header fields took 400 MB per connection; every idle
// kept-alive connection of the app held a worker for 5 s. Now the server
// sits behind the nginx front (scripts/front.sh, deploy/nginx), which holds
// such connections in its event loop, cuts a header that is not complete
// within its deadline, refuses oversized headers and hands the server only
// complete requests. And finding 4 (address half): behind that front every
// client shares the proxy's address, so the server takes the client address
// from X-Forwarded-For, but only when the TCP peer is a trusted proxy.
// Real ccfield-server, real nginx, real HTTP on loopback.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "ccfield/sync/client.h"
#include "support/attack_clients.h"
#include "support/front_process.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

constexpr const char* kFrontScript = FRONT_SCRIPT_PATH;

// The options of a front before `server`: the script's defaults, or the given
// client timeout and limit of requests in progress per address.
testing::FrontOptions FrontBefore(const ServerProcess& server) {
  testing::FrontOptions fo;
  fo.upstream_port = server.port;
  return fo;
}
testing::FrontOptions FrontBefore(const ServerProcess& server, int timeout_s, int limit_conn) {
  testing::FrontOptions fo = FrontBefore(server);
  fo.timeout_s = timeout_s;
  fo.limit_conn = limit_conn;
  return fo;
}

// A server that believes the front's X-Forwarded-For, and the front before it.
void TrustLoopbackProxy(ServerProcess& server, std::vector<std::string> more = {}) {
  server.Kill();
  server.serve_args = {"--trusted-proxy", "127.0.0.1"};
  server.serve_args.insert(server.serve_args.end(), more.begin(), more.end());
  server.Start();
}

std::string LoginRequest(const std::string& user, const std::string& password, const std::string& forwarded_for) {
  const std::string body = json{{"username", user},
                                {"password", password},
                                {"device_id", NewUuid(DefaultEnv())},
                                {"device_name", "laptop"}}
                               .dump();
  std::string r = "POST /v1/login HTTP/1.1\r\nHost: ccfield\r\nContent-Type: application/json\r\nConnection: close\r\n";
  if (!forwarded_for.empty()) r += "X-Forwarded-For: " + forwarded_for + "\r\n";
  return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Wrong passwords for ever new user names from `source` until the address
// is throttled (429); the number of attempts it took, or -1 if it never was.
int GuessUntilThrottled(const std::string& source, int port, const std::string& forged_prefix) {
  for (int i = 0; i < 200; ++i) {
    const std::string forged = forged_prefix.empty() ? "" : forged_prefix + std::to_string(i % 250 + 1);
    const int status = testing::HttpStatusFrom(source, port, LoginRequest("nobody" + std::to_string(i), "guess", forged));
    REQUIRE_MESSAGE((status == 401 || status == 429), "attempt " << i << " answered " << status);
    if (status == 429) return i + 1;
  }
  return -1;
}

TEST_CASE("attack: slow, oversized and idle connections through the front do not stop syncing") {
  ServerProcess server(kServerPath);
  TrustLoopbackProxy(server);
  testing::FrontProcess front(kFrontScript, FrontBefore(server, 2, 16));
  REQUIRE_MESSAGE(front.ok(), front.error());

  // 64 header tricklers, 8 body tricklers, 8 senders of 17 MiB headers and
  // 50 idle kept-alive connections, from 17 attacker addresses.
  testing::Attack attack(front.port(), testing::AttackPlan{});
  attack.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let them all connect

  // Two people keep working and syncing through the front meanwhile.
  testing::TempDir alice_dir, bob_dir;
  auto alice = Unwrap(sync::SyncClient::Open(DefaultEnv(), alice_dir.File("ccfield.db")));
  auto bob = Unwrap(sync::SyncClient::Open(DefaultEnv(), bob_dir.File("ccfield.db")));
  REQUIRE_OK(alice->Login(front.url(), "alice", ServerProcess::Password("alice"), "tablet A"));
  REQUIRE_OK(bob->Login(front.url(), "bob", ServerProcess::Password("bob"), "tablet B"));
  REQUIRE_OK(alice->SyncNow());  // brings the workspace to the tablet
  auto alice_store = testing::OpenStore(DefaultEnv(), alice_dir.File("ccfield.db"));
  std::vector<std::string> sites;
  int64_t server_rss_kb = 0, front_rss_kb = 0;
  // Long enough for the 2 s header deadline to cut the tricklers more than once.
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(3000);
  for (int round = 0; round < 6 || std::chrono::steady_clock::now() < end; ++round) {
    sites.push_back(NewUuid(DefaultEnv()));
    REQUIRE_OK(alice_store->Commit({SetFields{RecordType::kSite, sites.back(),
                                              {{"workspace_id", server.workspace_id},
                                               {"name", "Drain " + std::to_string(round)}}}}));
    REQUIRE_OK(alice->SyncNow());
    REQUIRE_OK(bob->SyncNow());
    server_rss_kb = std::max(server_rss_kb, testing::ProcessRssKb(server.pid()));
    front_rss_kb = std::max(front_rss_kb, front.RssKb());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  testing::AttackCounts counts = attack.Stop();
  INFO("slow cut ", counts.slow_cut, ", big-header refused ", counts.big_header_refused, " of ",
       counts.big_header_answers, " answers, reset ", counts.big_header_reset, ", idle reopened ",
       counts.idle_reopened, ", connect failed ", counts.connect_failed, ", server RSS ", server_rss_kb,
       " KiB, front RSS ", front_rss_kb, " KiB");

  // Everything Alice sent reached Bob, and nothing waits.
  REQUIRE_OK(bob->SyncNow());
  auto bob_store = testing::OpenStore(DefaultEnv(), bob_dir.File("ccfield.db"));
  for (const std::string& id : sites) CHECK_OK(bob_store->Get(RecordType::kSite, id));
  CHECK(Unwrap(alice_store->replica().CountChangeStates()).waiting == 0);
  // The front cut the tricklers at the header deadline, refused every
  // oversized header and never passed one on.
  CHECK(counts.slow_cut >= 64);
  CHECK(counts.big_header_refused > 0);
  CHECK(counts.big_header_accepted == 0);
  // Memory stays bounded (17 MiB of headers used to cost the server 400 MB).
  CHECK(server_rss_kb > 0);
  CHECK(server_rss_kb < 200 * 1024);
  CHECK(front_rss_kb < 200 * 1024);
}

TEST_CASE("attack: one address gets only limit-conn requests in progress at the front") {
  ServerProcess server(kServerPath);
  testing::FrontProcess front(kFrontScript, FrontBefore(server, 5, 4));
  REQUIRE_MESSAGE(front.ok(), front.error());
  // Bodies that never complete: each is a request in progress at the front.
  const std::string header =
      "POST /v1/login HTTP/1.1\r\nHost: ccfield\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
  std::vector<int> fds;
  for (int i = 0; i < 4; ++i) {
    int fd = testing::ConnectFrom("127.0.0.60", front.port());
    REQUIRE(fd >= 0);
    REQUIRE(send(fd, header.data(), header.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(header.size()));
    fds.push_back(fd);
  }
  // The fifth from that address is refused at once; another address is not.
  CHECK(testing::HttpStatusFrom("127.0.0.60", front.port(), header) == 429);
  CHECK(testing::HttpStatusFrom("127.0.0.61", front.port(), "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n") == 200);
  for (int fd : fds) close(fd);
}

TEST_CASE("attack: a forged X-Forwarded-For counts only when a trusted proxy sent it") {
  ServerProcess server(kServerPath);
  // A long first delay, so that "still throttled" does not depend on how fast this test runs.
  TrustLoopbackProxy(server, {"--login-first-delay-s", "60"});
  testing::FrontProcess front(kFrontScript, FrontBefore(server));
  REQUIRE_MESSAGE(front.ok(), front.error());

  SUBCASE("directly: the header is ignored, failures count against the TCP peer") {
    // Every guess claims another address; all of them are counted against 127.0.0.20.
    REQUIRE(GuessUntilThrottled("127.0.0.20", server.port, "198.51.100.") > 0);
    CHECK(testing::HttpStatusFrom("127.0.0.20", server.port,
                                  LoginRequest("alice", ServerProcess::Password("alice"), "203.0.113.9")) == 429);
    CHECK(testing::HttpStatusFrom("127.0.0.21", server.port,
                                  LoginRequest("alice", ServerProcess::Password("alice"), "")) == 200);
  }
  SUBCASE("through the front: failures count against the address the front saw") {
    // The front overwrites the forged header with the real peer, 127.0.0.30.
    REQUIRE(GuessUntilThrottled("127.0.0.30", front.port(), "127.0.0.") > 0);
    CHECK(testing::HttpStatusFrom("127.0.0.30", front.port(),
                                  LoginRequest("bob", ServerProcess::Password("bob"), "127.0.0.31")) == 429);
    // Alice at another address is not kept out by the attacker behind the same front.
    CHECK(testing::HttpStatusFrom("127.0.0.31", front.port(),
                                  LoginRequest("alice", ServerProcess::Password("alice"), "")) == 200);
  }
}

}  // namespace
}  // namespace ccfield::security_test
