// Arabic in the real window (issue 13), judged on its screenshots: the
// navigation is mirrored to the right, and the Home sync sentence is drawn
// shaped and in right-to-left order — compared pixel by pixel against a
// reference rendering of the same sentence made here, by GNU FriBidi and the
// same fonts in an ImGui font atlas, independently of the app's bidi code.
#include <doctest/doctest.h>
#include <fribidi.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app_process.h"
#include "app_test_util.h"
#include "text/bidi.h"
#include "text/i18n.h"
#include "text/utf8.h"
#include "views/fonts.h"

namespace ccfield::testing {
namespace {

constexpr const char* kSyncSentence =
    "Sync is not set up: everything is kept on this device. Add a server in Settings.";
// Its Arabic translation as typed (data/i18n/ar.json), in logical order.
constexpr const char* kSyncSentenceAr = "المزامنة غير مُعدّة: يُحتفظ بكل شيء على هذا الجهاز. أضف خادمًا في الإعدادات.";

// Runs the app in `language` on Home and returns its screenshot.
Image HomeShot(const TempDir& dir, const std::string& language) {
  const std::string data = dir.File("data_" + language);
  std::filesystem::create_directories(data);
  std::FILE* f = std::fopen((data + "/ui-settings.json").c_str(), "w");
  REQUIRE(f);
  std::fprintf(f, "{\"language\": \"%s\"}\n", language.c_str());
  std::fclose(f);
  REQUIRE(ui::SetLanguage(language).empty());
  const std::string shot = dir.File("home_" + language + ".png");
  const std::vector<std::string> script = {"expect " + std::string(ui::tr("New visit")), "wait 200", "shot " + shot,
                                           "quit"};
  (void)ui::SetLanguage("en");
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, language + ".txt", script)),
                 dir.File("app_" + language));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  if (const char* keep = std::getenv("CCFIELD_SHOTS")) {
    std::error_code ec;
    std::filesystem::copy_file(shot, std::string(keep) + "/rtl_home_" + language + ".png",
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  std::optional<Image> image = LoadPng(shot);
  REQUIRE(image);
  return *image;
}

// Mean x of the pixels of exactly `colour` in rows [0, rows); -1 if none.
double MeanX(const Image& im, uint32_t colour, int rows) {
  double sum = 0;
  size_t n = 0;
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < im.width; ++x) {
      if (im.Rgb(x, y) == colour) {
        sum += x;
        ++n;
      }
    }
  }
  return n == 0 ? -1 : sum / static_cast<double>(n);
}

// The selected navigation button's fill: the commonest strongly blue colour
// of the navigation band (the other buttons are a pale blue).
uint32_t SelectedFill(const Image& im, int rows) {
  std::map<uint32_t, size_t> counts;
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < im.width; ++x) {
      const uint32_t c = im.Rgb(x, y);
      if ((c & 0xFF) > 200 && (c >> 16) < 80) ++counts[c];
    }
  }
  uint32_t colour = 0;
  size_t most = 0;
  for (const auto& [c, n] : counts) {
    if (n > most) {
      most = n;
      colour = c;
    }
  }
  return colour;
}

// The sentence as FriBidi shapes and orders it for drawing left to right.
std::vector<char32_t> FriBidiVisual(const std::string& utf8) {
  std::vector<FriBidiChar> s;
  size_t pos = 0;
  while (pos < utf8.size()) s.push_back(ui::NextCodePoint(utf8, &pos));
  const auto n = static_cast<FriBidiStrIndex>(s.size());
  std::vector<FriBidiCharType> types(s.size());
  std::vector<FriBidiBracketType> brackets(s.size());
  std::vector<FriBidiLevel> levels(s.size());
  std::vector<FriBidiJoiningType> joining(s.size());
  fribidi_get_bidi_types(s.data(), n, types.data());
  fribidi_get_bracket_types(s.data(), n, types.data(), brackets.data());
  FriBidiParType dir = FRIBIDI_PAR_ON;
  REQUIRE(fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), n, &dir, levels.data()) != 0);
  fribidi_get_joining_types(s.data(), n, joining.data());
  std::vector<FriBidiArabicProp> props(joining.begin(), joining.end());
  fribidi_join_arabic(types.data(), n, levels.data(), props.data());
  const FriBidiFlags flags = FRIBIDI_FLAG_SHAPE_MIRRORING | FRIBIDI_FLAGS_ARABIC;
  fribidi_shape(flags, levels.data(), n, props.data(), s.data());
  REQUIRE(fribidi_reorder_line(flags, types.data(), n, 0, dir, levels.data(), s.data(), nullptr) != 0);
  std::vector<char32_t> out;
  for (FriBidiChar c : s) {
    if (c != 0xFEFF) out.push_back(c);  // the lam-alef filler has no glyph
  }
  return out;
}

// Coverage (0..1) of code points drawn left to right as ImFont::RenderText
// places them, with an ImGui atlas of the app's fonts for Arabic at 18 px.
struct Canvas {
  int width = 0, height = 0;
  std::vector<float> a;
  float at(int x, int y) const { return a[static_cast<size_t>(y) * width + x]; }
};

