#pragma once
// The app's screens and the small value types commands and states share.
#include <optional>
#include <string>

namespace ccfield::app {

enum class Screen { kHome, kSites, kVisits, kEditor, kLibrary, kHistory, kConflicts, kSync, kSettings };
inline constexpr Screen kNavScreens[] = {Screen::kHome,     Screen::kSites,     Screen::kVisits,
                                         Screen::kLibrary,  Screen::kConflicts, Screen::kSync,
                                         Screen::kSettings};

enum class Theme { kDark, kLight, kHighContrast };

// The visit list's filters as a person sets them ("" = any).
struct VisitFilterState {
  std::string site_id, project_id, form_id;
  std::string from_date, to_date;  // YYYY-MM-DD
  std::string priority;            // "P1".."P3": open follow-ups of that priority
  std::string search;              // full-text; results keep the other filters
  std::string state;               // RecordStateName: "draft", "waiting", "sent", "refused", "conflict", "demo"
  bool operator==(const VisitFilterState&) const = default;
};

}  // namespace ccfield::app
