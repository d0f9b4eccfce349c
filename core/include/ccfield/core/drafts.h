#pragma once
// DraftStore: unsaved editor states, kept outside the change log (never
// synced) so that typing survives a crash. Saving is durable. Lives in its
// Store (Store::drafts()) on the store's connection.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/core/store_types.h"

namespace ccfield {

class DraftStore : public StorePart {
 public:
  explicit DraftStore(Store* store) : StorePart(store) {}

  Status Save(const std::string& key, const nlohmann::json& body);
  Status Delete(const std::string& key);
  Result<std::vector<Draft>> List();
};

}  // namespace ccfield
