#pragma once
// The site-kind catalogue (data/site_kinds.json, compiled in): the codes a
// site's "kind" may take, with labels in every UI language. Codes are stored
// and synced; labels are what people read (never show a raw code).
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/forms.h"  // Labels, PickLabel

namespace ccfield {

struct SiteKind {
  std::string code;  // "drain"
  Labels label;      // language -> text
};

// Every kind, in pick-list order. Never empty (a build defect aborts at first use).
const std::vector<SiteKind>& SiteKinds();
const SiteKind* FindSiteKind(std::string_view code);
bool IsSiteKind(std::string_view code);
// The label in `lang` (falling back to English); the code itself for an
// unknown code (data from a newer catalogue), "" for "".
std::string SiteKindLabel(std::string_view code, std::string_view lang);

}  // namespace ccfield
