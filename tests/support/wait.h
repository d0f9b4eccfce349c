#pragma once
// Waiting in tests that run threads or other processes: the milliseconds
// since a moment, and polling a condition until it holds or a time runs out.
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

namespace ccfield::testing {

// Milliseconds of the steady clock since `t0`.
inline int64_t MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
}

// Polls `cond` every `poll_ms` until it holds (true) or `timeout_ms` passes (false).
inline bool WaitFor(const std::function<bool()>& cond, int timeout_ms, int poll_ms = 10) {
  const auto t0 = std::chrono::steady_clock::now();
  while (!cond()) {
    if (MsSince(t0) > timeout_ms) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  return true;
}

}  // namespace ccfield::testing
