#pragma once
// StoreSearch: full-text search over visits (notes and answers), sites,
// projects and good practices; ranked; snippets; case- and
// accent-insensitive; only what the signed-in account may see. The index is
// kept in step by Store::Commit and the sync replica (search_index.h). Lives
// in its Store (Store::search()) on the store's connection.

#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/core/store_types.h"

namespace ccfield {

class StoreSearch : public StorePart {
 public:
  explicit StoreSearch(Store* store) : StorePart(store) {}

  Result<std::vector<SearchHit>> Find(const SearchQuery& query);
};

}  // namespace ccfield
