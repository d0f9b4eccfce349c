#pragma once
// Turning records into the stable JSON of docs/cli.md and into short text.
#include <nlohmann/json.hpp>
#include <string>

#include "ccfield/core/change.h"
#include "ccfield/core/store.h"

namespace ccfield::cli {

nlohmann::json RecordJson(const Record& r);
nlohmann::json ChangeJson(const ChangeEntry& e);
nlohmann::json HitJson(const SearchHit& h);

// One line for lists: "3f2a9c1e  2026-10-14 08:05  Drainage… – Site  [P1 due 2026-10-21]".
std::string RecordLine(Store* store, const Record& r, const std::string& lang);
// The first 8 characters of an id: enough to type back (FindAny takes >= 6).
std::string ShortId(const std::string& id);
// A JSON value as a person reads it.
std::string PlainValue(const nlohmann::json& v);

}  // namespace ccfield::cli
