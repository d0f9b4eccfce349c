#pragma once
// The connections of issue 10, finding 3, for the slow-connection test and
// the attack bench: clients that trickle their header or body, send ~17 MiB
// of header fields, or keep a connection open and idle. Each kind comes from
// its own loopback source addresses (127.0.0.N: all of 127/8 is this
// machine), as different attackers on the internet would. Free of doctest;
// runs its own threads until Stop().
#include <atomic>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

namespace ccfield::testing {

// A TCP connection to 127.0.0.1:port from `source` (an address of 127/8);
// -1 on failure. Blocking, close-on-exec.
int ConnectFrom(const std::string& source, int port);

// Sends `request` (raw HTTP) from `source` and returns the answer's status;
// 0 when no answer came within 5 s.
int HttpStatusFrom(const std::string& source, int port, const std::string& request);

struct AttackPlan {
  int slow_header = 64;   // trickle one header byte per tick, reconnect when cut
  int slow_body = 8;      // a complete header, then one body byte per tick
  int big_header = 8;     // ~big_header_bytes of small header fields, in a loop
  size_t big_header_bytes = size_t{17} << 20;
  int idle_keep_alive = 50;  // one request, then idle (reopened when closed)
  int tick_ms = 500;
  // Source addresses are 127.0.0.(first_source + k): one per 8 connections.
  int first_source = 10;
};

struct AttackCounts {
  int slow_cut = 0;            // slow connections the other side closed
  int big_header_answers = 0;  // big-header requests answered (any status)
  int big_header_refused = 0;  // ... with 400, 413, 431 or 494
  int big_header_accepted = 0; // ... with 2xx (must stay 0)
  int big_header_reset = 0;    // cut before an answer could be read
  int idle_reopened = 0;       // idle connections closed by the other side
  int connect_failed = 0;
};

class Attack {
 public:
  Attack(int port, AttackPlan plan);
  ~Attack();  // Stop()
  Attack(const Attack&) = delete;
  Attack& operator=(const Attack&) = delete;

  void Start();
  // Stops every thread and closes every connection; the counts so far.
  AttackCounts Stop();

 private:
  void SlowLoop();
  void BigHeaderLoop(int k);
  std::string Source(int index) const;

  int port_;
  AttackPlan plan_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::atomic<int> slow_cut_{0}, big_answers_{0}, big_refused_{0}, big_accepted_{0}, big_reset_{0},
      idle_reopened_{0}, connect_failed_{0};
};

}  // namespace ccfield::testing