Canvas Render(const std::vector<char32_t>& cps) {
  ImGuiContext* ctx = ImGui::CreateContext();
  std::string error;
  REQUIRE_MESSAGE(views::BuildFonts(views::WantedScripts("ar"), 18.0f, &error), error);
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  unsigned char* alpha = nullptr;
  int tw = 0, th = 0;
  atlas->GetTexDataAsAlpha8(&alpha, &tw, &th);
  ImFont* font = atlas->Fonts[0];
  float width = 0;
  for (char32_t c : cps) width += font->FindGlyph(static_cast<ImWchar>(c))->AdvanceX;
  Canvas canvas;
  canvas.width = static_cast<int>(width) + 8;
  canvas.height = static_cast<int>(font->FontSize) + 12;
  canvas.a.assign(static_cast<size_t>(canvas.width) * canvas.height, 0.0f);
  float pen = 2;
  for (char32_t c : cps) {
    const ImFontGlyph* g = font->FindGlyph(static_cast<ImWchar>(c));
    const int u0 = static_cast<int>(std::lround(g->U0 * tw)), v0 = static_cast<int>(std::lround(g->V0 * th));
    const int x0 = static_cast<int>(pen + g->X0), y0 = static_cast<int>(2 + g->Y0);
    const int gw = static_cast<int>(std::lround(g->X1 - g->X0)), gh = static_cast<int>(std::lround(g->Y1 - g->Y0));
    for (int y = 0; y < gh; ++y) {
      for (int x = 0; x < gw; ++x) {
        const int cx = x0 + x, cy = y0 + y;
        if (cx < 0 || cy < 0 || cx >= canvas.width || cy >= canvas.height) continue;
        float& dst = canvas.a[static_cast<size_t>(cy) * canvas.width + cx];
        dst = std::min(1.0f, dst + static_cast<float>(alpha[static_cast<size_t>(v0 + y) * tw + u0 + x]) / 255.0f);
      }
    }
    pen += g->AdvanceX;
  }
  ImGui::DestroyContext(ctx);
  return canvas;
}

// How dark a pixel is against the screen's background: 0 background, 1 black.
float Ink(const Image& im, int x, int y, float background) {
  const uint32_t c = im.Rgb(x, y);
  const float lum = static_cast<float>(((c >> 16) & 0xFF) + ((c >> 8) & 0xFF) + (c & 0xFF)) / 3.0f;
  return std::clamp(1.0f - lum / background, 0.0f, 1.0f);
}

// The best place for `ref` in the screenshot: the share of the reference's
// inked pixels (coverage > 0.5) found inked (> 0.35) there, times the share of
// its blank pixels found blank (so that a filled area is no match), and its position
// (share 0 when no place passes a first look at 40 of those pixels).
struct Match {
  double share = 0;
  int x = -1, y = -1;
};

Match FindInScreen(const Image& im, const Canvas& ref) {
  const float background = static_cast<float>(im.Rgb(im.width / 2, im.height - 3) & 0xFF);
  std::vector<std::pair<int, int>> inked;
  for (int y = 0; y < ref.height; ++y) {
    for (int x = 0; x < ref.width; ++x) {
      if (ref.at(x, y) > 0.5f) inked.emplace_back(x, y);
    }
  }
  REQUIRE(inked.size() > 100);
  std::vector<std::pair<int, int>> blanks;  // pixels the reference leaves blank, well inside its box
  for (int y = 2; y + 2 < ref.height; ++y) {
    for (int x = 2; x + 2 < ref.width; ++x) {
      if (ref.at(x, y) < 0.02f) blanks.emplace_back(x, y);
    }
  }
  // A quick look at 40 pixels spread over the sentence first, then all.
  std::vector<std::pair<int, int>> probes;
  for (size_t i = 0; i < 40; ++i) probes.push_back(inked[i * inked.size() / 40]);
  Match found;
  for (int y = 0; y + ref.height <= im.height; ++y) {
    for (int x = 0; x + ref.width <= im.width; ++x) {
      int probe_misses = 0;
      for (const auto& [px, py] : probes) {
        if (Ink(im, x + px, y + py, background) <= 0.35f && ++probe_misses > 8) break;
      }
      if (probe_misses > 8) continue;
      size_t hits = 0;
      for (const auto& [px, py] : inked) hits += Ink(im, x + px, y + py, background) > 0.35f ? 1 : 0;
      // Text, not a dark area: where the reference is blank the screen must
      // mostly be too (a filled button matches any sentence's ink).
      size_t dark_blanks = 0;
      for (const auto& [px, py] : blanks) dark_blanks += Ink(im, x + px, y + py, background) > 0.35f ? 1 : 0;
      const double blank_dark = blanks.empty() ? 0.0 : static_cast<double>(dark_blanks) / static_cast<double>(blanks.size());
      const double share = static_cast<double>(hits) / static_cast<double>(inked.size()) * (1.0 - blank_dark);
      if (share > found.share) found = {share, x, y};
    }
  }
  return found;
}

