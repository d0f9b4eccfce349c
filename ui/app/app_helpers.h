#pragma once
// Small helpers shared by the app's source files (sites, the new-visit flow,
// refused records, screen refreshes): text of records, and the store queries
// they all make. Not for the views.
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "ccfield/core/store.h"

namespace ccfield::app {

// The text field `field` of `r`, or "" when it is absent or not text.
inline std::string TextOf(const Record& r, const char* field) {
  const nlohmann::json& v = r.Get(field);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// `s` without spaces, tabs and line breaks at either end.
inline std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// `s` with ASCII letters in lower case (for matching what people search).
inline std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The first `limit` live records of `type`, in Store::List's order.
inline Result<std::vector<Record>> ListLive(Store* store, RecordType type, int limit) {
  ListQuery q;
  q.type = type;
  q.limit = limit;
  return store->List(q);
}

// The ids of the demo workspaces (none when they cannot be read).
inline std::set<std::string> DemoWorkspaces(Store* store) {
  std::vector<std::string> ids = store->DemoWorkspaceIds().value_or({});
  return {ids.begin(), ids.end()};
}

}  // namespace ccfield::app
