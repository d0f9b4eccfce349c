// The pieces every site file reader shares: text helpers, the checks on a
// whole file and on one row, and the choice of reader (ParseSiteFile). The
// readers are site_import_csv.cpp and site_import_geojson.cpp; matching rows
// with the sites a workspace has is site_import_plan.cpp.
#include "ccfield/core/site_import.h"

#include <cmath>
#include <map>
#include <optional>

#include "ccfield/core/records.h"
#include "ccfield/core/site_kinds.h"
#include "ccfield/core/status.h"
#include "ccfield/core/text.h"
#include "site_import_internal.h"

namespace ccfield {

using nlohmann::json;

namespace site_import_internal {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

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

}  // namespace

std::string_view StripBom(std::string_view text) {
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  return text;
}

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

std::optional<SiteFile> RefuseBadSiteFile(SiteFileFormat format, std::string_view input, std::string_view* text) {
  if (input.size() > kMaxSiteFileBytes) {
    return FileError(format, "the file is larger than " + std::to_string(kMaxSiteFileBytes >> 20) + " MiB");
  }
  *text = StripBom(input);
  if (Trim(*text).empty()) return FileError(format, "the file is empty; nothing to import");
  return std::nullopt;
}

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

}  // namespace site_import_internal

using namespace site_import_internal;

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

}  // namespace ccfield
