#pragma once
// Which writing systems a text uses, and which glyphs and font files to load
// so they show. Dear ImGui only draws glyphs that were baked into its atlas
// at start-up, so the app asks here what to bake.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ccfield::ui {

// Bit flags; combine with |.
enum Script : unsigned {
  kLatin = 1u << 0,
  kGreek = 1u << 1,
  kCyrillic = 1u << 2,
  kGeorgian = 1u << 3,
  kArmenian = 1u << 4,
  kEthiopic = 1u << 5,
  kArabic = 1u << 6,
};
inline constexpr unsigned kAllScripts = kLatin | kGreek | kCyrillic | kGeorgian | kArmenian | kEthiopic | kArabic;

// The scripts of the letters in utf8 (digits, punctuation and symbols count
// for none). ASCII-only text is checked without decoding.
unsigned ScriptsIn(std::string_view utf8);

// The scripts a UI language needs, always with kLatin (digits, codes, names).
// Unknown codes give kLatin.
unsigned ScriptsForLanguage(std::string_view code);

// Dear ImGui glyph ranges (ImWchar is 16-bit in Debian's ImGui 1.86): pairs of
// first/last code point, sorted, not overlapping, ending with 0. Always holds
// Latin (with the extensions African orthographies use), general punctuation,
// super- and subscripts, currency and letterlike signs, the few mathematical
// signs the forms use (− ≈ ≠ ≤ ≥) and U+FFFD, plus the blocks of each script
// in `scripts`. tests/ui/glyphs_test.cpp checks that every character of the
// forms, catalogues and UI texts is covered.
// ImGui keeps the pointer until the atlas is built: keep the vector alive.
std::vector<uint16_t> GlyphRanges(unsigned scripts);

// A font file to load and the scripts to take from it (pass
// GlyphRanges(scripts) when loading it).
struct FontFace {
  std::string path;
  unsigned scripts;
};

// Debian font files covering `scripts` (kLatin is always added), best first:
// DejaVu Sans for Latin, Greek, Cyrillic, Georgian and Armenian, Noto Sans
// Arabic (full presentation forms, which DejaVu lacks in part), Noto Sans
// Ethiopic. Only existing files are returned. The first face is the base font,
// the others are merged into it (ImGui MergeMode). Scripts that no existing
// file covers are missing from every face: compare with the request to warn.
std::vector<FontFace> FontFiles(unsigned scripts);
// Same, with file existence decided by `exists` (for tests).
std::vector<FontFace> FontFiles(unsigned scripts, const std::function<bool(const std::string&)>& exists);

// Debian packages holding the fonts, for a "fonts missing" message.
const char* FontPackageHint();

}  // namespace ccfield::ui
