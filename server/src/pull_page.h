#pragma once
// The pull page of a sync cycle (docs/sync-protocol.md, "Pages by bytes"):
// which changes and conflict updates after the cursor go into one answer,
// and whether more remain. Owns the page rule (items and bytes) and reads
// the history in batches, so that a page of 50,000 small changes and a page
// of one huge value cost no more memory than the answer itself.

#include <cstddef>
#include <functional>
#include <vector>

#include "ccfield/server/storage.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::server {

// Where a page ends.
struct PageRule {
  // Field changes and conflict updates, at least 1. An entry is taken whole
  // when the page has room for its first field: its rest may pass the limit.
  int max_items = sync::kDefaultPullLimit;
  // The items' JSON (ServerEntryBytes of an entry, or ServerChangeJson of each
  // field for protocol 1 / ToJson(FieldConflict),
  // compact, uncompressed) stays within this many bytes, except that a page
  // always carries its first item whatever its size.
  size_t max_bytes = 0;
  // The page is written in protocol 3 (an entry's metadata once) or 1 (each
  // field a change of its own): its bytes are counted as they will be written.
  bool entries = true;
};

// The rule for `req` on a server whose pages stop at `max_response_bytes`:
// - with page_bytes (a pages-by-bytes client): page_bytes clamped to
//   [kMinPageBytes, max_response_bytes], and req.limit items when given,
//   else kMaxPageItems;
// - without (an older client): req.limit clamped to [1, kMaxPullLimit]
//   items and max_response_bytes, as before.
PageRule PageRuleFor(const sync::SyncRequest& req, size_t max_response_bytes);

struct PullPage {
  // As devices receive them (user name filled), an entry's fields adjacent;
  // a page never ends inside an entry.
  std::vector<FieldChange> changes;
  std::vector<FieldConflict> conflicts;
  size_t bytes = 0;        // the items' JSON, as PageRule counts it
  bool more = false;       // items remain after this page
  ServerVersion last = 0;  // version of the last item taken (0: none)
};

// A history entry as the devices receive it (the pushing user's name filled
// in by the caller, who caches names).
using ToWire = std::function<Result<FieldChange>(HistoryEntry&&)>;

// The changes (q.after, q.workspaces, q.device_id; q.limit is ignored) and
// conflict updates after q.after, merged in version order, up to `rule`.
// REQUIRES: in the storage transaction of the sync cycle.
Result<PullPage> BuildPullPage(ServerStorage* storage, const PullQuery& q, const PageRule& rule, const ToWire& to_wire);

}  // namespace ccfield::server
