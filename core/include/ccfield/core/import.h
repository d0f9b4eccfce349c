#pragma once
// Loading records from JSON in the "ccfield-records@1" format (docs/data-format.md):
// an object with one array per record type ("workspace", "site", "visit", ...),
// each item an object of "id" plus fields. Used for the demo data set and for
// `ccfield import practices FILE`.

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ccfield/core/status.h"
#include "ccfield/core/store.h"

namespace ccfield {

struct ImportSummary {
  std::map<std::string, int> created;  // per record type name
  std::map<std::string, int> updated;
  std::map<std::string, int> unchanged;
};

struct ImportOptions {
  // Only these types are accepted (others are an error); empty: all.
  std::set<RecordType> only;
  // The records are demo data: kept on this device, never sent (LoadDemoData).
  bool demo = false;
};

// Imports all records in one transaction: all or nothing. Items without an id
// get a new one; items whose id exists update only the fields that differ, so
// importing the same file twice changes nothing.
Result<ImportSummary> ImportRecords(Store* store, Env* env, const nlohmann::json& doc, const ImportOptions& options);

// Parses text first: malformed JSON is a clear error naming line and column.
Result<ImportSummary> ImportRecordsText(Store* store, Env* env, std::string_view json_text, const ImportOptions& options);

// Loads the demo data set compiled into the app (data/demo/demo.json) as demo
// data (Store::RemoveDemoData takes it away again).
Result<ImportSummary> LoadDemoData(Store* store, Env* env);

}  // namespace ccfield
