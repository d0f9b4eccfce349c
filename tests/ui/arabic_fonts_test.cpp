// The Arabic face in the font atlas (views/fonts.h): as large as the Latin
// text to the eye, and its below-marks clear of the letters' tails.
#include <doctest/doctest.h>
#include <imgui.h>

#include <string>

#include "views/fonts.h"

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

}  // namespace
}  // namespace ccfield::views
