#pragma once
// Long texts as patches (docs/sync-protocol.md, "Deltas for long text"), the
// device's side: a pending change of a long text whose base the device
// logged goes up as a patch of that base (sync/text_delta.h), and a pulled
// patch is rebuilt into the whole value from the version the device logged.

#include <set>
#include <vector>

#include "ccfield/core/change.h"
#include "ccfield/core/status.h"
#include "ccfield/core/store.h"
#include "ccfield/sync/text_delta.h"

namespace ccfield::sync {

// Sets FieldChange::delta on each change of `pending` whose value is a text
// of at least kMinDeltaValueBytes, whose base this device logged
// (SyncReplica::ValueAtVersion) as a text, and whose delta pays
// (MakeTextDelta). Entries in `send_whole` (the server answered
// resend_whole) keep whole values. The value stays as it was. Returns how
// many changes got a delta; an error only when the store cannot be read.
Result<int> AddTextDeltas(SyncReplica* replica, const std::set<DeviceSeq>& send_whole,
                          std::vector<ChangeEntry>* pending);

// Rebuilds each pulled change that came as a patch (FieldChange::delta, of
// the version in `base`) into its whole value from this device's log
// (SyncReplica::ValueAtVersion). False, with `changes` partly rebuilt, when
// one cannot be rebuilt (the device does not hold that version, or the
// patch does not fit it): the caller asks for the page again without
// patches. An error only when the store cannot be read.
Result<bool> RebuildPulledTexts(SyncReplica* replica, std::vector<FieldChange>* changes);

}  // namespace ccfield::sync
