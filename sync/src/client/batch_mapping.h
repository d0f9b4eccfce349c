#pragma once
// Between the store's protocol-neutral sync types (core/replica.h) and the
// wire messages (sync/protocol.h). Pure functions; private to the client.

#include "ccfield/core/replica.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::sync::internal {

// An own pending change as the request carries it.
PushChange ToPushChange(const OutgoingChange& change);

// A 200 answer as one batch for Store::ApplySyncBatch: an ack with outcome
// "conflict" marks the change as in conflict; a clock flag becomes a note in
// plain words; the conflict records are carried over as they are.
SyncBatch ToSyncBatch(const SyncResponse& response);

// Plain words for an ack's clock flag ("future", "before_last_sync").
std::string ClockNote(const std::string& flag);

}  // namespace ccfield::sync::internal
