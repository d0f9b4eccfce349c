// Reading site files (site_import.h): CSV quoting, byte order marks, line
// ends, headers, GeoJSON points, nesting and size limits, invalid UTF-8, and
// matching rows with the sites a workspace already has.
#include "ccfield/core/site_import.h"

#include <doctest/doctest.h>

#include <string>

namespace ccfield {
namespace {

using nlohmann::json;

// Every error as "line N: message", one per line, for failure messages.
std::string Errors(const SiteFile& f) {
  std::string s;
  for (const SiteImportError& e : f.errors) s += DescribeSiteImportIssue(f.format, e) + "\n";
  return s;
}

bool HasError(const SiteFile& f, int line, const std::string& part) {
  for (const SiteImportError& e : f.errors) {
    if (e.line == line && e.message.find(part) != std::string::npos) return true;
  }
  return false;
}

// An error a test expects: the line it names and words of its message.
struct WantedError {
  int line;
  const char* words;
};

TEST_CASE("site CSV: header in any order and case, quoting, doubled quotes, newlines inside quotes") {
  const std::string text =
      "Lon,NAME,kind,Ward,address,lat\n"
      "39.2469,\"Mto Ng'ombe channel, Uzuri footbridge\",drain,Tandale,\"Off \"\"Sokoni\"\" Road\",-6.7958\n"
      "39.25,\"Market \"\"A\"\" \",market,,\"Line one\nline two\",-6.80\n"
      "\n"
      ",Water point 3,,,,\n";
  SiteFile f = ParseSitesCsv(text);
  REQUIRE_MESSAGE(f.ok(), Errors(f));
  CHECK(f.format == SiteFileFormat::kCsv);
  REQUIRE(f.rows.size() == 3);
  CHECK(f.rows[0].line == 2);
  CHECK(f.rows[0].fields["name"] == "Mto Ng'ombe channel, Uzuri footbridge");
  CHECK(f.rows[0].fields["kind"] == "drain");
  CHECK(f.rows[0].fields["ward"] == "Tandale");
  CHECK(f.rows[0].fields["address"] == "Off \"Sokoni\" Road");
  CHECK(f.rows[0].fields["lat"] == -6.7958);
  CHECK(f.rows[0].fields["lon"] == 39.2469);
  CHECK(f.rows[1].line == 3);
  CHECK(f.rows[1].fields["name"] == "Market \"A\"");
  CHECK(f.rows[1].fields["address"] == "Line one\nline two");
  CHECK_FALSE(f.rows[1].fields.contains("ward"));  // empty cell: not given
  CHECK(f.rows[2].line == 6);                      // the quoted newline counts; the blank line is skipped
  CHECK(f.rows[2].fields == json{{"name", "Water point 3"}});
  CHECK(f.warnings.empty());
}

TEST_CASE("site CSV: byte order mark, CRLF, semicolons, a Unicode minus, ignored columns warn") {
  const std::string text =
      "\xEF\xBB\xBF" "fid;name;lat;lon;remarks\r\n"
      "1;Drain D-14;\xE2\x88\x92" "6.79;39.24;blocked\r\n"
      "2;\"Drain; north\";+6.5;-1.25;\r\n";
  SiteFile f = ParseSiteFile(text, "Sites.CSV");
  REQUIRE_MESSAGE(f.ok(), Errors(f));
  REQUIRE(f.rows.size() == 2);
  CHECK(f.rows[0].fields["name"] == "Drain D-14");
  CHECK(f.rows[0].fields["lat"] == -6.79);
  CHECK(f.rows[1].line == 3);
  CHECK(f.rows[1].fields["name"] == "Drain; north");
  CHECK(f.rows[1].fields["lat"] == 6.5);
  REQUIRE(f.warnings.size() == 1);
  CHECK(f.warnings[0].message.find("fid, remarks") != std::string::npos);
}

TEST_CASE("site CSV: a missing header, an empty file, no rows") {
  SiteFile no_header = ParseSitesCsv("Drain D-14,drain,Tandale\n");
  CHECK_FALSE(no_header.ok());
  CHECK(no_header.rows.empty());
  CHECK(HasError(no_header, 0, "header"));
  CHECK(HasError(no_header, 0, "no name column"));

  for (std::string empty : {"", "\xEF\xBB\xBF", " \r\n\n"}) {
    SiteFile f = ParseSiteFile(empty, "sites.csv");
    CHECK_FALSE(f.ok());
    CHECK(HasError(f, 0, "empty"));
  }
  CHECK(HasError(ParseSitesCsv("name,kind\n\n"), 0, "no sites"));
  CHECK(HasError(ParseSitesCsv("name,kind,NAME\nx,drain,y\n"), 0, "twice"));
}

TEST_CASE("site CSV: every bad row is reported with its line, and no row is kept") {
  const std::string text =
      "name,kind,lat,lon\n"
      "Good one,drain,-6.7,39.2\n"    // 2
      "Too far north,drain,91,39.2\n"  // 3
      "Comma,drain,\"-6,7\",39.2\n"    // 4
      "Half,drain,-6.7,\n"             // 5
      ",drain,,\n"                     // 6: no name
      "Odd,volcano,,\n"                // 7
      "Words,drain,north,east\n"       // 8
      "Short,drain\n"                  // 9
      "Bad \"quote,drain,,\n"          // 10
      "Fine again,Water point,,\n";    // 11: a label written loosely is the code
  SiteFile f = ParseSitesCsv(text);
  CHECK(f.rows.empty());
  INFO(Errors(f));
  const WantedError wanted[] = {
      {3, "lat 91.0 is not between -90 and 90 (are lat and lon swapped"},
      {4, "decimal comma"},
      {5, "lat and lon go together"},
      {6, "name: is required"},
      {7, "\"volcano\" is not a site kind"},
      {8, "\"north\" is not a number"},
      {8, "\"east\" is not a number"},
      {9, "2 values, but the header has 4 columns"},
      {10, "quote"},
  };
  for (const WantedError& w : wanted) CHECK_MESSAGE(HasError(f, w.line, w.words), "line ", w.line, ": ", w.words);
  for (const SiteImportError& e : f.errors) CHECK(e.line != 2);
  CHECK(f.errors.size() == 9);

  SiteFile kinds = ParseSitesCsv("name,kind\nA,Water point\nB,water-point\nC,Point d'eau\nD,DRAIN\n");
  REQUIRE_MESSAGE(kinds.ok(), Errors(kinds));
  for (const SiteImportRow& r : kinds.rows) {
    CHECK(r.fields["kind"] == (r.fields["name"] == "D" ? "drain" : "water_point"));
  }
}

TEST_CASE("site CSV: invalid UTF-8 is an error of its row, an unclosed quote one of the file") {
  SiteFile f = ParseSitesCsv("name,ward\nGood,W1\nMarch\xE9 central,W2\n");
  CHECK_FALSE(f.ok());
  CHECK(HasError(f, 3, "not valid UTF-8"));
  CHECK(f.errors.size() == 1);

  SiteFile open = ParseSitesCsv("name,ward\nA,W1\n\"B,W2\nC,W3\n");
  CHECK_FALSE(open.ok());
  CHECK(HasError(open, 0, "line 3: a quoted value is not closed"));
}

TEST_CASE("site CSV: a name used twice warns, a name too long is an error") {
  SiteFile f = ParseSitesCsv("name,kind\nTap,water_point\nTap,water_point\n");
  REQUIRE(f.ok());
  REQUIRE(f.warnings.size() == 1);
  CHECK(f.warnings[0].line == 3);
  CHECK(f.warnings[0].message.find("also used by line 2") != std::string::npos);
  SiteFile long_name = ParseSitesCsv("name\n" + std::string(501, 'x') + "\n");
  CHECK(HasError(long_name, 2, "too long"));
}

json Feature(json geometry, json properties) {
  return {{"type", "Feature"}, {"geometry", std::move(geometry)}, {"properties", std::move(properties)}};
}
json Point(double lon, double lat) { return {{"type", "Point"}, {"coordinates", {lon, lat}}}; }
std::string Collection(json features) {
  return json{{"type", "FeatureCollection"},
              {"crs", {{"type", "name"}, {"properties", {{"name", "urn:ogc:def:crs:OGC:1.3:CRS84"}}}}},
              {"features", std::move(features)}}
      .dump();
}

TEST_CASE("site GeoJSON: points as QGIS writes them, with Name, numbers and extra properties") {
  json features = json::array();
  features.push_back(Feature(Point(39.2469, -6.7958), {{"fid", 1}, {"Name", "Drain D-14"}, {"kind", "drain"},
                                                       {"ward", 12}, {"address", nullptr}}));
  features.push_back(Feature({{"type", "MultiPoint"}, {"coordinates", {{39.25, -6.8}}}}, {{"name", "Market"}}));
  features.push_back(Feature(nullptr, {{"name", "Somewhere"}}));
  SiteFile f = ParseSiteFile(Collection(features), "sites.geojson");
  REQUIRE_MESSAGE(f.ok(), Errors(f));
  CHECK(f.format == SiteFileFormat::kGeoJson);
  REQUIRE(f.rows.size() == 3);
  CHECK(f.rows[0].line == 1);
  CHECK(f.rows[0].fields == json{{"name", "Drain D-14"}, {"kind", "drain"}, {"ward", "12"}, {"lat", -6.7958},
                                 {"lon", 39.2469}});
  CHECK(f.rows[1].fields["lat"] == -6.8);
  CHECK(f.rows[2].fields == json{{"name", "Somewhere"}});
  REQUIRE(f.warnings.size() == 1);
  CHECK(f.warnings[0].message.find("fid") != std::string::npos);
  // Sniffed from the content when the name says nothing.
  CHECK(ParseSiteFile("\xEF\xBB\xBF  " + Collection(features), "sites.txt").format == SiteFileFormat::kGeoJson);
}

TEST_CASE("site GeoJSON: non-point geometries and bad features are errors of their feature") {
  json features = json::array();
  features.push_back(Feature(Point(39.2, -6.7), {{"name", "Fine"}}));
  features.push_back(Feature({{"type", "LineString"}, {"coordinates", {{39.2, -6.7}, {39.3, -6.8}}}},
                             {{"name", "A road"}}));
  features.push_back(Feature({{"type", "MultiPoint"}, {"coordinates", {{39.2, -6.7}, {39.3, -6.8}}}},
                             {{"name", "Two taps"}}));
  features.push_back(Feature(Point(-6.7, 139.2), {{"name", "Swapped"}}));
  features.push_back(Feature(Point(39.2, -6.7), {{"kind", "drain"}}));
  features.push_back(json{{"type", "Polygon"}});
  features.push_back(Feature(Point(39.2, -6.7), {{"name", true}}));
  SiteFile f = ParseSitesGeoJson(Collection(features));
  INFO(Errors(f));
  CHECK(f.rows.empty());
  const WantedError wanted[] = {
      {2, "LineString; only points"},
      {3, "MultiPoint has 2 points"},
      {4, "lat 139.2 is not between -90 and 90"},
      {5, "name: is required"},
      {6, "not a GeoJSON Feature"},
      {7, "must be text"},
  };
  for (const WantedError& w : wanted) CHECK_MESSAGE(HasError(f, w.line, w.words), "line ", w.line, ": ", w.words);
  CHECK(f.errors.size() == 6);
  CHECK(DescribeSiteImportIssue(f.format, f.errors[0]).starts_with("feature 2: "));
}

TEST_CASE("site GeoJSON: deep nesting, bad JSON, other files and CRS are clear file errors") {
  // 100,000 nested arrays: refused before parsing, no stack overflow.
  std::string deep = "{\"type\": \"FeatureCollection\", \"features\": " + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  SiteFile d = ParseSitesGeoJson(deep);
  CHECK(HasError(d, 0, "more than 64 levels deep"));
  // Brackets inside strings do not count.
  json features = json::array({Feature(Point(39.2, -6.7), {{"name", std::string(100, '[') + "\\\"{"}})});
  SiteFile strings = ParseSitesGeoJson(Collection(features));
  CHECK_MESSAGE(strings.ok(), Errors(strings));

  CHECK(HasError(ParseSitesGeoJson("{\"type\": \"FeatureCollection\", \"features\": ["), 0, "not valid JSON"));
  CHECK(HasError(ParseSitesGeoJson("{\"type\": \"Feature\"}"), 0, "FeatureCollection"));
  CHECK(HasError(ParseSitesGeoJson("{\"type\": \"FeatureCollection\", \"features\": []}"), 0, "no features"));
  CHECK(HasError(ParseSitesGeoJson("{\"type\": \"FeatureCollection\", \"name\": \"March\xE9\", \"features\": []}"),
                 0, "not valid UTF-8"));
  CHECK(HasError(ParseSiteFile("", "x.geojson"), 0, "empty"));
  json utm = json::parse(Collection(features));
  utm["crs"]["properties"]["name"] = "urn:ogc:def:crs:EPSG::32737";
  CHECK(HasError(ParseSitesGeoJson(utm.dump()), 0, "EPSG:4326"));

  std::string big(kMaxSiteFileBytes + 1, ' ');
  CHECK(HasError(ParseSiteFile(big, "x.geojson"), 0, "larger than 20 MiB"));
  CHECK(HasError(ParseSiteFile(big, "x.csv"), 0, "larger than 20 MiB"));
}

SiteImportRow Row(int line, json fields) { return {line, std::move(fields)}; }

TEST_CASE("PlanSiteImport: the same file again changes nothing and a corrected row updates its site") {
  std::vector<SiteImportRow> rows = {
      Row(2, {{"name", "Drain D-14"}, {"kind", "drain"}, {"lat", -6.7}, {"lon", 39.2}}),
      Row(3, {{"name", "Tap"}, {"kind", "water_point"}, {"lat", -6.8}, {"lon", 39.3}}),
      Row(4, {{"name", "Tap"}, {"kind", "water_point"}, {"lat", -6.9}, {"lon", 39.4}}),
      Row(5, {{"name", "Market"}}),
  };
  SiteImportPlan first = PlanSiteImport(rows, {});
  CHECK(first.created == 4);
  REQUIRE(first.steps.size() == 4);
  CHECK(first.steps[0].site_id.empty());
  CHECK(first.steps[0].fields == rows[0].fields);

  // As the store would hold them after the first import (plus a ward set since).
  std::vector<ExistingSite> existing = {
      {"s-tap-b", rows[2].fields},
      {"s-drain", rows[0].fields},
      {"s-tap-a", rows[1].fields},
      {"s-market", {{"name", "Market"}, {"ward", "W4"}}},
      {"s-other", {{"name", "Drain D-14"}, {"kind", "culvert"}}},
  };
  SiteImportPlan again = PlanSiteImport(rows, existing);
  CHECK(again.unchanged == 4);
  CHECK(again.created + again.updated == 0);
  CHECK(again.steps[1].site_id == "s-tap-a");
  CHECK(again.steps[2].site_id == "s-tap-b");
  CHECK(again.steps[3].site_id == "s-market");

  rows[0].fields["lat"] = -6.75;   // moved: unique name and kind, so an update
  rows[2].fields["lat"] = -6.95;   // one of two taps moved
  rows[3].fields["ward"] = "W5";
  SiteImportPlan fixed = PlanSiteImport(rows, existing);
  CHECK(fixed.steps[0].site_id == "s-drain");
  CHECK(fixed.steps[0].fields == json{{"lat", -6.75}});
  CHECK(fixed.steps[1].site_id == "s-tap-a");
  CHECK(fixed.steps[2].site_id == "s-tap-b");  // the one tap left pairs with the one row left
  CHECK(fixed.steps[2].fields == json{{"lat", -6.95}});
  CHECK(fixed.steps[3].fields == json{{"ward", "W5"}});
  CHECK(fixed.updated == 3);
  CHECK(fixed.unchanged == 1);
  CHECK(fixed.created == 0);
}

}  // namespace
}  // namespace ccfield
