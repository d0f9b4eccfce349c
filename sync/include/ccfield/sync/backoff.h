#pragma once
// Capped exponential backoff with full jitter, for retrying failed syncs.
// Pure: no clock, no sleeping; randomness is injected, so tests are exact.
//
// After the n-th consecutive failure (n >= 1) the ceiling is
// min(cap, base * 2^(n-1)) and the delay is drawn uniformly from
// [min(floor, ceiling), ceiling]. Full jitter spreads the retries of many
// devices that lost the network at the same moment (a mast coming back); the
// small floor keeps an unlucky draw from retrying at once.

#include <cstdint>
#include <functional>

namespace ccfield::sync {

struct BackoffPolicy {
  int64_t base_ms = 2'000;   // ceiling after the first failure
  int64_t cap_ms = 300'000;  // ceiling never exceeds this (5 minutes)
  int64_t floor_ms = 500;    // no delay is shorter (unless the ceiling is)
};

// The ceiling after `failures` consecutive failures (0 failures: 0).
int64_t BackoffCeilingMs(const BackoffPolicy& policy, int failures);

// The delay after `failures` consecutive failures, using `random` (any
// 64-bit value, e.g. from Env::RandomBytes) as the jitter.
int64_t BackoffDelayMs(const BackoffPolicy& policy, int failures, uint64_t random);

// Counts consecutive failures. Not thread-safe (owned by one thread).
class Backoff {
 public:
  // `random` returns uniformly distributed 64-bit values.
  Backoff(BackoffPolicy policy, std::function<uint64_t()> random) : policy_(policy), random_(std::move(random)) {}

  // Records a failure and returns how long to wait before the next attempt.
  int64_t Fail() { return BackoffDelayMs(policy_, ++failures_, random_()); }
  // Records a success: the next failure starts from the base again.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  BackoffPolicy policy_;
  std::function<uint64_t()> random_;
  int failures_ = 0;
};

}  // namespace ccfield::sync
