#include "ccfield/core/site_import.h"

#include "ccfield/core/json_text.h"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "ccfield/core/records.h"
#include "ccfield/core/site_kinds.h"
#include "ccfield/core/status.h"
#include "ccfield/core/text.h"

namespace ccfield {

using nlohmann::json;

namespace {

// The fields a site file may give, in the order they are checked.
constexpr std::string_view kTextFields[] = {"name", "kind", "ward", "address"};
constexpr const char* kKnownColumns = "name, kind, ward, address, lat, lon";

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kUnicodeMinus = "\xE2\x88\x92";  // U+2212, as some spreadsheets write it

std::string_view StripBom(std::string_view text) {
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  return text;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(Utf8Prefix(s, 80)) + "\""; }

SiteFile FileError(SiteFileFormat format, std::string message) {
  SiteFile f;
  f.format = format;
  f.errors.push_back({0, std::move(message)});
  return f;
}

// A decimal number as people type it: optional sign (ASCII or U+2212),
// decimal point. A decimal comma gets its own message.
Result<double> ParseDecimal(std::string_view field, std::string_view raw) {
  std::string_view s = Trim(raw);
  std::string text;
  if (s.starts_with(kUnicodeMinus)) {
    text = "-";
    s.remove_prefix(kUnicodeMinus.size());
  } else if (s.starts_with("+")) {
    s.remove_prefix(1);
  }
  text += s;
  const std::string name(field);
  if (text.find(',') != std::string::npos) {
    return Status::Invalid(name + " " + Quoted(raw) + " has a decimal comma; write it with a point, like -6.79");
  }
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  if (text.empty() || text == "-" || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return Status::Invalid(name + " " + Quoted(raw) + " is not a number in degrees, like -6.79");
  }
  return value;
}

// The kind code for what a file says: a code ("water_point"), a code written
// loosely ("Water point", "water-point"), or a label in any UI language
// ("Point d'eau"), ignoring ASCII case.
std::optional<std::string> ResolveKind(std::string_view given) {
  if (IsSiteKind(given)) return std::string(given);
  std::string loose = Lower(given);
  for (char& c : loose) {
    if (c == ' ' || c == '-') c = '_';
  }
  if (IsSiteKind(loose)) return loose;
  const std::string lower = Lower(given);
  for (const SiteKind& k : SiteKinds()) {
    for (const auto& [lang, label] : k.label) {
      if (Lower(label) == lower) return k.code;
    }
  }
  return std::nullopt;
}

// Checks the fields of one row (text values as given, lat/lon as numbers)
// and appends the row or its errors.
void AddRow(int line, json given, SiteFile* out) {
  std::vector<std::string> errors;
  json fields = json::object();
  const bool has_lat = given.contains("lat"), has_lon = given.contains("lon");
  if (has_lat != has_lon) {
    errors.push_back(std::string("lat and lon go together: ") + (has_lat ? "lon" : "lat") + " is missing");
  }
  if (!given.contains("name")) given["name"] = "";  // reported as "is required"
  // Out-of-range degrees, said plainly (CheckFieldValue would also refuse them).
  constexpr std::pair<const char*, int> kRanges[] = {{"lat", 90}, {"lon", 180}};
  for (const auto& [field, limit] : kRanges) {
    auto it = given.find(field);
    if (it == given.end() || !it->is_number()) continue;
    const double v = it->get<double>();
    if (std::isfinite(v) && std::fabs(v) <= limit) continue;
    errors.push_back(std::string(field) + " " + it->dump() + " is not between -" + std::to_string(limit) + " and " +
                     std::to_string(limit) +
                     (std::string(field) == "lat" ? " (are lat and lon swapped, or not in degrees?)" : ""));
    given.erase(it);
  }
  if (given.contains("kind") && given["kind"].is_string()) {
    const std::string kind = given["kind"].get<std::string>();
    if (std::optional<std::string> code = ResolveKind(kind)) {
      given["kind"] = *code;
    } else if (!FindInvalidUtf8(kind)) {  // invalid UTF-8 is reported by CheckFieldValue
      std::string codes;
      for (const SiteKind& k : SiteKinds()) codes += (codes.empty() ? "" : ", ") + k.code;
      errors.push_back("kind " + Quoted(kind) + " is not a site kind; use one of: " + codes);
      given.erase("kind");
    }
  }
  for (const auto& [field, value] : given.items()) {
    Result<json> checked = CheckFieldValue(RecordType::kSite, field, value);
    if (!checked.ok()) {
      errors.push_back(checked.status().message());
      continue;
    }
    fields[field] = *checked;
  }
  for (std::string& e : errors) out->errors.push_back({line, std::move(e)});
  if (errors.empty()) out->rows.push_back({line, std::move(fields)});
}

// Warns about names used more than once; clears the rows when there are errors.
void Finish(SiteFile* f) {
  std::map<std::string, int> first_line;
  for (const SiteImportRow& r : f->rows) {
    const std::string& name = r.fields.at("name").get_ref<const std::string&>();
    auto [it, inserted] = first_line.emplace(name, r.line);
    if (!inserted) {
      f->warnings.push_back({r.line, "the name " + Quoted(name) + " is also used by " +
                                         SiteImportWhere(f->format, it->second)});
    }
  }
  if (!f->errors.empty()) f->rows.clear();
}

// ---- CSV ------------------------------------------------------------------

struct CsvRecord {
  int line = 0;
  std::vector<std::string> cells;
  std::string error;  // a quoting error; the cells are then incomplete
};

char SniffDelimiter(std::string_view text) {
  std::string_view first = text.substr(0, text.find_first_of("\r\n"));
  for (char c : {',', ';', '\t'}) {
    if (first.find(c) != std::string_view::npos) return c;
  }
  return ',';
}

// RFC 4180 records. Quoted values may hold delimiters, doubled quotes and line
// breaks (a CRLF inside quotes becomes LF). Records end at LF, CRLF or CR.
std::vector<CsvRecord> ReadCsv(std::string_view text, char delim, std::string* fatal) {
  std::vector<CsvRecord> records;
  const size_t n = text.size();
  size_t i = 0;
  int line = 1;
  // Consumes one line break at i (CRLF counts once); returns whether there was one.
  auto eat_newline = [&]() {
    if (i < n && text[i] == '\r') {
      ++i;
      if (i < n && text[i] == '\n') ++i;
      ++line;
      return true;
    }
    if (i < n && text[i] == '\n') {
      ++i;
      ++line;
      return true;
    }
    return false;
  };
  while (i < n) {
    CsvRecord rec;
    rec.line = line;
    while (true) {  // one value per pass
      std::string cell;
      if (i < n && text[i] == '"') {
        const int opened = line;
        ++i;
        bool closed = false;
        while (i < n) {
          char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              cell += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\r' || c == '\n') {
            eat_newline();
            cell += '\n';
            continue;
          }
          cell += c;
          ++i;
        }
        if (!closed) {
          *fatal = "line " + std::to_string(opened) + ": a quoted value is not closed (a \" is missing)";
          return records;
        }
        while (i < n && (text[i] == ' ' || (text[i] == '\t' && delim != '\t'))) ++i;
        if (i < n && text[i] != delim && text[i] != '\r' && text[i] != '\n' && rec.error.empty()) {
          rec.error = "there is text after a closing quote; put the whole value in quotes";
        }
      } else {
        while (i < n && text[i] != delim && text[i] != '\r' && text[i] != '\n') {
          if (text[i] == '"' && rec.error.empty()) {
            rec.error = "a value has a \" but does not start with one; quote the value and double the \" inside";
          }
          cell += text[i++];
        }
      }
      rec.cells.push_back(std::move(cell));
      if (!rec.error.empty()) {  // skip the rest of the physical line
        while (i < n && text[i] != '\r' && text[i] != '\n') ++i;
      }
      if (i < n && text[i] == delim) {
        ++i;
        continue;
      }
      eat_newline();
      break;
    }
    records.push_back(std::move(rec));
  }
  return records;
}

bool IsBlank(const CsvRecord& r) {
  if (!r.error.empty()) return false;
  for (const std::string& c : r.cells) {
    if (!Trim(c).empty()) return false;
  }
  return true;
}

// The field a header names, or "" for a column that is ignored.
std::string ColumnField(std::string_view header) {
  const std::string h = Lower(Trim(header));
  for (std::string_view f : kTextFields) {
    if (h == f) return h;
  }
  if (h == "lat" || h == "latitude") return "lat";
  if (h == "lon" || h == "lng" || h == "long" || h == "longitude") return "lon";
  return "";
}

}  // namespace

