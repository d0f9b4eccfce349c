#include "quota.h"

#include <vector>

namespace ccfield::server {

namespace {

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kDayMs = 24 * 60 * kMinuteMs;

struct Limit {
  std::string key;    // quota_usage key
  std::string what;   // for the message
  int64_t limit = 0;  // 0: none
  int64_t period_ms = 0;
  int64_t amount = 0;  // this request's share
  bool bytes = false;
};

std::string Size(int64_t bytes) {
  if (bytes >= 1024 * 1024) return std::to_string(bytes / (1024 * 1024)) + " MB";
  if (bytes >= 1024) return std::to_string(bytes / 1024) + " KB";
  return std::to_string(bytes) + " bytes";
}

std::vector<Limit> Limits(const QuotaOptions& o, const std::string& user_id, const QuotaDemand& d) {
  std::vector<Limit> out;
  out.push_back({"u:" + user_id + ":changes/min", "your account's limit of " + std::to_string(o.user_changes_per_min) +
                 " changes per minute", o.user_changes_per_min, kMinuteMs, d.user.changes, false});
  out.push_back({"u:" + user_id + ":bytes/day", "your account's limit of " + Size(o.user_bytes_per_day) + " per day",
                 o.user_bytes_per_day, kDayMs, d.user.bytes, true});
  for (const auto& [ws, a] : d.workspaces) {
    if (ws.empty()) continue;
    out.push_back({"w:" + ws + ":changes/min", "the workspace's limit of " +
                   std::to_string(o.workspace_changes_per_min) + " changes per minute",
                   o.workspace_changes_per_min, kMinuteMs, a.changes, false});
    out.push_back({"w:" + ws + ":bytes/day", "the workspace's limit of " + Size(o.workspace_bytes_per_day) + " per day",
                   o.workspace_bytes_per_day, kDayMs, a.bytes, true});
  }
  return out;
}

int64_t PeriodStart(int64_t now_ms, int64_t period_ms) { return now_ms - now_ms % period_ms; }

}  // namespace

void QuotaDemand::Add(const std::string& workspace_id, int64_t bytes) {
  user.changes += 1;
  user.bytes += bytes;
  Amount& w = workspaces[workspace_id];
  w.changes += 1;
  w.bytes += bytes;
}

Result<std::optional<QuotaRefusal>> CheckQuota(ServerStorage* storage, const QuotaOptions& o,
                                               const std::string& user_id, const QuotaDemand& demand, int64_t now_ms) {
  if (demand.empty()) return std::optional<QuotaRefusal>();
  for (const Limit& l : Limits(o, user_id, demand)) {
    if (l.limit <= 0 || l.amount == 0) continue;
    const int64_t start = PeriodStart(now_ms, l.period_ms);
    CCF_ASSIGN_OR_RETURN(int64_t used, storage->GetUsage(l.key, start));
    // A fresh period admits one request whatever its size (see quota.h).
    if (used == 0 || used + l.amount <= l.limit) continue;
    QuotaRefusal r;
    r.retry_after_s = (start + l.period_ms - now_ms + 999) / 1000;
    r.message = "this sync would go over " + l.what + " (" +
                (l.bytes ? Size(used) + " used" : std::to_string(used) + " used") +
                "); nothing of it was saved on the server and your changes stay on this device. "
                "The limit resets in " + std::to_string(r.retry_after_s) + " seconds.";
    return std::optional<QuotaRefusal>(std::move(r));
  }
  return std::optional<QuotaRefusal>();
}

Status ChargeQuota(ServerStorage* storage, const std::string& user_id, const QuotaDemand& demand, int64_t now_ms) {
  if (demand.empty()) return Status::Ok();
  for (const Limit& l : Limits(QuotaOptions{}, user_id, demand)) {
    if (l.amount == 0) continue;
    CCF_RETURN_IF_ERROR(storage->AddUsage(l.key, PeriodStart(now_ms, l.period_ms), l.amount));
  }
  return Status::Ok();
}

}  // namespace ccfield::server
