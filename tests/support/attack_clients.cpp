#include "support/attack_clients.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace ccfield::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Whether the other side closed `fd` (or answered: an answer to a request we
// never finished is the server giving up on it).
bool PeerClosed(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

// The status of the HTTP answer on `fd` within `timeout_ms`; 0 when none came.
int ReadStatus(int fd, int timeout_ms) {
  std::string got;
  const auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (got.find("\r\n") == std::string::npos && Clock::now() < end) {
    pollfd p{fd, POLLIN, 50};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  if (got.rfind("HTTP/1.", 0) != 0 || got.size() < 12) return 0;
  return std::atoi(got.c_str() + 9);
}

enum class Kind { kSlowHeader, kSlowBody, kIdle };

struct Conn {
  Kind kind;
  std::string source;
  int fd = -1;
  size_t sent = 0;
};

const std::string kSlowHeaderText =
    "POST /v1/login HTTP/1.1\r\nHost: ccfield\r\nContent-Type: application/json\r\n"
    "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
const std::string kSlowBodyHeader =
    "POST /v1/login HTTP/1.1\r\nHost: ccfield\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
const std::string kIdleRequest = "GET /v1/status HTTP/1.1\r\nHost: ccfield\r\n\r\n";

}  // namespace

int ConnectFrom(const std::string& source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
    close(fd);
    return -1;
  }
  // A server whose accept queue is full leaves connect() waiting for
  // seconds: give up after one, as an impatient client would.
  const int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    rc = (poll(&p, 1, 1000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) ? 0 : -1;
  }
  if (rc != 0) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, flags);
  return fd;
}

int HttpStatusFrom(const std::string& source, int port, const std::string& request) {
  int fd = ConnectFrom(source, port);
  if (fd < 0) return 0;
  const int status = SendAll(fd, request.data(), request.size()) ? ReadStatus(fd, 5000) : 0;
  close(fd);
  return status;
}

Attack::Attack(int port, AttackPlan plan) : port_(port), plan_(plan) {}

Attack::~Attack() { Stop(); }

std::string Attack::Source(int index) const { return "127.0.0." + std::to_string(plan_.first_source + index / 8); }

void Attack::Start() {
  stop_ = false;
  threads_.emplace_back([this] { SlowLoop(); });
  for (int k = 0; k < plan_.big_header; ++k) threads_.emplace_back([this, k] { BigHeaderLoop(k); });
}

AttackCounts Attack::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  return AttackCounts{.slow_cut = slow_cut_, .big_header_answers = big_answers_, .big_header_refused = big_refused_,
                      .big_header_accepted = big_accepted_, .big_header_reset = big_reset_,
                      .idle_reopened = idle_reopened_, .connect_failed = connect_failed_};
}

// One thread for all slow and idle connections: like the real attack, they
// cost the attacker almost nothing.
void Attack::SlowLoop() {
  std::vector<Conn> conns;
  int index = 0;
  auto add = [&](Kind kind, int n) {
    for (int i = 0; i < n; ++i) conns.push_back({kind, Source(index++), -1, 0});
  };
  add(Kind::kSlowHeader, plan_.slow_header);
  add(Kind::kSlowBody, plan_.slow_body);
  add(Kind::kIdle, plan_.idle_keep_alive);
  while (!stop_) {
    const auto next = Clock::now() + std::chrono::milliseconds(plan_.tick_ms);
    for (Conn& c : conns) {
      if (c.fd >= 0 && PeerClosed(c.fd)) {
        (c.kind == Kind::kIdle ? idle_reopened_ : slow_cut_) += 1;
        close(c.fd);
        c.fd = -1;
      }
      if (c.fd < 0) {
        c.fd = ConnectFrom(c.source, port_);
        c.sent = 0;
        if (c.fd < 0) {
          ++connect_failed_;
          continue;
        }
        bool ok = true;
        if (c.kind == Kind::kSlowBody) ok = SendAll(c.fd, kSlowBodyHeader.data(), kSlowBodyHeader.size());
        if (c.kind == Kind::kIdle) {
          ok = SendAll(c.fd, kIdleRequest.data(), kIdleRequest.size()) && ReadStatus(c.fd, 100) != 0;
        }
        if (!ok) {
          close(c.fd);
          c.fd = -1;
        }
        continue;
      }
      // One byte per tick: the header never ends, the body never completes.
      if (c.kind == Kind::kSlowHeader) {
        const char ch = kSlowHeaderText[c.sent++ % kSlowHeaderText.size()];
        SendAll(c.fd, &ch, 1);
      } else if (c.kind == Kind::kSlowBody) {
        SendAll(c.fd, "x", 1);
      }
    }
    while (!stop_ && Clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (Conn& c : conns) {
    if (c.fd >= 0) close(c.fd);
  }
}

// ~17 MiB of "X-N: v" fields, then the end of the header; the answer is read.
void Attack::BigHeaderLoop(int k) {
  const std::string source = "127.0.0." + std::to_string(plan_.first_source + 40 + k);
  std::string chunk = "POST /v1/login HTTP/1.1\r\nHost: ccfield\r\n";
  const std::string field = "X-Fill: 0123456789\r\n";
  std::string block;
  while (block.size() < (64u << 10)) block += field;
  while (!stop_) {
    int fd = ConnectFrom(source, port_);
    if (fd < 0) {
      ++connect_failed_;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    timeval tv{2, 0};  // a front that stops reading must not hang us
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    bool sent = SendAll(fd, chunk.data(), chunk.size());
    for (size_t total = 0; sent && total < plan_.big_header_bytes && !stop_; total += block.size()) {
      sent = SendAll(fd, block.data(), block.size());
    }
    if (sent) sent = SendAll(fd, "Content-Length: 2\r\n\r\n{}", 23);
    const int status = stop_ ? 0 : ReadStatus(fd, 3000);
    close(fd);
    if (stop_) break;
    if (status == 0) {
      ++big_reset_;
    } else {
      ++big_answers_;
      if (status == 400 || status == 413 || status == 431 || status == 494) ++big_refused_;
      if (status >= 200 && status < 300) ++big_accepted_;
    }
  }
}

}  // namespace ccfield::testing
