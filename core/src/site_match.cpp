// Near-duplicate sites: the same kind within 50 m, or the same name ignoring
// case, accents and punctuation. Shown before saving, never blocking.

#include <cmath>

#include "ccfield/core/geo.h"
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "store_internal.h"

namespace ccfield {

namespace {

// Decodes one UTF-8 code point at `i` (valid UTF-8 assumed; invalid bytes map to themselves).
char32_t Next(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (*i + len > s.size()) len = 1;
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

// Base letters of U+00C0..U+017F (Latin-1 Supplement letters and Latin
// Extended-A), lower case; '\0' where the character is not a letter.
constexpr const char* kLatinBase =
    "aaaaaaaceeeeiiii" "dnooooo\0ouuuuyts"   // C0-DF (D7 ×; DE þ; DF ß)
    "aaaaaaaceeeeiiii" "dnooooo\0ouuuuyty"   // E0-FF (F7 ÷)
    "aaaaaaccccccccdd" "ddeeeeeeeeeegggg"   // 100-11F
    "gggghhhhiiiiiiii" "iiiijjkkklllllll"   // 120-13F
    "lllnnnnnnnnnoooo" "oooorrrrrrssssss"   // 140-15F
    "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";  // 160-17F

}  // namespace

std::string FoldForMatch(std::string_view text) {
  std::string out;
  bool space = true;  // drops leading separators
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = Next(text, &i);
    if (cp >= 'A' && cp <= 'Z') cp += 32;
    if (cp >= 0xC0 && cp <= 0x17F) {
      char base = kLatinBase[cp - 0xC0];
      cp = base ? static_cast<char32_t>(base) : cp;
    }
    if (cp >= 0x410 && cp <= 0x42F) cp += 0x20;  // Cyrillic upper case
    if (cp == 0x401 || cp == 0x451) cp = 0x435;  // Ё ё -> е
    const bool separator = cp < 0x80 ? !std::isalnum(static_cast<int>(cp)) : (cp >= 0x2000 && cp <= 0x206F);
    if (separator) {
      if (!space) out.push_back(' ');
      space = true;
      continue;
    }
    AppendUtf8(&out, cp);  // `cp` came from valid UTF-8: written back unchanged
    space = false;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Result<std::vector<SimilarSite>> ScreenQueries::SimilarSites(const SiteCandidate& c) {
  const std::string name = FoldForMatch(c.name);
  const bool has_position = c.lat && c.lon;
  std::vector<SimilarSite> out;
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
      "SELECT id, name, kind, lat, lon, workspace_id FROM sites WHERE deleted = 0 AND id != ?"));
  q.Bind(1, c.exclude_id);
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (!c.workspace_id.empty() && q.Text(5) != c.workspace_id) continue;
    SimilarSite s;
    s.id = q.Text(0);
    s.name = q.Text(1);
    s.kind = q.Text(2);
    s.same_name = !name.empty() && FoldForMatch(s.name) == name;
    if (has_position && !q.IsNull(3) && !q.IsNull(4)) {
      s.distance_m = DistanceMeters({*c.lat, *c.lon}, {q.Real(3), q.Real(4)});
      s.near_same_kind = !c.kind.empty() && s.kind == c.kind && *s.distance_m <= kSimilarSiteMeters;
    }
    if (s.same_name || s.near_same_kind) out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const SimilarSite& a, const SimilarSite& b) {
    return a.distance_m.value_or(1e12) < b.distance_m.value_or(1e12);
  });
  return out;
}

}  // namespace ccfield