SiteFile ParseSitesCsv(std::string_view input) {
  constexpr SiteFileFormat kFmt = SiteFileFormat::kCsv;
  if (input.size() > kMaxSiteFileBytes) {
    return FileError(kFmt, "the file is larger than " + std::to_string(kMaxSiteFileBytes >> 20) + " MiB");
  }
  const std::string_view text = StripBom(input);
  if (Trim(text).empty()) return FileError(kFmt, "the file is empty; nothing to import");
  std::string fatal;
  std::vector<CsvRecord> records = ReadCsv(text, SniffDelimiter(text), &fatal);
  SiteFile out;
  out.format = kFmt;
  if (!fatal.empty()) {
    out.errors.push_back({0, fatal});
    return out;
  }
  size_t r = 0;
  while (r < records.size() && IsBlank(records[r])) ++r;
  if (r == records.size()) return FileError(kFmt, "the file is empty; nothing to import");
  const CsvRecord& header = records[r++];
  const std::string where_header = "the header (line " + std::to_string(header.line) + ")";
  if (!header.error.empty()) return FileError(kFmt, where_header + ": " + header.error);
  for (const std::string& cell : header.cells) {
    if (auto bad = FindInvalidUtf8(cell)) {
      return FileError(kFmt, where_header + " is not valid UTF-8 text; save the file as CSV UTF-8");
    }
  }
  // Column index -> field ("" ignored).
  std::vector<std::string> columns;
  std::set<std::string> seen;
  std::vector<std::string> ignored;
  for (const std::string& cell : header.cells) {
    std::string field = ColumnField(cell);
    if (!field.empty() && !seen.insert(field).second) {
      return FileError(kFmt, where_header + " has the column " + field + " twice");
    }
    if (field.empty() && !Trim(cell).empty()) ignored.push_back(std::string(Trim(cell)));
    columns.push_back(field);
  }
  if (!seen.count("name")) {
    return FileError(kFmt, "the first line must be a header naming the columns (" + std::string(kKnownColumns) +
                               "); it has no name column");
  }
  if (!ignored.empty()) {
    std::string list;
    for (const std::string& c : ignored) list += (list.empty() ? "" : ", ") + c;
    out.warnings.push_back({header.line, "ignored the columns " + list + " (known columns: " + kKnownColumns + ")"});
  }
  bool any = false;
  for (; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    if (IsBlank(rec)) continue;
    any = true;
    if (!rec.error.empty()) {
      out.errors.push_back({rec.line, rec.error});
      continue;
    }
    if (rec.cells.size() != columns.size()) {
      out.errors.push_back({rec.line, std::to_string(rec.cells.size()) + " values, but the header has " +
                                          std::to_string(columns.size()) + " columns"});
      continue;
    }
    bool utf8_ok = true;
    for (const std::string& cell : rec.cells) {
      if (auto bad = FindInvalidUtf8(cell)) {
        out.errors.push_back({rec.line, "the row is not valid UTF-8 text (in " + Quoted(Utf8Prefix(cell, *bad)) +
                                            "...); save the file as CSV UTF-8"});
        utf8_ok = false;
        break;
      }
    }
    if (!utf8_ok) continue;
    json given = json::object();
    std::vector<std::string> number_errors;
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string& field = columns[c];
      std::string_view value = Trim(rec.cells[c]);
      if (field.empty() || value.empty()) continue;
      if (field == "lat" || field == "lon") {
        Result<double> v = ParseDecimal(field, value);
        if (v.ok()) {
          given[field] = *v;
        } else {
          number_errors.push_back(v.status().message());
          given[field] = nullptr;  // given, but bad: keeps "lat and lon go together" quiet
        }
      } else {
        given[field] = std::string(value);
      }
    }
    for (std::string& e : number_errors) out.errors.push_back({rec.line, std::move(e)});
    if (!number_errors.empty()) {
      for (const char* f : {"lat", "lon"}) {
        if (given.contains(f) && given[f].is_null()) given.erase(f);
      }
      if (given.contains("lat") != given.contains("lon")) given.erase(given.contains("lat") ? "lat" : "lon");
    }
    AddRow(rec.line, std::move(given), &out);
  }
  if (!any && out.errors.empty()) return FileError(kFmt, "the file has a header but no sites");
  Finish(&out);
  return out;
}

