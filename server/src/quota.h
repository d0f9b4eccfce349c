#pragma once
// Write quotas (issue 10, finding 8; docs/retention.md): per user and per
// workspace, changes per minute and value bytes per day, counted in the
// storage (table quota_usage) inside the sync transaction, so the counts hold
// across restarts and, later, across several server processes.
//
// A request that would pass a limit is refused whole (nothing of it applied)
// with 429 quota_exceeded and Retry-After = seconds until the period resets.
// One exception keeps a backlog from being stuck forever: a request that
// starts a fresh period (nothing counted yet in it) is always admitted, so a
// device with more offline work than one period allows still drains it, one
// request per period (a request is bounded by kMaxChangesPerRequest entries,
// kMaxFieldChangesPerRequest field changes and kMaxRequestBytes anyway).
//
// Thread-safety: none (used under the storage lock).

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ccfield/server/storage.h"

namespace ccfield::server {

struct QuotaOptions {
  // 0 turns a limit off. Defaults are far above real field work (a busy
  // visit is tens of fields; a day of a team is well under a megabyte of
  // values) and far below what fills a disk (finding 8: 288 MB in 30 s).
  int64_t user_changes_per_min = 600;
  int64_t workspace_changes_per_min = 3000;
  int64_t user_bytes_per_day = int64_t{50} * 1024 * 1024;
  int64_t workspace_bytes_per_day = int64_t{200} * 1024 * 1024;
};

// What one request would add: counted per user and per workspace of the
// changes ("" = library records count for the user only).
struct QuotaDemand {
  struct Amount {
    int64_t changes = 0;
    int64_t bytes = 0;
  };
  Amount user;
  std::map<std::string, Amount> workspaces;
  void Add(const std::string& workspace_id, int64_t bytes);
  bool empty() const { return user.changes == 0; }
};

struct QuotaRefusal {
  std::string message;        // which limit, and when it resets, in plain words
  int64_t retry_after_s = 0;  // seconds until that period ends
};

// The refusal when `demand` by `user_id` at server time `now_ms` would pass
// a limit; nullopt when it fits.
Result<std::optional<QuotaRefusal>> CheckQuota(ServerStorage* storage, const QuotaOptions& o,
                                               const std::string& user_id, const QuotaDemand& demand, int64_t now_ms);
// Counts `demand`. REQUIRES: in the transaction that applies the request.
Status ChargeQuota(ServerStorage* storage, const std::string& user_id, const QuotaDemand& demand, int64_t now_ms);

}  // namespace ccfield::server
