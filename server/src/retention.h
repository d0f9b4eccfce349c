#pragma once
// History and tombstone expiry (docs/retention.md). The horizon is the lower
// of (a) the lowest cursor of the registered, non-revoked devices that have
// synced (each holds everything up to its cursor) and (b) the highest version
// that already existed `min_age_ms` ago (history is kept that long for audit).
// At or below it, superseded history entries and deleted records go.
//
// Thread-safety: none (used under the storage lock, or by the admin command).

#include <cstdint>

#include "ccfield/server/storage.h"

namespace ccfield::server {

struct RetentionOptions {
  int64_t min_age_ms = int64_t{30} * 24 * 3600 * 1000;  // history younger than this stays
  int64_t every_ms = int64_t{10} * 60 * 1000;           // expiry after a sync at most this often; < 0: never
};

// Runs one expiry pass in its own transaction at server time `now_ms`.
Result<ServerStorage::ExpiryResult> ExpireHistory(ServerStorage* storage, int64_t now_ms, int64_t min_age_ms);

}  // namespace ccfield::server
