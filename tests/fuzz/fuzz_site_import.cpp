// Fuzz target: reading site files (core/site_import.h), CSV and GeoJSON, as
// `ccfield import sites` and `ccfield-server admin import-sites` do.
// Checks: no crash and no exception; all or nothing (errors mean no rows,
// each error has a message); every row has a name; the rows of a file,
// planned against sites equal to themselves, change nothing (importing the
// same file twice is harmless).
#include <cstdint>
#include <string>
#include <vector>

#include "ccfield/core/site_import.h"
#include "fuzz_check.h"

namespace {

void Check(const ccfield::SiteFile& f) {
  if (!f.ok()) {
    FUZZ_CHECK(f.rows.empty(), "a file with errors yielded rows");
    for (const auto& e : f.errors) {
      FUZZ_CHECK(!e.message.empty(), "error without a message");
      (void)ccfield::DescribeSiteImportIssue(f.format, e);
    }
    return;
  }
  std::vector<ccfield::ExistingSite> existing;
  for (const ccfield::SiteImportRow& row : f.rows) {
    FUZZ_CHECK(row.fields.is_object(), "row fields are not an object");
    auto name = row.fields.find("name");
    FUZZ_CHECK(name != row.fields.end() && name->is_string() && !name->get_ref<const std::string&>().empty(),
               "row without a name: " + row.fields.dump());
    FUZZ_CHECK(row.fields.contains("lat") == row.fields.contains("lon"), "lat without lon: " + row.fields.dump());
    existing.push_back({"site-" + std::to_string(existing.size()), row.fields});
  }
  for (const auto& w : f.warnings) FUZZ_CHECK(!w.message.empty(), "warning without a message");
  ccfield::SiteImportPlan plan = ccfield::PlanSiteImport(f.rows, existing);
  FUZZ_CHECK(plan.steps.size() == f.rows.size(), "plan has not one step per row");
  FUZZ_CHECK(plan.unchanged == static_cast<int>(f.rows.size()),
             "importing a file over its own sites changes " +
                 std::to_string(f.rows.size() - static_cast<size_t>(plan.unchanged)) + " of them");
  (void)ccfield::PlanSiteImport(f.rows, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = ccfield::fuzz::AsText(data, size);
  Check(ccfield::ParseSitesCsv(text));
  Check(ccfield::ParseSitesGeoJson(text));
  Check(ccfield::ParseSiteFile(text, "sites"));
  return 0;
}
