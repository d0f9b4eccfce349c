#include "views/fonts.h"

#include <imgui.h>

#include <fstream>
#include <iterator>
#include <map>
#include <vector>

#include "text/scripts.h"

// Debian's ImGui ships stb_truetype, which it uses to rasterise: read the
// fonts' metrics with it (static functions, this file only).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_TRUETYPE_IMPLEMENTATION
#define STBTT_STATIC
#include <imstb_truetype.h>
#pragma GCC diagnostic pop

namespace ccfield::views {
namespace {

unsigned g_seen = 0;
// ImGui keeps pointers to the glyph ranges until the atlas is rebuilt.
std::vector<std::vector<uint16_t>> g_ranges;

// The height of code point cp above the baseline as a fraction of the
// font's ascent - descent, which is what ImGui's pixel size spans. 0 when
// the file cannot be read or lacks the glyph. Cached per file.
float GlyphTopRatio(const std::string& path, char32_t cp) {
  static std::map<std::pair<std::string, char32_t>, float> cache;
  const auto key = std::make_pair(path, cp);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::ifstream in(path, std::ios::binary);
  const std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  float ratio = 0;
  stbtt_fontinfo info{};  // zeroed: GCC -O3 cannot see stbtt_InitFont fill every member
  if (!data.empty() && stbtt_InitFont(&info, data.data(), stbtt_GetFontOffsetForIndex(data.data(), 0)) != 0) {
    int ascent = 0, descent = 0, gap = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    stbtt_GetFontVMetrics(&info, &ascent, &descent, &gap);
    if (ascent > descent && stbtt_GetCodepointBox(&info, static_cast<int>(cp), &x0, &y0, &x1, &y1) != 0) {
      ratio = static_cast<float>(y1) / static_cast<float>(ascent - descent);
    }
  }
  cache[key] = ratio;
  return ratio;
}

// How much larger than the Latin face a merged face must be built so its
// letters look the same size. Noto's Arabic reserves tall ascenders and deep
// descenders for stacked marks, so at the same pixel height its letters come
// out small: its alef is drawn as tall as the Latin capitals (Noto Sans
// Arabic's alef is the height of Noto Sans' capitals by design).
float SizeFactor(const std::string& latin_path, const std::string& path) {
  if (path.find("Arabic") != std::string::npos) {
    const float latin = GlyphTopRatio(latin_path, U'H');
    const float alef = GlyphTopRatio(path, U'\u0627');
    if (latin > 0 && alef > 0) return latin / alef;
    return 1.45f;
  }
  if (path.find("Ethiopic") != std::string::npos) return 1.45f;
  return 1.0f;
}

// Arabic marks drawn below a letter (kasra, kasratan, hamza below) sit in
// Noto's outline just under the baseline, where a letter's tail or bowl also
// goes (the lam of "عالٍ"): without the font's mark positioning, which ImGui
// does not apply, they would be drawn through it. Lowered by 0.15 em, they
// clear the tails and still read as the letter's.
void LowerBelowMarks(ImFont* font, float size_px) {
  const float shift = static_cast<float>(static_cast<int>(size_px * 0.15f + 0.5f));
  for (const ImWchar mark : {0x064D, 0x0650, 0x0655, 0x0656}) {
    if (mark >= font->IndexLookup.Size || font->IndexLookup[mark] == static_cast<ImWchar>(-1)) continue;
    ImFontGlyph& g = font->Glyphs[font->IndexLookup[mark]];
    if (g.Codepoint != mark) continue;
    g.Y0 += shift;
    g.Y1 += shift;
  }
}

}  // namespace

float MergedFontFactor(const std::string& latin_path, const std::string& path) { return SizeFactor(latin_path, path); }

void NoteScripts(std::string_view text) {
  for (unsigned char ch : text) {
    if (ch >= 0x80) {
      g_seen |= ui::ScriptsIn(text);
      return;
    }
  }
}

unsigned WantedScripts(const std::string& language) {
  return ui::kLatin | ui::ScriptsForLanguage(language) | g_seen;
}

bool BuildFonts(unsigned scripts, float size_px, std::string* error) {
  static_assert(sizeof(ImWchar) == sizeof(uint16_t), "Debian's ImGui uses 16-bit ImWchar");
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  atlas->Clear();
  g_ranges.clear();
  std::vector<ui::FontFace> faces = ui::FontFiles(scripts);
  bool first = true;
  std::string first_path;
  for (const ui::FontFace& face : faces) {
    g_ranges.push_back(ui::GlyphRanges(face.scripts & scripts));
    ImFontConfig cfg;
    cfg.MergeMode = !first;
    cfg.OversampleH = 1;  // a smaller atlas: memory matters on 1 GB tablets
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    // Merged faces are scaled so their letters match the first face's size.
    const float factor = first ? 1.0f : SizeFactor(first_path, face.path);
    if (atlas->AddFontFromFileTTF(face.path.c_str(), size_px * factor, &cfg,
                                  reinterpret_cast<const ImWchar*>(g_ranges.back().data()))) {
      if (first) first_path = face.path;
      first = false;
    }
  }
  if (first) {
    ImFontConfig cfg;
    cfg.SizePixels = size_px;
    atlas->AddFontDefault(&cfg);
    if (error) *error = std::string("no font files found; install ") + ui::FontPackageHint();
    atlas->Build();
    return false;
  }
  // Bidi controls have no glyph of their own: the isolates i18n puts around
  // values and the direction marks draw as nothing (not as "?") wherever
  // text reaches ImGui without the bidi pass that removes them.
  // A custom rect is at least 1x1 texel, which ImGui would draw as a quad:
  // invisible, but a quad at the line's top that the right-to-left mirror
  // (mirror.h) reads as the end of a text run, reordering a sentence's values.
  constexpr ImWchar kBidiControls[] = {0x061C, 0x200E, 0x200F, 0x2066, 0x2067, 0x2068, 0x2069};
  for (ImWchar c : kBidiControls) atlas->AddCustomRectFontGlyph(atlas->Fonts[0], c, 1, 1, 0.0f);
  atlas->Build();
  for (ImWchar c : kBidiControls) {
    if (const ImFontGlyph* g = atlas->Fonts[0]->FindGlyphNoFallback(c)) const_cast<ImFontGlyph*>(g)->Visible = 0;
  }
  LowerBelowMarks(atlas->Fonts[0], size_px);
  return true;
}

}  // namespace ccfield::views