TEST_CASE("app window rtl: in Arabic the navigation is on the right and the sync sentence is shaped right to left") {
  TempDir dir;
  const Image en = HomeShot(dir, "en");
  const Image ar = HomeShot(dir, "ar");
  REQUIRE(ar.width == kAppWidth);

  // The selected button (Home, the first of the navigation) is at the left
  // in English and at the right in Arabic.
  const int band = 60;
  const uint32_t fill = SelectedFill(en, band);
  REQUIRE(fill != 0);
  CHECK(SelectedFill(ar, band) == fill);
  const double en_x = MeanX(en, fill, band), ar_x = MeanX(ar, fill, band);
  INFO("Home button centre: English x = ", en_x, ", Arabic x = ", ar_x);
  CHECK(en_x > 0);
  CHECK(en_x < kAppWidth * 0.2);
  CHECK(ar_x > kAppWidth * 0.8);

  // The sync sentence: FriBidi's visual order drawn with the app's fonts is
  // found in the Arabic screenshot, glyph for glyph.
  REQUIRE(ui::SetLanguage("ar").empty());
  const std::string catalog = ui::tr(kSyncSentence);
  (void)ui::SetLanguage("en");
  REQUIRE(catalog == ui::VisualLine(kSyncSentenceAr));  // the catalog's translation of the sentence
  const std::vector<char32_t> visual = FriBidiVisual(kSyncSentenceAr);
  const Match shaped = FindInScreen(ar, Render(visual));
  INFO("shaped sentence: ", shaped.share * 100, " % of its inked pixels at x = ", shaped.x, ", y = ", shaped.y);
  // Measured 94.6 %: the misses are single edge pixels spread along the
  // sentence (anti-aliasing against the threshold), none a whole glyph.
  CHECK(shaped.share >= 0.9);
  CHECK(shaped.x > kAppWidth / 3);  // right-aligned next to the content's right edge

  // The same letters unshaped in typing order (what ImGui alone draws), or
  // shaped but in the wrong direction, are not what the window shows.
  std::vector<char32_t> typed;
  const std::string_view logical(kSyncSentenceAr);
  size_t pos = 0;
  while (pos < logical.size()) typed.push_back(ui::NextCodePoint(logical, &pos));
  const double typed_share = FindInScreen(ar, Render(typed)).share;
  const std::vector<char32_t> backwards(visual.rbegin(), visual.rend());
  const double backwards_share = FindInScreen(ar, Render(backwards)).share;
  INFO("typed order: ", typed_share * 100, " %, shaped but reversed: ", backwards_share * 100, " %");
  CHECK(typed_share < 0.5);
  CHECK(backwards_share < 0.5);
}

TEST_CASE("app window rtl: Arabic typed into a text box shows shaped and right to left while typing") {
  TempDir dir;
  const std::string data = dir.File("data");
  std::filesystem::create_directories(data);
  std::FILE* f = std::fopen((data + "/ui-settings.json").c_str(), "w");
  REQUIRE(f);
  std::fputs("{\"language\": \"ar\"}\n", f);
  std::fclose(f);
  const char* typed = "مضخة الحي 3";
  REQUIRE(ui::SetLanguage("ar").empty());
  const std::string shot = dir.File("typed.png");
  const std::vector<std::string> script = {"expect " + std::string(ui::tr("New visit")),
                                           "click " + std::string(ui::tr("Sites")),
                                           "click " + std::string(ui::tr("New site")),
                                           "click " + std::string(ui::tr("Site name")),
                                           "expect_focus " + std::string(ui::tr("Site name")),
                                           std::string("type ") + typed,
                                           "wait 200",
                                           "shot " + shot,
                                           "quit"};
  (void)ui::SetLanguage("en");
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "typed.txt", script)), dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  if (const char* keep = std::getenv("CCFIELD_SHOTS")) {
    std::error_code ec;
    std::filesystem::copy_file(shot, std::string(keep) + "/rtl_typed.png",
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  std::optional<Image> image = LoadPng(shot);
  REQUIRE(image);
  // The words as FriBidi shapes and orders them are in the box; the letters
  // as typed (unshaped, logical order) are not.
  const Match shaped = FindInScreen(*image, Render(FriBidiVisual(typed)));
  INFO("typed text: ", shaped.share * 100, " % of its inked pixels at x = ", shaped.x, ", y = ", shaped.y);
  CHECK(shaped.share >= 0.9);
  std::vector<char32_t> logical;
  const std::string_view t(typed);
  size_t pos = 0;
  while (pos < t.size()) logical.push_back(ui::NextCodePoint(t, &pos));
  const Match unshaped = FindInScreen(*image, Render(logical));
  INFO("unshaped letters: ", unshaped.share * 100, " % at x = ", unshaped.x, ", y = ", unshaped.y);
  CHECK(unshaped.share < 0.5);
}

}  // namespace
}  // namespace ccfield::testing