// ---- GeoJSON --------------------------------------------------------------

namespace {

const char* JsonTypeWord(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "true or false";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "text";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "something else";
  }
}

// WGS 84 longitude/latitude, as QGIS names it in "crs" (older exports) or GeoJSON 2008 did.
bool IsWgs84Name(const std::string& name) {
  return name.find("CRS84") != std::string::npos || name.ends_with(":4326") || name.ends_with("::4326");
}

// Reads the position of one feature into `given`; returns an error message or "".
std::string ReadGeometry(const json& feature, json* given) {
  auto g = feature.find("geometry");
  if (g == feature.end() || g->is_null()) return "";  // a site without a position
  if (!g->is_object()) return "the geometry must be an object";
  auto type = g->find("type");
  if (type == g->end() || !type->is_string()) return "the geometry has no type";
  const std::string t = type->get<std::string>();
  auto coords = g->find("coordinates");
  if (t != "Point" && t != "MultiPoint") {
    return "the geometry is a " + t +
           "; only points can be imported as sites (in QGIS, Vector > Geometry Tools > Centroids makes points)";
  }
  if (coords == g->end() || !coords->is_array()) return "the " + t + " has no coordinates";
  const json* position = &*coords;
  if (t == "MultiPoint") {
    if (coords->empty()) return "";
    if (coords->size() > 1) {
      return "the MultiPoint has " + std::to_string(coords->size()) + " points; a site is one point";
    }
    position = &(*coords)[0];
    if (!position->is_array()) return "the MultiPoint's coordinates must be [lon, lat] lists";
  }
  if (position->empty()) return "";  // an empty point: no position
  if (position->size() < 2 || position->size() > 3 || !(*position)[0].is_number() || !(*position)[1].is_number()) {
    return "the coordinates must be [lon, lat] numbers";
  }
  (*given)["lon"] = (*position)[0];
  (*given)["lat"] = (*position)[1];
  return "";
}

}  // namespace

