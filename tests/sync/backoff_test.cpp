// Capped exponential backoff with full jitter (sync/backoff.h).
#include "ccfield/sync/backoff.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace ccfield::sync {
namespace {

constexpr uint64_t kMaxRandom = std::numeric_limits<uint64_t>::max();

TEST_CASE("Backoff ceilings start at 2 s, double, and stop at 5 minutes") {
  const BackoffPolicy p;
  CHECK(BackoffCeilingMs(p, 0) == 0);
  CHECK(BackoffCeilingMs(p, 1) == 2'000);
  CHECK(BackoffCeilingMs(p, 2) == 4'000);
  CHECK(BackoffCeilingMs(p, 3) == 8'000);
  CHECK(BackoffCeilingMs(p, 8) == 256'000);
  CHECK(BackoffCeilingMs(p, 9) == 300'000);
  CHECK(BackoffCeilingMs(p, 10) == 300'000);
  // Months of failures neither overflow nor exceed the cap.
  CHECK(BackoffCeilingMs(p, 1'000'000) == 300'000);
  CHECK(BackoffCeilingMs(p, std::numeric_limits<int>::max()) == 300'000);
}

TEST_CASE("Backoff delay is drawn from [floor, ceiling]") {
  const BackoffPolicy p;
  for (int failures : {1, 2, 5, 9, 50}) {
    CAPTURE(failures);
    const int64_t ceiling = BackoffCeilingMs(p, failures);
    CHECK(BackoffDelayMs(p, failures, 0) == p.floor_ms);
    CHECK(BackoffDelayMs(p, failures, kMaxRandom) >= p.floor_ms);
    CHECK(BackoffDelayMs(p, failures, kMaxRandom) <= ceiling);
    // The top of the range is reachable.
    const uint64_t span = static_cast<uint64_t>(ceiling - p.floor_ms) + 1;
    CHECK(BackoffDelayMs(p, failures, span - 1) == ceiling);
    CHECK(BackoffDelayMs(p, failures, span) == p.floor_ms);
  }
}

TEST_CASE("Backoff jitter is full: delays spread over the whole range") {
  const BackoffPolicy p;
  std::mt19937_64 rng(20261126);
  const int failures = 6;  // ceiling 64 s
  const int64_t ceiling = BackoffCeilingMs(p, failures);
  int64_t lo = ceiling, hi = 0;
  int below_quarter = 0, above_three_quarters = 0;
  for (int i = 0; i < 2000; ++i) {
    const int64_t d = BackoffDelayMs(p, failures, rng());
    REQUIRE(d >= p.floor_ms);
    REQUIRE(d <= ceiling);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    below_quarter += d < ceiling / 4;
    above_three_quarters += d > ceiling * 3 / 4;
  }
  CHECK(lo < ceiling / 20);
  CHECK(hi > ceiling * 19 / 20);
  // Uniform: about a quarter of the draws in each outer quarter.
  CHECK(below_quarter > 400);
  CHECK(above_three_quarters > 400);
}

TEST_CASE("Backoff floor never exceeds the ceiling, and a zero policy gives zero") {
  BackoffPolicy p;
  p.base_ms = 100;
  p.floor_ms = 1'000;  // larger than the first ceilings
  CHECK(BackoffDelayMs(p, 1, kMaxRandom) == 100);
  CHECK(BackoffDelayMs(p, 1, 0) == 100);
  BackoffPolicy zero;
  zero.base_ms = 0;
  CHECK(BackoffDelayMs(zero, 3, 12345) == 0);
}

TEST_CASE("Backoff counts consecutive failures and starts over after a success") {
  std::vector<uint64_t> draws = {kMaxRandom, kMaxRandom, kMaxRandom, 0};
  size_t next = 0;
  BackoffPolicy p;
  p.floor_ms = 0;
  Backoff b(p, [&] { return draws[next++ % draws.size()]; });
  CHECK(b.failures() == 0);
  // With the largest draw each delay is at most its ceiling; span-1 hits it exactly,
  // so use the modulo result directly.
  const int64_t d1 = b.Fail();
  const int64_t d2 = b.Fail();
  const int64_t d3 = b.Fail();
  CHECK(b.failures() == 3);
  CHECK(d1 == BackoffDelayMs(p, 1, kMaxRandom));
  CHECK(d2 == BackoffDelayMs(p, 2, kMaxRandom));
  CHECK(d3 == BackoffDelayMs(p, 3, kMaxRandom));
  CHECK(d1 <= 2'000);
  CHECK(d3 <= 8'000);
  CHECK(b.Fail() == 0);  // the draw of 0 with floor 0
  b.Reset();
  CHECK(b.failures() == 0);
  CHECK(b.Fail() <= 2'000);  // back to the base ceiling
  CHECK(b.failures() == 1);
}

}  // namespace
}  // namespace ccfield::sync
