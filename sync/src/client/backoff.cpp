#include "ccfield/sync/backoff.h"

#include <algorithm>

namespace ccfield::sync {

int64_t BackoffCeilingMs(const BackoffPolicy& p, int failures) {
  if (failures <= 0 || p.base_ms <= 0) return 0;
  const int64_t cap = std::max(p.cap_ms, int64_t{0});
  int64_t ceiling = p.base_ms;
  // Double until the cap; stops long before int64 could overflow.
  for (int i = 1; i < failures && ceiling < cap; ++i) ceiling *= 2;
  return std::min(ceiling, cap);
}

int64_t BackoffDelayMs(const BackoffPolicy& p, int failures, uint64_t random) {
  const int64_t ceiling = BackoffCeilingMs(p, failures);
  const int64_t floor = std::clamp(p.floor_ms, int64_t{0}, ceiling);
  const uint64_t span = static_cast<uint64_t>(ceiling - floor) + 1;
  return floor + static_cast<int64_t>(random % span);
}

}  // namespace ccfield::sync