SiteFile ParseSitesGeoJson(std::string_view input) {
  constexpr SiteFileFormat kFmt = SiteFileFormat::kGeoJson;
  if (input.size() > kMaxSiteFileBytes) {
    return FileError(kFmt, "the file is larger than " + std::to_string(kMaxSiteFileBytes >> 20) + " MiB");
  }
  const std::string_view text = StripBom(input);
  if (Trim(text).empty()) return FileError(kFmt, "the file is empty; nothing to import");
  Result<json> parsed = ParseUntrustedJson(text, "the file", kMaxSiteJsonDepth);
  if (!parsed.ok()) {
    std::string why = parsed.status().message();
    if (why.find("levels deep") != std::string::npos) why += "; a GeoJSON FeatureCollection of points needs 5";
    if (why.find("UTF-8") != std::string::npos) why += "; save it as UTF-8";
    return FileError(kFmt, why);
  }
  json doc = std::move(*parsed);
  if (!doc.is_object() || !doc.contains("type") || doc["type"] != "FeatureCollection") {
    return FileError(kFmt, "the file must be a GeoJSON FeatureCollection ({\"type\": \"FeatureCollection\", ...})");
  }
  if (auto crs = doc.find("crs"); crs != doc.end() && crs->is_object()) {
    const json* name = nullptr;
    if (auto p = crs->find("properties"); p != crs->end() && p->is_object()) {
      if (auto nm = p->find("name"); nm != p->end() && nm->is_string()) name = &*nm;
    }
    if (name && !IsWgs84Name(name->get<std::string>())) {
      return FileError(kFmt, "the coordinates are in " + name->get<std::string>() +
                                 "; sites need WGS 84 longitude/latitude: export the layer with CRS EPSG:4326");
    }
  }
  auto features = doc.find("features");
  if (features == doc.end() || !features->is_array()) return FileError(kFmt, "the file has no \"features\" list");
  if (features->empty()) return FileError(kFmt, "the FeatureCollection has no features; nothing to import");

  SiteFile out;
  out.format = kFmt;
  std::set<std::string> ignored;
  int number = 0;
  for (const json& feature : *features) {
    ++number;
    if (!feature.is_object() || feature.value("type", json()) != "Feature") {
      out.errors.push_back({number, "is not a GeoJSON Feature ({\"type\": \"Feature\", ...})"});
      continue;
    }
    json given = json::object();
    std::vector<std::string> errors;
    if (std::string e = ReadGeometry(feature, &given); !e.empty()) errors.push_back(e);
    auto props = feature.find("properties");
    if (props != feature.end() && !props->is_null() && !props->is_object()) {
      errors.push_back("the properties must be an object");
    } else if (props != feature.end() && props->is_object()) {
      for (const auto& [key, value] : props->items()) {
        const std::string lk = Lower(key);
        bool known = false;
        for (std::string_view f : kTextFields) known = known || lk == f;
        if (!known) {
          ignored.insert(key);
          continue;
        }
        // "name" wins over "Name" when a feature has both.
        if (given.contains(lk) && key != lk) continue;
        if (value.is_null()) {
          given.erase(lk);
        } else if (value.is_string()) {
          std::string_view s = Trim(value.get_ref<const std::string&>());
          if (s.empty()) {
            given.erase(lk);
          } else {
            given[lk] = std::string(s);
          }
        } else if (value.is_number_integer() || value.is_number_unsigned()) {
          given[lk] = value.dump();  // a ward number, say
        } else {
          errors.push_back("the property " + key + " must be text, not " + JsonTypeWord(value));
        }
      }
    }
    for (std::string& e : errors) out.errors.push_back({number, std::move(e)});
    if (errors.empty()) AddRow(number, std::move(given), &out);
  }
  if (!ignored.empty()) {
    std::string list;
    for (const std::string& k : ignored) list += (list.empty() ? "" : ", ") + k;
    out.warnings.push_back({0, "ignored the properties " + list + " (known: name, kind, ward, address)"});
  }
  Finish(&out);
  return out;
}

