// The request count as the wire sees it (issue 14): libcurl silently sends a
// request again on a new connection when a kept-alive one turns out closed
// by the server after it read the request; CurlTransport counts both
// (HttpResult::wire_requests) and SyncReport::requests adds them up. Against
// a real loopback HTTP/1.1 server on a raw socket that closes connections
// the way a keep-alive timeout does.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ccfield/sync/client.h"
#include "ccfield/sync/transport.h"
#include "support/status_checks.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::sync {
namespace {

using ccfield::testing::Unwrap;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Answers each request with `answer(n)` (n: requests answered so far) and
// keeps the connection, except when `close_instead(index on the connection,
// ms the connection sat idle)` says so: then it reads the request and closes
// the connection without an answer, as a server whose keep-alive timer fires
// just as the request arrives. One connection at a time.
class ClosingServer {
 public:
  using CloseRule = std::function<bool(int index, int64_t idle_ms)>;
  ClosingServer(CloseRule close_instead, std::function<std::string(int)> answer)
      : close_instead_(std::move(close_instead)), answer_(std::move(answer)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(listen_fd_, 8) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~ClosingServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests_read() const { return read_.load(); }
  int connections() const { return connections_.load(); }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  // Waits up to 100 ms for `fd` to be readable.
  static bool Readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 100) > 0;
  }

  void Run() {
    while (!stop_) {
      if (!Readable(listen_fd_)) continue;
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      Serve(fd);
      close(fd);
    }
  }

  // One connection, until the client closes it or the rule does.
  void Serve(int fd) {
    Clock::time_point idle_since = Clock::now();
    for (int index = 0; !stop_; ++index) {
      std::string body;
      if (!ReadRequest(fd, &body)) return;
      ++read_;
      const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - idle_since).count();
      if (close_instead_(index, idle)) {
        shutdown(fd, SHUT_RDWR);  // read whole: a clean close, no reset
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        bodies_.push_back(body);
      }
      const std::string content = answer_(answered_++);
      const std::string out =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(content.size()) +
          "\r\n\r\n" + content;
      if (send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) return;
      idle_since = Clock::now();
    }
  }

  // Reads one request (head and Content-Length body); false at the end of the connection.
  bool ReadRequest(int fd, std::string* body) {
    std::string in;
    size_t head_end = std::string::npos, need = 0;
    while (true) {
      if (head_end == std::string::npos && (head_end = in.find("\r\n\r\n")) != std::string::npos) {
        const size_t at = in.find("Content-Length: ");
        need = at < head_end ? std::stoul(in.substr(at + 16)) : 0;
      }
      if (head_end != std::string::npos && in.size() >= head_end + 4 + need) {
        *body = in.substr(head_end + 4, need);
        return true;
      }
      if (stop_) return false;
      if (!Readable(fd)) continue;
      char buf[4096];
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
    }
  }

  CloseRule close_instead_;
  std::function<std::string(int)> answer_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> read_{0}, connections_{0};
  int answered_ = 0;  // the server thread's
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

std::string NoOpAnswer(int cursor, bool more) {
  return json{{"protocol", 1},
              {"server_time", "2026-11-26T16:40:00.000Z"},
              {"acks", json::array()},
              {"rejects", json::array()},
              {"changes", json::array()},
              {"conflicts", json::array()},
              {"cursor", cursor},
              {"more", more}}
      .dump();
}

TEST_CASE("wire requests: a request re-sent after the server's keep-alive ran out counts twice") {
  // Keep-alive 700 ms: a request on a connection idle longer is read and the
  // connection closed unanswered.
  ClosingServer server([](int index, int64_t idle_ms) { return index > 0 && idle_ms > 700; },
                       [](int) { return std::string("{}"); });
  FakeEnv env("/nonexistent");
  TransportConfig config;
  config.base_url = server.url();
  config.env = &env;
  auto transport = Unwrap(CurlTransport::Create(config));

  HttpResult first = Unwrap(transport->Post("/v1/sync", "{}", ""));
  CHECK(first.status == 200);
  CHECK(first.wire_requests == 1);
  HttpResult kept = Unwrap(transport->Post("/v1/sync", "{}", ""));  // at once: the same connection
  CHECK(kept.status == 200);
  CHECK(kept.wire_requests == 1);
  CHECK(server.connections() == 1);

  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past the keep-alive
  HttpResult retried = Unwrap(transport->Post("/v1/sync", "{}", ""));
  CHECK(retried.status == 200);
  CHECK(retried.wire_requests == 2);  // libcurl said nothing; the wire saw two
  CHECK(server.requests_read() == 4);
  CHECK(server.connections() == 2);
}

TEST_CASE("wire requests: a sync's report counts the re-sent request of a paged pull, and asks for pages by bytes") {
  // The second request of the cycle meets a connection the server closes
  // (its keep-alive fired as the request came in).
  ClosingServer server([](int index, int64_t) { return index == 1; }, [](int n) { return NoOpAnswer(n + 1, n == 0); });
  FakeEnv env("/nonexistent");
  testing::TempDir dir;
  const std::string path = dir.File("ccfield.db");
  {
    std::unique_ptr<Store> store = testing::OpenStore(&env, path);
    SyncSettings s;
    s.server_url = server.url();
    s.username = "alice";
    s.token = "t0k";
    REQUIRE_OK(store->replica().SaveSyncSettings(s));
  }
  SyncClientOptions o;
  o.photos = false;
  auto client = Unwrap(SyncClient::Open(&env, path, o));
  SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.requests == 3);  // page 1, page 2 sent into the closing connection, page 2 again
  CHECK(server.requests_read() == 3);
  CHECK(server.connections() == 2);
  const std::vector<std::string> bodies = server.bodies();
  REQUIRE(bodies.size() == 2);
  // The fake clock stands still: the first page, full ("more"), came fast.
  const int64_t budgets[] = {PageBudget::kStart, 2 * PageBudget::kStart};
  for (size_t i = 0; i < bodies.size(); ++i) {
    const json j = json::parse(bodies[i]);
    CHECK(j["page_bytes"] == budgets[i]);
    CHECK_FALSE(j.contains("limit"));  // no item cap: an older server pages by its default
  }
}

}  // namespace
}  // namespace ccfield::sync
