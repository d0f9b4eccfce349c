#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>

namespace ccfield::testing {

namespace {

using Clock = std::chrono::steady_clock;

// Read-ahead bound per direction: past it the proxy stops reading that side.
constexpr size_t kMaxQueuedBytes = 4u << 20;

void SleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// Closes with RST so the peer sees a broken link, not a clean end.
void Abort(int fd) {
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Bytes read from one side, to be forwarded to the other at `due`.
struct Chunk {
  Clock::time_point due;
  std::string data;
  size_t off = 0;  // forwarded so far
};

// One direction of a connection.
struct Direction {
  int from = -1, to = -1;
  std::deque<Chunk> queue;
  size_t queued = 0;     // bytes in queue not yet forwarded
  int64_t forwarded = 0;
  bool eof = false;      // `from` ended cleanly
  Clock::time_point next_send{};  // bandwidth cap: when the next bytes may go
};

}  // namespace

FaultProxy::FaultProxy(int target_port) : target_port_(target_port) {}

FaultProxy::~FaultProxy() { Stop(); }

bool FaultProxy::Start() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) return false;
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 64) != 0) {
    return false;
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return true;
}

void FaultProxy::Stop() {
  if (stop_.exchange(true)) return;
  if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  listen_fd_ = -1;
  std::vector<std::thread> pumps;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pumps.swap(pumps_);
  }
  for (std::thread& t : pumps) t.join();
}

void FaultProxy::SetFaults(const ProxyFaults& f) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_ = f;
  first_connection_ = connections_;
}

ProxyFaults FaultProxy::faults() {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_;
}

FaultProxy::Snapshot FaultProxy::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  return {faults_, first_connection_};
}

void FaultProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    // Counted under mu_ so that SetFaults sees either before or after it.
    const int64_t index = connections_++;
    pumps_.emplace_back([this, fd, index] { Pump(fd, index); });
  }
}

void FaultProxy::Pump(int client_fd, int64_t index) {
  int server_fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(target_port_));
  if (server_fd < 0 || connect(server_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Abort(client_fd);
    if (server_fd >= 0) close(server_fd);
    return;
  }
  Direction dirs[2];  // [0] up (client->server), [1] down
  dirs[0].from = dirs[1].to = client_fd;
  dirs[0].to = dirs[1].from = server_fd;
  enum class End { kNone, kClean, kCut };
  End end = End::kNone;
  char buf[16384];
  while (!stop_ && end == End::kNone) {
    const Snapshot s = Current();
    const ProxyFaults& f = s.faults;
    if (f.stall) {
      SleepMs(10);
      continue;
    }
    const bool cut_applies =
        f.cut_connections < 0 || (index >= s.first_connection && index - s.first_connection < f.cut_connections);
    Clock::time_point now = Clock::now();
    Clock::time_point wake = now + std::chrono::milliseconds(50);  // re-read the faults at least this often

    // Forward what is due, as far as the bandwidth and the cut allow.
    for (int d = 0; d < 2 && end == End::kNone; ++d) {
      Direction& dir = dirs[d];
      const int64_t cut = cut_applies ? (d == 0 ? f.cut_up_after : f.cut_down_after) : -1;
      while (!dir.queue.empty()) {
        if (cut >= 0 && dir.forwarded >= cut) {
          end = End::kCut;
          break;
        }
        Chunk& c = dir.queue.front();
        if (c.due > now) {
          wake = std::min(wake, c.due);
          break;
        }
        if (f.bytes_per_second > 0 && dir.next_send > now) {
          wake = std::min(wake, dir.next_send);
          break;
        }
        size_t n = c.data.size() - c.off;
        if (cut >= 0) n = std::min<size_t>(n, static_cast<size_t>(cut - dir.forwarded));
        if (f.bytes_per_second > 0) n = std::min<size_t>(n, static_cast<size_t>(std::max<int64_t>(1, f.bytes_per_second / 20)));
        if (!SendAll(dir.to, c.data.data() + c.off, n)) {
          end = End::kCut;  // the other side is gone: reset this one too
          break;
        }
        c.off += n;
        dir.queued -= n;
        dir.forwarded += static_cast<int64_t>(n);
        (d == 0 ? bytes_up_ : bytes_down_) += static_cast<int64_t>(n);
        if (c.off == c.data.size()) dir.queue.pop_front();
        if (f.bytes_per_second > 0) {
          dir.next_send = std::max(dir.next_send, now) +
                          std::chrono::microseconds(static_cast<int64_t>(n) * 1'000'000 / f.bytes_per_second);
        }
        if (cut >= 0 && dir.forwarded >= cut) {
          end = End::kCut;
          break;
        }
        now = Clock::now();
      }
      if (end == End::kCut && cut >= 0 && dir.forwarded >= cut) ++cuts_;
      if (end == End::kNone && dir.eof && dir.queue.empty()) end = End::kClean;
    }
    if (end != End::kNone) break;

    // Read whatever has arrived on either side.
    pollfd fds[2];
    for (int d = 0; d < 2; ++d) {
      const bool want = !dirs[d].eof && dirs[d].queued < kMaxQueuedBytes;
      fds[d] = {dirs[d].from, static_cast<short>(want ? POLLIN : 0), 0};
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count() + 1;
    if (poll(fds, 2, static_cast<int>(std::max<int64_t>(0, wait))) <= 0) continue;
    now = Clock::now();
    for (int d = 0; d < 2 && end == End::kNone; ++d) {
      Direction& dir = dirs[d];
      if (dir.eof || !(fds[d].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = recv(dir.from, buf, sizeof buf, 0);
      if (n > 0) {
        dir.queue.push_back({now + std::chrono::milliseconds(f.latency_ms), std::string(buf, static_cast<size_t>(n))});
        dir.queued += static_cast<size_t>(n);
      } else if (n == 0) {
        dir.eof = true;
      } else if (errno != EINTR && errno != EAGAIN) {
        end = End::kCut;  // reset by the peer: pass the reset on
      }
    }
  }
  if (end == End::kClean) {
    close(client_fd);
    close(server_fd);
  } else {
    Abort(client_fd);
    Abort(server_fd);
  }
}

}  // namespace ccfield::testing