SiteFile ParseSiteFile(std::string_view text, std::string_view file_name) {
  const std::string name = Lower(file_name);
  if (name.ends_with(".csv")) return ParseSitesCsv(text);
  if (name.ends_with(".geojson") || name.ends_with(".json")) return ParseSitesGeoJson(text);
  std::string_view body = Trim(StripBom(text));
  if (body.starts_with("{")) return ParseSitesGeoJson(text);
  return ParseSitesCsv(text);
}

std::string SiteImportWhere(SiteFileFormat format, int line) {
  if (line <= 0) return "";
  return (format == SiteFileFormat::kCsv ? "line " : "feature ") + std::to_string(line);
}

std::string DescribeSiteImportIssue(SiteFileFormat format, const SiteImportError& issue) {
  if (issue.line <= 0) return issue.message;
  return SiteImportWhere(format, issue.line) + ": " + issue.message;
}

// ---- Matching -------------------------------------------------------------

namespace {

using SiteKey = std::pair<std::string, std::string>;  // name, kind ("" when absent)

SiteKey KeyOf(const json& fields) {
  auto text = [&](const char* f) {
    auto it = fields.find(f);
    return it != fields.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  return {text("name"), text("kind")};
}

// The row's fields whose value differs on the site.
json Diff(const json& row, const json& site) {
  json d = json::object();
  for (const auto& [k, v] : row.items()) {
    auto it = site.find(k);
    if (it == site.end() || *it != v) d[k] = v;
  }
  return d;
}

}  // namespace

SiteImportPlan PlanSiteImport(const std::vector<SiteImportRow>& rows, const std::vector<ExistingSite>& existing) {
  SiteImportPlan plan;
  plan.steps.resize(rows.size());
  std::vector<bool> row_done(rows.size(), false);
  std::vector<bool> taken(existing.size(), false);
  std::map<SiteKey, std::vector<size_t>> by_key;  // existing sites per key
  for (size_t e = 0; e < existing.size(); ++e) by_key[KeyOf(existing[e].fields)].push_back(e);

  // 1. Rows that equal a site: unchanged.
  for (size_t r = 0; r < rows.size(); ++r) {
    plan.steps[r].row = r;
    auto it = by_key.find(KeyOf(rows[r].fields));
    if (it == by_key.end()) continue;
    for (size_t e : it->second) {
      if (taken[e] || !Diff(rows[r].fields, existing[e].fields).empty()) continue;
      taken[e] = true;
      row_done[r] = true;
      plan.steps[r].site_id = existing[e].id;
      ++plan.unchanged;
      break;
    }
  }
  // 2. One row left and one site left with the same key: an update.
  std::map<SiteKey, std::vector<size_t>> rows_left;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!row_done[r]) rows_left[KeyOf(rows[r].fields)].push_back(r);
  }
  for (const auto& [key, rs] : rows_left) {
    if (rs.size() != 1) continue;
    auto it = by_key.find(key);
    if (it == by_key.end()) continue;
    std::optional<size_t> only;
    int free = 0;
    for (size_t e : it->second) {
      if (!taken[e]) {
        only = e;
        ++free;
      }
    }
    if (free != 1) continue;
    const size_t r = rs[0];
    taken[*only] = true;
    row_done[r] = true;
    plan.steps[r].site_id = existing[*only].id;
    plan.steps[r].fields = Diff(rows[r].fields, existing[*only].fields);
    ++plan.updated;
  }
  // 3. The rest: new sites.
  for (size_t r = 0; r < rows.size(); ++r) {
    if (row_done[r]) continue;
    plan.steps[r].fields = rows[r].fields;
    ++plan.created;
  }
  return plan;
}

}  // namespace ccfield
