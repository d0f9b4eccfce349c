#pragma once
// A TCP proxy on loopback that misbehaves on purpose, for sync tests: added
// latency, a bandwidth cap, cutting a connection after N bytes in either
// direction, and stalling (holding data without closing). Faults can change
// while connections are open. Only ever listens on and connects to 127.0.0.1.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ccfield::testing {

struct ProxyFaults {
  int latency_ms = 0;               // added before forwarding each chunk
  int64_t bytes_per_second = 0;     // 0: unlimited
  int64_t cut_up_after = -1;        // close a connection after this many client->server bytes (-1: never)
  int64_t cut_down_after = -1;      // same for server->client
  bool stall = false;               // hold all data until cleared
  int cut_connections = -1;         // only the first N new connections get the cut faults (-1: all)
};

class FaultProxy {
 public:
  explicit FaultProxy(int target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;

  // Listens on 127.0.0.1 (a free port); false on failure.
  bool Start();
  void Stop();
  int port() const { return port_; }

  void SetFaults(const ProxyFaults& faults);
  ProxyFaults faults();

  int64_t connections() const { return connections_; }
  int64_t cuts() const { return cuts_; }
  int64_t bytes_up() const { return bytes_up_; }
  int64_t bytes_down() const { return bytes_down_; }

 private:
  void AcceptLoop();
  void Pump(int client_fd, int64_t connection_index);

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  ProxyFaults faults_;
  std::vector<std::thread> pumps_;
  std::atomic<int64_t> connections_{0}, cuts_{0}, bytes_up_{0}, bytes_down_{0};
};

}  // namespace ccfield::testing
