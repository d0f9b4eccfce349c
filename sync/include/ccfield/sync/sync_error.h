#pragma once
// Sync errors, classified by what the client should do next (realm's idea):
// retry later on its own, ask the person to log in again, or stop until a
// person acts. The Status message is plain words for the person holding the
// tablet; it is what `ccfield status` shows after "blocked by:".

#include <cstdint>
#include <optional>

#include "ccfield/core/status.h"

namespace ccfield::sync {

enum class SyncAction {
  kRetryLater,  // network down, connection dropped, server busy (5xx, 429): back off and retry
  kLogInAgain,  // the login is missing, expired or revoked (401): retrying cannot help
  kStop,        // the server refuses this device or speaks another protocol: needs a person
};

const char* SyncActionName(SyncAction a);  // "retry_later", "log_in_again", "stop"

struct SyncFailure {
  SyncAction action = SyncAction::kRetryLater;
  Status status;
  // The server asked to wait at least this long (429 Retry-After), in seconds.
  std::optional<int64_t> retry_after_seconds;
};

}  // namespace ccfield::sync
