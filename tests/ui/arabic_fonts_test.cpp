// The Arabic face in the font atlas (views/fonts.h): as large as the Latin
// text to the eye, and its below-marks clear of the letters' tails.
#include <doctest/doctest.h>
#include <imgui.h>

#include <string>
#include <vector>

#include "text/i18n.h"
#include "views/fonts.h"
#include "views/mirror.h"

namespace ccfield::views {
namespace {

// The atlas the window builds for the Arabic UI at 18 px.
class ArabicAtlas {
 public:
  ArabicAtlas() : ctx_(ImGui::CreateContext()) {
    std::string error;
    built = BuildFonts(WantedScripts("ar"), 18.0f, &error);
    INFO(error);
    font = ImGui::GetIO().Fonts->Fonts[0];
  }
  ~ArabicAtlas() { ImGui::DestroyContext(ctx_); }
  const ImFontGlyph& Glyph(ImWchar c) const {
    const ImFontGlyph* g = font->FindGlyphNoFallback(c);
    REQUIRE_MESSAGE(g != nullptr, "no glyph for code point ", static_cast<int>(c));
    return *g;
  }
  bool built = false;
  ImFont* font = nullptr;

 private:
  ImGuiContext* ctx_;
};

TEST_CASE("arabic fonts: an alef stands as tall as a Latin capital") {
  ArabicAtlas a;
  REQUIRE(a.built);
  const ImFontGlyph& h = a.Glyph('H');
  const ImFontGlyph& alef = a.Glyph(0x0627);
  // Both sit on the baseline; their tops meet within a pixel and a half.
  CHECK(alef.Y1 == doctest::Approx(h.Y1).epsilon(0.12));
  CHECK((alef.Y1 - alef.Y0) == doctest::Approx(h.Y1 - h.Y0).epsilon(0.12));
  CHECK((alef.Y1 - alef.Y0) > 0.6f * 18.0f * 0.9f);
}

TEST_CASE("arabic fonts: the tanwin of عالٍ is drawn below the lam's tail, not through it") {
  ArabicAtlas a;
  REQUIRE(a.built);
  const ImFontGlyph& lam = a.Glyph(0xFEDD);       // lam, isolated form (its tail dips below the baseline)
  const ImFontGlyph& kasratan = a.Glyph(0x064D);  // ٍ
  CHECK(kasratan.AdvanceX == 0);                  // a mark: drawn on the letter that follows in drawing order
  CHECK(kasratan.Y0 >= lam.Y1 - 1.0f);            // its top below the tail's bottom (a pixel of anti-aliasing)
  CHECK(kasratan.X0 >= 0);                        // right of the pen: over the letter drawn next
  CHECK(kasratan.X1 <= lam.AdvanceX + 1.0f);
}

// Draws `text` in a display-wide window of the Arabic atlas, mirrors the
// frame as the window does in a right-to-left language, and returns the left
// x of each glyph quad, in drawing order, before and after.
struct Drawn {
  std::vector<float> before, after;
};
Drawn DrawAndMirror(const std::string& text) {
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(800, 100);
  io.DeltaTime = 1.0f / 60;
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(intptr_t{1}));
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("t", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground);
  ImDrawList* list = ImGui::GetWindowDrawList();
  const int a = list->VtxBuffer.Size;
  ImGui::TextUnformatted(text.c_str());
  const int b = list->VtxBuffer.Size;
  Drawn d;
  for (int i = a; i + 3 < b; i += 4) d.before.push_back(list->VtxBuffer[i].pos.x);
  MirrorDrawList(list, CurrentMirrorOptions(), {});
  for (int i = a; i + 3 < b; i += 4) d.after.push_back(list->VtxBuffer[i].pos.x);
  ImGui::End();
  ImGui::Render();
  return d;
}

TEST_CASE("arabic fonts: a sentence with isolated values mirrors as one run, its values in place") {
  ArabicAtlas a;
  REQUIRE(a.built);
  const std::string previous = ui::CurrentCatalog().code();
  REQUIRE(ui::SetLanguage("ar").empty());
  // The Home counts line: values between isolate marks (FSI, PDI) in a
  // sentence already in display order.
  const std::string line = ui::Format(
      ui::tr("Sites: {sites} · visits: {visits} · projects: {projects} · good practices: {practices}"),
      {{"sites", "15"}, {"visits", "14"}, {"projects", "7"}, {"practices", "13"}});
  REQUIRE(line.find("\xE2\x81\xA8") != std::string::npos);
  const Drawn d = DrawAndMirror(line);
  (void)ui::SetLanguage(previous);
  // The isolate marks draw nothing: no quad of their own.
  size_t visible = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) != 0x80 && c != ' ') ++visible;  // one code point, not a space
  }
  CHECK(d.before.size() == visible - 8);  // 4 values, each between 2 marks
  // One run: every glyph moved by the same mirror of the line's box, so the
  // glyphs keep their order and spacing (the values stay next to their labels).
  REQUIRE(d.after.size() == d.before.size());
  for (size_t i = 1; i < d.after.size(); ++i) {
    CHECK(d.after[i] - d.after[0] == doctest::Approx(d.before[i] - d.before[0]));
  }
}

}  // namespace
}  // namespace ccfield::views
