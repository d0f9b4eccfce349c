// Exports: CSV for spreadsheets, GeoJSON for GIS.
#include "ccfield/core/export.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "ccfield/core/import.h"
#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

using Row = std::vector<std::string>;

// RFC 4180 reader: quoted cells may hold commas, quotes ("") and newlines.
std::vector<Row> ParseCsv(std::string text) {
  const std::string bom = "\xEF\xBB\xBF";
  if (text.starts_with(bom)) text.erase(0, bom.size());
  std::vector<Row> rows;
  Row row;
  std::string cell;
  bool quoted = false, cell_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"' && !cell_started) {
      quoted = cell_started = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
      cell_started = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(cell));
      rows.push_back(std::move(row));
      row.clear();
      cell.clear();
      cell_started = false;
      ++i;
    } else {
      REQUIRE_MESSAGE(c != '"', "a quote inside an unquoted cell");
      REQUIRE_MESSAGE(c != '\n', "a bare newline outside quotes");
      cell += c;
      cell_started = true;
    }
  }
  REQUIRE_MESSAGE(!quoted, "unterminated quoted cell");
  const bool ended = row.empty() && cell.empty();
  REQUIRE_MESSAGE(ended, "the last row must end with CRLF");
  return rows;
}

struct Csv {
  Row header;
  std::vector<std::map<std::string, std::string>> rows;
};

Csv ExportCsv(Store* store, const std::string& lang = "en") {
  std::ostringstream out;
  REQUIRE_OK(ExportVisitsCsv(store, out, lang));
  REQUIRE(out.str().starts_with("\xEF\xBB\xBF"));
  std::vector<Row> rows = ParseCsv(out.str());
  REQUIRE_FALSE(rows.empty());
  Csv csv;
  csv.header = rows[0];
  for (size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == csv.header.size());
    std::map<std::string, std::string> m;
    for (size_t k = 0; k < rows[i].size(); ++k) m[csv.header[k]] = rows[i][k];
    csv.rows.push_back(std::move(m));
  }
  return csv;
}

const std::map<std::string, std::string>& RowOf(const Csv& csv, const std::string& id) {
  for (const auto& r : csv.rows) {
    if (r.at("id") == id) return r;
  }
  FAIL("no CSV row for " << id);
  throw;
}

TEST_CASE("CSV export has one row per live visit with answer columns") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string a = testing::AddVisit(fx.store(), &fx.env, seeded.site_id,
                                          {{"answers", {{"asset_type", "culvert"}, {"width_m", 1.5}}}});
  const std::string b = testing::AddVisit(fx.store(), &fx.env, seeded.site_id,
                                          {{"form", "heat@1.0"}, {"answers", {{"sub_kind", "cooling_space"}}}});
  const std::string gone = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  REQUIRE_OK(fx->Commit({DeleteRecord{RecordType::kVisit, gone}}));

  Csv csv = ExportCsv(fx.store());
  CHECK(csv.header[0] == "id");
  for (const char* col : {"site_name", "form", "started_at", "notes", "drainage_flood.asset_type",
                          "drainage_flood.width_m", "heat.sub_kind"}) {
    INFO(col);
    CHECK(std::find(csv.header.begin(), csv.header.end(), col) != csv.header.end());
  }
  std::set<std::string> header_set(csv.header.begin(), csv.header.end());
  CHECK(header_set.size() == csv.header.size());  // no column twice
  REQUIRE(csv.rows.size() == 2);
  CHECK(RowOf(csv, a).at("drainage_flood.asset_type") == "Culvert");
  CHECK(RowOf(csv, a).at("drainage_flood.width_m") == "1.5 m");
  CHECK(RowOf(csv, a).at("heat.sub_kind") == "");
  CHECK(RowOf(csv, a).at("site_name") == "Drain D-14");
  CHECK(RowOf(csv, b).at("form") == "heat@1.0");
  CHECK(RowOf(csv, b).at("drainage_flood.asset_type") == "");
  CHECK(ExportCsv(fx.store(), "fr").rows.size() == 2);
  CHECK(RowOf(ExportCsv(fx.store(), "fr"), a).at("drainage_flood.asset_type") == "Dalot / buse");
}

TEST_CASE("CSV export quotes commas quotes and newlines and defuses formulas") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string tricky = "Grille, \"cassée\"\nà remplacer";
  const std::string formula = "=HYPERLINK(\"http://evil.example\",\"click\")";
  const std::string a = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", tricky}});
  const std::string b = testing::AddVisit(fx.store(), &fx.env, seeded.site_id,
                                          {{"notes", formula}, {"answers", {{"asset_type", "culvert"}, {"asset_ref", "@SUM(A1)"}}}});
  const std::string c = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "-5"}, {"gps_lat", -6.5}, {"gps_lon", 39.25}});

  std::ostringstream raw;
  REQUIRE_OK(ExportVisitsCsv(fx.store(), raw, "en"));
  CHECK(raw.str().find("\"Grille, \"\"cassée\"\"\nà remplacer\"") != std::string::npos);
  Csv csv = ExportCsv(fx.store());
  REQUIRE(csv.rows.size() == 3);
  CHECK(RowOf(csv, a).at("notes") == tricky);
  // A spreadsheet must not run a cell as a formula.
  CHECK(RowOf(csv, b).at("notes") == "'" + formula);
  CHECK(RowOf(csv, b).at("drainage_flood.asset_ref") == "'@SUM(A1)");
  CHECK(RowOf(csv, c).at("notes") == "-5");  // a plain negative number stays a number
  CHECK(RowOf(csv, c).at("gps_lat") == "-6.5");
  for (const auto& row : csv.rows) {
    for (const auto& [col, v] : row) {
      INFO(col, " = ", v);
      const bool inert = v.empty() || (v[0] != '=' && v[0] != '+' && v[0] != '@');
      CHECK(inert);
    }
  }
}

