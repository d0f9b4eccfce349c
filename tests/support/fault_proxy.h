#pragma once
// A TCP proxy on loopback that misbehaves on purpose, for sync tests: added
// latency, a bandwidth cap, cutting a connection after N bytes in either
// direction, and stalling (holding data without closing). Faults can change
// while connections are open. Only ever listens on and connects to 127.0.0.1.
//
// Each connection is pumped by its own thread, which reads eagerly from both
// sides into per-direction queues (at most 4 MiB each) and forwards each byte
// once it is due (latency) and the bandwidth allows. A cut closes both sides
// with a reset (RST), as a broken link looks; a clean end on one side closes
// both sides cleanly once that side's queued bytes are forwarded.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ccfield::testing {

struct ProxyFaults {
  // One-way delay added to every byte in both directions (a pipeline delay:
  // it does not lower the throughput).
  int latency_ms = 0;
  int64_t bytes_per_second = 0;     // per direction and connection; 0: unlimited
  int64_t cut_up_after = -1;        // close a connection after this many client->server bytes (-1: never)
  int64_t cut_down_after = -1;      // same for server->client
  bool stall = false;               // hold all data (read nothing, forward nothing) until cleared
  // Only the first N connections accepted after the SetFaults call that set
  // these faults get the cut faults; connections accepted before it do not.
  // -1: every connection, open or new.
  int cut_connections = -1;
};

class FaultProxy {
 public:
  // Forwards to 127.0.0.1:target_port.
  explicit FaultProxy(int target_port);
  // Stops (see Stop).
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Listens on 127.0.0.1 (a free port); false on failure.
  bool Start();
  // Stops accepting, resets every open connection and joins the threads.
  void Stop();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Thread-safe; takes effect on open connections within about 50 ms.
  void SetFaults(const ProxyFaults& faults);
  ProxyFaults faults();

  int64_t connections() const { return connections_; }  // accepted so far
  int64_t cuts() const { return cuts_; }                // connections closed by a cut fault
  int64_t bytes_up() const { return bytes_up_; }        // forwarded client->server
  int64_t bytes_down() const { return bytes_down_; }

 private:
  struct Snapshot {
    ProxyFaults faults;
    int64_t first_connection = 0;  // connections() when the faults were set
  };
  Snapshot Current();
  void AcceptLoop();
  void Pump(int client_fd, int64_t connection_index);

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;  // guards faults_, first_connection_, pumps_
  ProxyFaults faults_;
  int64_t first_connection_ = 0;
  std::vector<std::thread> pumps_;
  std::atomic<int64_t> connections_{0}, cuts_{0}, bytes_up_{0}, bytes_down_{0};
};

}  // namespace ccfield::testing
