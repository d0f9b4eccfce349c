// Reading a GeoJSON site file (ParseSitesGeoJson, site_import.h): the
// FeatureCollection, each feature's point and its properties.
#include <set>
#include <string>
#include <vector>

#include "ccfield/core/json_text.h"
#include "ccfield/core/site_import.h"
#include "ccfield/core/status.h"
#include "site_import_internal.h"

namespace ccfield {

using nlohmann::json;
using namespace site_import_internal;

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

// Parses the file and checks it is a FeatureCollection in WGS 84 with a
// "features" list. Returns the error that refuses the whole file, or "".
std::string ReadCollection(std::string_view text, json* doc) {
  Result<json> parsed = ParseUntrustedJson(text, "the file", kMaxSiteJsonDepth);
  if (!parsed.ok()) {
    std::string why = parsed.status().message();
    if (why.find("levels deep") != std::string::npos) why += "; a GeoJSON FeatureCollection of points needs 5";
    if (why.find("UTF-8") != std::string::npos) why += "; save it as UTF-8";
    return why;
  }
  *doc = std::move(*parsed);
  if (!doc->is_object() || !doc->contains("type") || (*doc)["type"] != "FeatureCollection") {
    return "the file must be a GeoJSON FeatureCollection ({\"type\": \"FeatureCollection\", ...})";
  }
  if (auto crs = doc->find("crs"); crs != doc->end() && crs->is_object()) {
    const json* name = nullptr;
    if (auto p = crs->find("properties"); p != crs->end() && p->is_object()) {
      if (auto nm = p->find("name"); nm != p->end() && nm->is_string()) name = &*nm;
    }
    if (name && !IsWgs84Name(name->get<std::string>())) {
      return "the coordinates are in " + name->get<std::string>() +
             "; sites need WGS 84 longitude/latitude: export the layer with CRS EPSG:4326";
    }
  }
  auto features = doc->find("features");
  if (features == doc->end() || !features->is_array()) return "the file has no \"features\" list";
  if (features->empty()) return "the FeatureCollection has no features; nothing to import";
  return "";
}

// Reads the known properties of one feature into `given` (trimmed text; an
// integer as its digits); an unknown property's name goes to `ignored`.
void ReadProperties(const json& feature, json* given, std::vector<std::string>* errors,
                    std::set<std::string>* ignored) {
  auto props = feature.find("properties");
  if (props != feature.end() && !props->is_null() && !props->is_object()) {
    errors->push_back("the properties must be an object");
    return;
  }
  if (props == feature.end() || !props->is_object()) return;
  for (const auto& [key, value] : props->items()) {
    const std::string lk = Lower(key);
    bool known = false;
    for (std::string_view f : kTextFields) known = known || lk == f;
    if (!known) {
      ignored->insert(key);
      continue;
    }
    // "name" wins over "Name" when a feature has both.
    if (given->contains(lk) && key != lk) continue;
    if (value.is_null()) {
      given->erase(lk);
    } else if (value.is_string()) {
      std::string_view s = Trim(value.get_ref<const std::string&>());
      if (s.empty()) {
        given->erase(lk);
      } else {
        (*given)[lk] = std::string(s);
      }
    } else if (value.is_number_integer() || value.is_number_unsigned()) {
      (*given)[lk] = value.dump();  // a ward number, say
    } else {
      errors->push_back("the property " + key + " must be text, not " + JsonTypeWord(value));
    }
  }
}

// Reads feature `number` (from 1) and appends its row or its errors to `out`.
void ReadFeature(int number, const json& feature, SiteFile* out, std::set<std::string>* ignored) {
  if (!feature.is_object() || feature.value("type", json()) != "Feature") {
    out->errors.push_back({number, "is not a GeoJSON Feature ({\"type\": \"Feature\", ...})"});
    return;
  }
  json given = json::object();
  std::vector<std::string> errors;
  if (std::string e = ReadGeometry(feature, &given); !e.empty()) errors.push_back(e);
  ReadProperties(feature, &given, &errors, ignored);
  for (std::string& e : errors) out->errors.push_back({number, std::move(e)});
  if (errors.empty()) AddRow(number, std::move(given), out);
}

}  // namespace

SiteFile ParseSitesGeoJson(std::string_view input) {
  constexpr SiteFileFormat kFmt = SiteFileFormat::kGeoJson;
  std::string_view text;
  if (std::optional<SiteFile> refused = RefuseBadSiteFile(kFmt, input, &text)) return std::move(*refused);
  json doc;
  if (std::string error = ReadCollection(text, &doc); !error.empty()) return FileError(kFmt, error);
  SiteFile out;
  out.format = kFmt;
  std::set<std::string> ignored;
  int number = 0;
  for (const json& feature : doc["features"]) ReadFeature(++number, feature, &out, &ignored);
  if (!ignored.empty()) {
    out.warnings.push_back({0, "ignored the properties " + JoinList(ignored) + " (known: name, kind, ward, address)"});
  }
  Finish(&out);
  return out;
}

}  // namespace ccfield
