#pragma once
// Reading a file of sites (a municipality's drains, markets, water points...)
// into checked site rows, and deciding what importing them into a workspace
// changes. Pure: no store access, so that the platform server
// (`ccfield-server admin import-sites`) and the device (`ccfield import
// sites`) read files and match sites by the same rules. The file formats are
// described in docs/data-format.md ("Site files").
//
// Two formats:
// - CSV with a header row naming the columns name, kind, ward, address, lat,
//   lon (any order, any case; latitude/longitude also accepted; `name`
//   required). RFC 4180 quoting, LF, CRLF or CR line ends, an optional UTF-8
//   byte order mark; `;` or tab separate the columns when the header has no
//   comma (spreadsheets set to a decimal-comma locale write `;`). Other
//   columns are ignored with one warning naming them. An empty cell means
//   "not given".
// - GeoJSON: a FeatureCollection of Point features (MultiPoint with a single
//   point and features without a geometry are accepted, as QGIS writes them),
//   coordinates [lon, lat] in WGS 84; properties name (or Name, any case),
//   kind, ward, address. Other properties are ignored with one warning.
//
// All or nothing: a file with any error yields every error found (CSV: the
// line number where the row starts; GeoJSON: the 1-based feature number; 0:
// the file as a whole) and no rows.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ccfield {

enum class SiteFileFormat { kCsv, kGeoJson };

// Files larger than this are refused before parsing.
inline constexpr size_t kMaxSiteFileBytes = 20u * 1024 * 1024;
// GeoJSON nested deeper than this (arrays and objects) is refused before
// parsing: a Point feature collection needs 5 levels.
inline constexpr int kMaxSiteJsonDepth = 64;

// One site of the file, checked with CheckFieldValue (records.h): "name", and
// "kind", "ward", "address", "lat" and "lon" when given (lat and lon both or
// neither). No "workspace_id": the importer adds it.
struct SiteImportRow {
  int line = 0;  // CSV: line where the row starts (the header is line 1); GeoJSON: feature number from 1
  nlohmann::json fields = nlohmann::json::object();
};

struct SiteImportError {
  int line = 0;  // as SiteImportRow::line; 0: the file as a whole
  std::string message;
};
// Warnings do not stop an import (ignored columns, a name used twice).
using SiteImportWarning = SiteImportError;

struct SiteFile {
  SiteFileFormat format = SiteFileFormat::kCsv;
  std::vector<SiteImportRow> rows;  // every row when `errors` is empty; otherwise empty
  std::vector<SiteImportError> errors;
  std::vector<SiteImportWarning> warnings;

  bool ok() const { return errors.empty(); }
};

// Parses `text` as the format its `file_name` says (.csv; .geojson or .json,
// any case), or, for other names, as GeoJSON when it starts with "{" (after
// an optional byte order mark and white space), else as CSV. An empty file
// is an error (there is nothing to import).
SiteFile ParseSiteFile(std::string_view text, std::string_view file_name);
SiteFile ParseSitesCsv(std::string_view text);
SiteFile ParseSitesGeoJson(std::string_view text);

// "line 3", "feature 3", or "" for line 0, for messages.
std::string SiteImportWhere(SiteFileFormat format, int line);
// "line 3: <message>" (or the message alone for line 0).
std::string DescribeSiteImportIssue(SiteFileFormat format, const SiteImportError& issue);

// ---- Matching the rows with the sites a workspace already has ----

// A live (not deleted) site of the workspace: its id and current fields
// (any of name, kind, ward, address, lat, lon; other fields are ignored).
struct ExistingSite {
  std::string id;
  nlohmann::json fields = nlohmann::json::object();
};

// What to do with one row.
struct SiteImportStep {
  size_t row = 0;       // index into the rows
  std::string site_id;  // the site to update; empty: create a new site
  // The fields to write: all of the row's fields for a new site, the fields
  // whose value differs for an existing one (empty object: unchanged).
  nlohmann::json fields = nlohmann::json::object();
};

struct SiteImportPlan {
  std::vector<SiteImportStep> steps;  // one per row, in row order
  int created = 0;
  int updated = 0;
  int unchanged = 0;
};

// Matches rows with existing sites so that importing the same file again
// changes nothing, and a corrected file updates the sites it made:
// 1. a row whose every field equals those of an existing site with the same
//    name and kind is that site (unchanged);
// 2. otherwise, when exactly one row left and exactly one existing site left
//    share the row's name and kind (kind absent counts as a kind of its
//    own), the row updates that site's differing fields;
// 3. any other row creates a new site.
// Each existing site is matched at most once. Fields the row does not give
// are left as they are (an import never clears a field).
SiteImportPlan PlanSiteImport(const std::vector<SiteImportRow>& rows, const std::vector<ExistingSite>& existing);

}  // namespace ccfield
