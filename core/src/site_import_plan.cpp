// Matching the rows of a site file with the sites a workspace already has
// (PlanSiteImport, site_import.h).
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ccfield/core/site_import.h"

namespace ccfield {

using nlohmann::json;

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