TEST_CASE("CSV export leaves out answers to hidden fields") {
  // docs/forms.md: answers to hidden fields are kept but reports and exports ignore them.
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string id = testing::AddVisit(fx.store(), &fx.env, seeded.site_id,
                                           {{"answers", {{"asset_type", "culvert"}, {"diameter_mm", 600}}}});
  CHECK(RowOf(ExportCsv(fx.store()), id).at("drainage_flood.diameter_mm") == "600 mm");
  // An open drain has no diameter: the answer stays stored but is not exported.
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kVisit, id, {{"answers.asset_type", "open_drain_lined"}}}}));
  CHECK(Unwrap(fx->Get(RecordType::kVisit, id)).Get("answers.diameter_mm") == 600);
  CHECK(RowOf(ExportCsv(fx.store()), id).at("drainage_flood.diameter_mm") == "");
}

TEST_CASE("CSV export joins form versions on field id") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  json v2 = fx->FindForm("drainage_flood@1.0")->source;
  v2["version"] = "1.1";
  v2["fields"].push_back({{"id", "new_question"}, {"type", "yes_no"}, {"label", {{"en", "New"}, {"fr", "Nouveau"}}}});
  REQUIRE_OK(fx->AddForm(Unwrap(ParseForm(v2))));
  const std::string old_v = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  const std::string new_v = testing::AddVisit(
      fx.store(), &fx.env, seeded.site_id,
      {{"form", "drainage_flood@1.1"}, {"answers", {{"asset_type", "manhole"}, {"new_question", true}}}});
  Csv csv = ExportCsv(fx.store());
  std::set<std::string> header_set(csv.header.begin(), csv.header.end());
  CHECK(header_set.size() == csv.header.size());  // one drainage_flood.asset_type column, not two
  CHECK(RowOf(csv, old_v).at("drainage_flood.asset_type") == "Culvert");
  CHECK(RowOf(csv, new_v).at("drainage_flood.asset_type") == "Manhole");
  CHECK(RowOf(csv, new_v).at("drainage_flood.new_question") == "yes");
  CHECK(RowOf(csv, old_v).at("drainage_flood.new_question") == "");
}

TEST_CASE("CSV export of the demo data reads back") {
  StoreFixture fx;
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env));
  Csv csv = ExportCsv(fx.store(), "fr");
  CHECK(static_cast<int64_t>(csv.rows.size()) == Unwrap(fx->Count(RecordType::kVisit)));
}

TEST_CASE("GeoJSON export is a FeatureCollection with lon lat coordinates") {
  StoreFixture fx;
  const std::string ws = testing::AddWorkspace(fx.store(), &fx.env);
  const std::string placed = testing::AddSite(fx.store(), &fx.env, ws, "Placed", {{"lat", -6.795812}, {"lon", 39.246905}});
  const std::string unplaced = testing::AddSite(fx.store(), &fx.env, ws, "Unplaced");
  // diameter_mm is hidden for an open drain: kept in the store, left out of exports.
  const std::string v_pos = testing::AddVisit(
      fx.store(), &fx.env, placed,
      {{"gps_lat", 35.5785}, {"gps_lon", -5.3684},
       {"answers", {{"asset_type", "open_drain_lined"}, {"blockage_pct", "0"}, {"diameter_mm", 300}}}});
  const std::string v_nopos = testing::AddVisit(fx.store(), &fx.env, unplaced);
  const std::string v_deleted = testing::AddVisit(fx.store(), &fx.env, placed, {{"gps_lat", 1}, {"gps_lon", 2}});
  REQUIRE_OK(fx->Commit({DeleteRecord{RecordType::kVisit, v_deleted}}));

  std::ostringstream out;
  int skipped = -1;
  REQUIRE_OK(ExportGeoJson(fx.store(), out, &skipped));
  json doc = json::parse(out.str(), nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  CHECK(doc["type"] == "FeatureCollection");
  REQUIRE(doc["features"].is_array());
  CHECK(skipped == 2);  // the unplaced site and its visit

  std::map<std::string, json> by_id;
  for (const json& f : doc["features"]) {
    CHECK(f["type"] == "Feature");
    CHECK(f["geometry"]["type"] == "Point");
    by_id[f["id"].get<std::string>()] = f;
  }
  REQUIRE(by_id.size() == 2);
  REQUIRE(by_id.count(placed));
  REQUIRE(by_id.count(v_pos));
  CHECK_FALSE(by_id.count(unplaced));
  CHECK_FALSE(by_id.count(v_nopos));
  CHECK_FALSE(by_id.count(v_deleted));
  CHECK(by_id[placed]["geometry"]["coordinates"] == json{39.246905, -6.795812});
  CHECK(by_id[v_pos]["geometry"]["coordinates"] == json{-5.3684, 35.5785});
  CHECK(by_id[placed]["properties"]["name"] == "Placed");
  CHECK(by_id[placed]["properties"]["record_type"] == "site");
  CHECK(by_id[v_pos]["properties"]["record_type"] == "visit");
  REQUIRE(by_id[v_pos]["properties"]["answers"].is_string());  // nested answers as one JSON text
  CHECK(json::parse(by_id[v_pos]["properties"]["answers"].get<std::string>()) ==
        json{{"asset_type", "open_drain_lined"}, {"blockage_pct", "0"}});

  // Without the counter the export works the same.
  std::ostringstream again;
  REQUIRE_OK(ExportGeoJson(fx.store(), again));
  CHECK(again.str() == out.str());
}

}  // namespace
}  // namespace ccfield::store_test
