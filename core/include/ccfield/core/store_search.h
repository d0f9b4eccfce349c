#pragma once
// StoreSearch: full-text search over visits (notes and answers), sites,
// projects and good practices; ranked; snippets; case- and
// accent-insensitive; only what the signed-in account may see. Saves and
// sync queue the records they change (schema 12); the queue is indexed before
// every search, so a search always sees the last save, and the window indexes
// it in the background when idle (IndexPending). Lives in its Store
// (Store::search()) on the store's connection.

#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/core/store_types.h"

namespace ccfield {

class StoreSearch : public StorePart {
 public:
  explicit StoreSearch(Store* store) : StorePart(store) {}

  Result<std::vector<SearchHit>> Find(const SearchQuery& query);

  // Indexes up to `max_records` records saved since the last search, in one
  // transaction; returns how many are still waiting (0: the index is up to
  // date). A read-only store indexes nothing and says how many wait. With
  // `wait_for_lock` false it does not wait while another connection writes
  // (a sync): kBusy at once, so the window's idle step never freezes it.
  Result<int64_t> IndexPending(int64_t max_records, bool wait_for_lock = true);
};

}  // namespace ccfield
