#pragma once
// Helpers shared by the site file readers (site_import_csv.cpp,
// site_import_geojson.cpp) and the row checks in site_import.cpp; private to
// core.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ccfield/core/site_import.h"

namespace ccfield::site_import_internal {

// The text fields a site file may give, in the order they are checked.
inline constexpr std::string_view kTextFields[] = {"name", "kind", "ward", "address"};
inline constexpr const char* kKnownColumns = "name, kind, ward, address, lat, lon";

// `text` without a leading UTF-8 byte order mark.
std::string_view StripBom(std::string_view text);
// `s` without ASCII white space at either end.
std::string_view Trim(std::string_view s);
// `s` with ASCII letters in lower case.
std::string Lower(std::string_view s);
// `s` cut to 80 bytes (at a character boundary) in double quotes, for messages.
std::string Quoted(std::string_view s);
// The items of `list` separated by ", ".
template <typename List>
std::string JoinList(const List& list) {
  std::string out;
  for (const std::string& item : list) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// A file with one error about the file as a whole (line 0) and no rows.
SiteFile FileError(SiteFileFormat format, std::string message);

// The checks every site file gets before its format is read: not larger than
// kMaxSiteFileBytes, not empty. Returns the refused file, or nullopt and sets
// `*text` to the input without its byte order mark.
std::optional<SiteFile> RefuseBadSiteFile(SiteFileFormat format, std::string_view input, std::string_view* text);

// Checks the fields of one row (text values as given, lat/lon as numbers)
// and appends the row or its errors to `out`.
void AddRow(int line, nlohmann::json given, SiteFile* out);

// Warns about names used more than once; clears the rows when there are errors.
void Finish(SiteFile* f);

}  // namespace ccfield::site_import_internal
