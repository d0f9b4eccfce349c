#include "views/fonts.h"

#include <imgui.h>

#include <vector>

#include "text/scripts.h"

namespace ccfield::views {
namespace {

unsigned g_seen = 0;
// ImGui keeps pointers to the glyph ranges until the atlas is rebuilt.
std::vector<std::vector<uint16_t>> g_ranges;

}  // namespace

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
  for (const ui::FontFace& face : faces) {
    g_ranges.push_back(ui::GlyphRanges(face.scripts & scripts));
    ImFontConfig cfg;
    cfg.MergeMode = !first;
    cfg.OversampleH = 1;  // a smaller atlas: memory matters on 1 GB tablets
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    // Noto's Arabic and Ethiopic faces reserve tall ascenders, so at the same
    // pixel height their letters come out smaller than DejaVu's: scale them up.
    const bool tall = face.path.find("Arabic") != std::string::npos || face.path.find("Ethiopic") != std::string::npos;
    if (atlas->AddFontFromFileTTF(face.path.c_str(), tall && !first ? size_px * 1.45f : size_px, &cfg,
                                  reinterpret_cast<const ImWchar*>(g_ranges.back().data()))) {
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
  atlas->Build();
  return true;
}

}  // namespace ccfield::views
