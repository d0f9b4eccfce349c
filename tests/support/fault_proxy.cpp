#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace ccfield::testing {

namespace {

void SleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// Closes with RST so the peer sees a broken link, not a clean end.
void Abort(int fd) {
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

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
}

ProxyFaults FaultProxy::faults() {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_;
}

void FaultProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    int64_t index = connections_++;
    std::lock_guard<std::mutex> lock(mu_);
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
  int64_t sent[2] = {0, 0};  // [0] up (client->server), [1] down
  char buf[16384];
  while (!stop_) {
    ProxyFaults f = faults();
    if (f.stall) {
      SleepMs(10);
      continue;
    }
    pollfd fds[2] = {{client_fd, POLLIN, 0}, {server_fd, POLLIN, 0}};
    if (poll(fds, 2, 50) <= 0) continue;
    bool closed = false;
    for (int dir = 0; dir < 2 && !closed; ++dir) {
      if (!(fds[dir].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int from = dir == 0 ? client_fd : server_fd, to = dir == 0 ? server_fd : client_fd;
      const bool cut_applies = f.cut_connections < 0 || index < f.cut_connections;
      int64_t cut = cut_applies ? (dir == 0 ? f.cut_up_after : f.cut_down_after) : -1;
      size_t want = sizeof buf;
      if (cut >= 0) want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(want), cut - sent[dir]));
      if (f.bytes_per_second > 0) want = std::min<size_t>(want, static_cast<size_t>(std::max<int64_t>(1, f.bytes_per_second / 20)));
      if (cut >= 0 && sent[dir] >= cut) {
        ++cuts_;
        closed = true;
        break;
      }
      ssize_t n = recv(from, buf, want, 0);
      if (n <= 0) {
        closed = true;
        break;
      }
      SleepMs(f.latency_ms);
      if (f.bytes_per_second > 0) SleepMs(n * 1000 / f.bytes_per_second);
      ssize_t off = 0;
      while (off < n) {
        ssize_t w = send(to, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
        if (w <= 0) {
          closed = true;
          break;
        }
        off += w;
      }
      sent[dir] += n;
      (dir == 0 ? bytes_up_ : bytes_down_) += n;
      if (cut >= 0 && sent[dir] >= cut) {
        ++cuts_;
        closed = true;
      }
    }
    if (closed) break;
  }
  Abort(client_fd);
  Abort(server_fd);
}

}  // namespace ccfield::testing
