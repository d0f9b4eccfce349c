#include "ccfield/core/export.h"

#include <iomanip>
#include <map>
#include <set>

#include "ccfield/core/json_text.h"

namespace ccfield {

using nlohmann::json;

namespace {

// RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do
// not run field text as a formula.
std::string CsvCell(const std::string& s) {
  std::string v = s;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) {
    bool numeric = v.find_first_not_of("+-0123456789.eE") == std::string::npos;
    if (!numeric) v = "'" + v;
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Plain(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_array()) {
    std::string out;
    for (const json& x : v) out += (out.empty() ? "" : "; ") + Plain(x);
    return out;
  }
  return JsonForOutput(v);
}

// The answers a report shows: answers to hidden fields stay stored (a worker
// may switch back) but are left out of reports and exports (docs/forms.md).
json ShownAnswers(const FormDef* form, const json& answers) {
  json out = json::object();
  if (!form || !answers.is_object()) return out;
  for (const auto& [id, value] : answers.items()) {
    const FormField* field = form->Find(id);
    if (field && IsShown(*form, *field, answers)) out[id] = value;
  }
  return out;
}

Result<std::vector<Record>> All(Store* store, RecordType type) {
  std::vector<Record> out;
  ListQuery q;
  q.type = type;
  q.limit = 2000;
  while (true) {
    CCF_ASSIGN_OR_RETURN(std::vector<Record> page, store->List(q));
    for (Record& r : page) out.push_back(std::move(r));
    if (static_cast<int>(page.size()) < q.limit) break;
    q.offset += q.limit;
  }
  return out;
}

}  // namespace

Status ExportVisitsCsv(Store* store, std::ostream& out, const std::string& lang) {
  CCF_ASSIGN_OR_RETURN(std::vector<Record> visits, All(store, RecordType::kVisit));
  CCF_ASSIGN_OR_RETURN(std::vector<Record> sites, All(store, RecordType::kSite));
  std::map<std::string, std::string> site_names;
  for (const Record& s : sites) site_names[s.id] = s.Title();
  // One column per answer field of each form that occurs, in form order. All
  // versions of a form share a column per field id: analysis across versions
  // joins on field id (docs/forms.md).
  std::vector<std::pair<std::string, std::string>> answer_cols;  // form id, field id
  std::set<std::pair<std::string, std::string>> seen_cols;
  std::set<std::string> seen_forms;
  for (const Record& v : visits) {
    std::string key = Plain(v.Get("form"));
    if (!seen_forms.insert(key).second) continue;
    if (const FormDef* f = store->FindForm(key)) {
      for (const FormField& field : f->fields) {
        if (seen_cols.emplace(f->id, field.id).second) answer_cols.emplace_back(f->id, field.id);
      }
    }
  }
  const char* const kFixed[] = {"id", "site_id", "site_name", "form", "status", "started_at", "ended_at",
                                "inspector_id", "gps_lat", "gps_lon", "gps_accuracy_m", "gps_source",
                                "weather", "condition_rating", "follow_up_needed", "follow_up_action",
                                "follow_up_priority", "follow_up_due", "language", "sdg_targets", "notes"};
  out << "\xEF\xBB\xBF";  // BOM: spreadsheet programs then read UTF-8 correctly
  bool first = true;
  for (const char* c : kFixed) {
    out << (first ? "" : ",") << c;
    first = false;
  }
  for (const auto& [form_id, field_id] : answer_cols) out << "," << CsvCell(form_id + "." + field_id);
  out << "\r\n";
  for (const Record& v : visits) {
    for (const char* c : kFixed) {
      std::string cell;
      if (std::string_view(c) == "id") {
        cell = v.id;
      } else if (std::string_view(c) == "site_name") {
        cell = site_names[Plain(v.Get("site_id"))];
      } else {
        cell = Plain(v.Get(c));
      }
      out << (std::string_view(c) == "id" ? "" : ",") << CsvCell(cell);
    }
    // Each visit's answers are read with its own form version.
    const FormDef* form = store->FindForm(Plain(v.Get("form")));
    const json answers = ShownAnswers(form, v.Get("answers"));
    for (const auto& [form_id, field_id] : answer_cols) {
      std::string cell;
      const FormField* field = form && form->id == form_id ? form->Find(field_id) : nullptr;
      if (field && answers.contains(field_id)) cell = FormatAnswer(*field, answers[field_id], lang);
      out << "," << CsvCell(cell);
    }
    out << "\r\n";
  }
  if (!out) return Status::IoError("writing the CSV export failed");
  return Status::Ok();
}

namespace {

bool HasPosition(const Record& r, const char* lat, const char* lon) {
  return r.Get(lat).is_number() && r.Get(lon).is_number();
}

// `r` as a GeoJSON point at its `lat`/`lon` fields, with `props` and its type and id.
json PointFeature(const Record& r, const char* record_type, json props, const char* lat, const char* lon) {
  props["record_type"] = record_type;
  props["id"] = r.id;
  return {{"type", "Feature"},
          {"id", r.id},
          {"geometry", {{"type", "Point"}, {"coordinates", {r.Get(lon), r.Get(lat)}}}},
          {"properties", props}};
}

}  // namespace

Status ExportGeoJson(Store* store, std::ostream& out, int* skipped) {
  json features = json::array();
  int missing = 0;
  CCF_ASSIGN_OR_RETURN(std::vector<Record> sites, All(store, RecordType::kSite));
  for (const Record& s : sites) {
    if (!HasPosition(s, "lat", "lon")) {
      ++missing;
      continue;
    }
    features.push_back(PointFeature(s, "site", s.fields, "lat", "lon"));
  }
  CCF_ASSIGN_OR_RETURN(std::vector<Record> visits, All(store, RecordType::kVisit));
  for (const Record& v : visits) {
    if (!HasPosition(v, "gps_lat", "gps_lon")) {
      ++missing;
      continue;
    }
    json props = json::object();
    for (const auto& [k, val] : v.fields.items()) {
      // QGIS shows nested objects as text; keep answers as one JSON string.
      props[k] = k == "answers" ? json(JsonForOutput(ShownAnswers(store->FindForm(Plain(v.Get("form"))), val))) : val;
    }
    features.push_back(PointFeature(v, "visit", std::move(props), "gps_lat", "gps_lon"));
  }
  json doc = {{"type", "FeatureCollection"}, {"name", "ccfield"}, {"features", features}};
  out << JsonForOutput(doc, 1) << "\n";
  if (skipped) *skipped = missing;
  if (!out) return Status::IoError("writing the GeoJSON export failed");
  return Status::Ok();
}

}  // namespace ccfield
