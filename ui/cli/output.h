#pragma once
// Turning records into the stable JSON of docs/cli.md and into short text.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "ccfield/core/change.h"
#include "ccfield/core/store.h"

namespace ccfield::cli {

nlohmann::json RecordJson(const Record& r);
nlohmann::json ChangeJson(const ChangeEntry& e);
nlohmann::json HitJson(const SearchHit& h);
// {"items": [...], "count": n}: the shape of every list in the JSON output.
nlohmann::json ItemsJson(nlohmann::json items);

// One line for lists: "3f2a9c1e  2026-10-14 08:05  Drainage… – Site  [P1 due 2026-10-21]".
// With `status`, its state in words stands after the id as a column.
std::string RecordLine(Store* store, const Record& r, const std::string& lang, const RecordStatus* status = nullptr);

// A record's state as people read it: "ready to send", "in conflict", "refused", ...
std::string StateWords(RecordState state);
// The state of `r` from Store::RecordStates' map (records not in it are
// sent), with a visit's draft status added as ScreenQueries::RecordStateOf does.
RecordStatus StateOf(const std::map<std::string, RecordStatus>& states, const Record& r);
// Adds "state" (RecordStateName) and, when refused, "refused_reason" to a record's JSON.
void AddStateJson(nlohmann::json* j, const RecordStatus& status);
// "1 visit was" / "3 visits were" refused: the sentence status and sync print
// ("2 visits were refused by the server — see `ccfield refused`"); "" for 0.
std::string RefusedSentence(int64_t n, RecordType type);
// A condition rating ("0".."3", "na", "ni") in the window's words ("2 · needs repair").
std::string ConditionWords(const std::string& rating);
// "1.4 km from the site's position — is this the right site?" (the window's
// words); "" within kVisitFarFromSiteMeters.
std::string FarFromSiteWords(double meters);
// The first 8 characters of an id: enough to type back (FindAny takes >= 6).
std::string ShortId(const std::string& id);
// A record's title for messages ("Drain D-14"), or its short id when it has
// none or is not on this device.
std::string RecordTitle(Store* store, const std::string& type_name, const std::string& id);
// A JSON value as a person reads it.
std::string PlainValue(const nlohmann::json& v);

}  // namespace ccfield::cli
