#pragma once
// Exports for spreadsheets and GIS.
#include <ostream>
#include <string>

#include "ccfield/core/status.h"
#include "ccfield/core/store.h"

namespace ccfield {

// Visits as CSV (RFC 4180, UTF-8): one row per visit with site name, form,
// times, position, follow-up, notes and one column per answer of the forms
// present ("<form id>.<field id>", shared by all versions of a form), labels
// in `lang`. Answers to hidden fields are left out, as in every export.
Status ExportVisitsCsv(Store* store, std::ostream& out, const std::string& lang);

// Sites and visits as a GeoJSON FeatureCollection (RFC 7946: WGS84,
// [lon, lat] order) that QGIS opens directly; records without a position are
// left out and counted in `*skipped` when given.
Status ExportGeoJson(Store* store, std::ostream& out, int* skipped = nullptr);

}  // namespace ccfield
