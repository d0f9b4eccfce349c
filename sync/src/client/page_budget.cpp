// The link-pace rule (page_budget.h).
#include "ccfield/sync/page_budget.h"

#include <algorithm>

namespace ccfield::sync {

int64_t PaceAfterTransfer(int64_t size, int64_t elapsed_ms, bool full, PaceLimits limits) {
  if (elapsed_ms > kPaceSlowMs) return PaceAfterCut(size, limits);
  if (full && elapsed_ms < kPaceFastMs) return std::clamp(size * 2, limits.min, limits.max);
  return std::clamp(size, limits.min, limits.max);
}

int64_t PaceAfterCut(int64_t size, PaceLimits limits) { return std::clamp(size / 2, limits.min, limits.max); }

}  // namespace ccfield::sync
