#include "retention.h"

#include <algorithm>

namespace ccfield::server {

Result<ServerStorage::ExpiryResult> ExpireHistory(ServerStorage* storage, int64_t now_ms, int64_t min_age_ms) {
  ServerStorage::ExpiryResult out;
  CCF_RETURN_IF_ERROR(RunInTransaction(storage, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(ServerVersion devices, storage->DeviceHorizon());
    CCF_ASSIGN_OR_RETURN(ServerVersion aged, storage->VersionAsOf(now_ms - std::max<int64_t>(min_age_ms, 0)));
    // Usage counts are needed for the current day only; two days keeps them simple to reason about.
    const int64_t keep_usage_from = now_ms - int64_t{2} * 24 * 3600 * 1000;
    CCF_ASSIGN_OR_RETURN(out, storage->Expire(std::min(devices, aged), keep_usage_from));
    return Status::Ok();
  }));
  return out;
}

}  // namespace ccfield::server
