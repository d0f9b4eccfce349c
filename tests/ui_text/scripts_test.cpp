// Script detection, ImGui glyph ranges and the font files that cover them.
#include "text/scripts.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <set>

namespace ccfield::ui {
namespace {

bool Covers(const std::vector<uint16_t>& ranges, char32_t c) {
  for (size_t i = 0; i + 1 < ranges.size(); i += 2) {
    if (c >= ranges[i] && c <= ranges[i + 1]) return true;
  }
  return false;
}

TEST_CASE("ui_text scripts: ScriptsIn names each script") {
  CHECK(ScriptsIn("Blocked drain") == kLatin);
  CHECK(ScriptsIn("Caniveau bouché") == kLatin);
  CHECK(ScriptsIn("ɓɛɔ") == kLatin);
  CHECK(ScriptsIn("Ελληνικά") == kGreek);
  CHECK(ScriptsIn("Русский") == kCyrillic);
  CHECK(ScriptsIn("ქართული") == kGeorgian);
  CHECK(ScriptsIn("Հայերեն") == kArmenian);
  CHECK(ScriptsIn("አማርኛ") == kEthiopic);
  CHECK(ScriptsIn("العربية") == kArabic);
  CHECK(ScriptsIn("\xEF\xBB\xBB") == kArabic);  // presentation form
  CHECK(ScriptsIn("Drain 12 مسدود") == (kLatin | kArabic));
  CHECK(ScriptsIn("12 — 3,5 € ×") == 0u);
  CHECK(ScriptsIn("") == 0u);
  CHECK(ScriptsIn("\xFF\xD8") == 0u);
}

TEST_CASE("ui_text scripts: each UI language needs Latin plus its own script") {
  CHECK(ScriptsForLanguage("en") == kLatin);
  CHECK(ScriptsForLanguage("fr") == kLatin);
  CHECK(ScriptsForLanguage("pt") == kLatin);
  CHECK(ScriptsForLanguage("ru") == (kLatin | kCyrillic));
  CHECK(ScriptsForLanguage("ka") == (kLatin | kGeorgian));
  CHECK(ScriptsForLanguage("hy") == (kLatin | kArmenian));
  CHECK(ScriptsForLanguage("am") == (kLatin | kEthiopic));
  CHECK(ScriptsForLanguage("ar") == (kLatin | kArabic));
  CHECK(ScriptsForLanguage("xx") == kLatin);
}

TEST_CASE("ui_text scripts: glyph ranges are sorted, disjoint and zero-terminated") {
  for (unsigned scripts : {0u, unsigned{kLatin}, unsigned{kArabic}, unsigned{kEthiopic | kGeorgian}, kAllScripts}) {
    const auto r = GlyphRanges(scripts);
    REQUIRE(r.size() % 2 == 1);
    CHECK(r.back() == 0);
    for (size_t i = 0; i + 1 < r.size(); i += 2) {
      CHECK(r[i] != 0);
      CHECK(r[i] <= r[i + 1]);
      if (i >= 2) CHECK(r[i] > r[i - 1] + 1);
    }
  }
}

TEST_CASE("ui_text scripts: glyph ranges hold the base set and each script's blocks") {
  const auto base = GlyphRanges(kLatin);
  for (char32_t c : {0x20, 0x7E, 0xE9, 0xFF, 0x17F, 0x2013, 0x2014, 0x2026, 0x201C, 0x201D, 0x20AC, 0xFFFD}) {
    CHECK(Covers(base, c));
  }
  CHECK_FALSE(Covers(base, 0x0410));
  CHECK_FALSE(Covers(base, 0x0627));
  CHECK_FALSE(Covers(base, 0x1200));

  const auto all = GlyphRanges(kAllScripts);
  const char32_t required[][2] = {
      {0x0600, 0x06FF}, {0x0750, 0x077F}, {0xFB50, 0xFDFF}, {0xFE70, 0xFEFF},  // Arabic
      {0x1200, 0x139F}, {0x2D80, 0x2DDF},                                      // Ethiopic
      {0x10A0, 0x10FF}, {0x1C90, 0x1CBF},                                      // Georgian
      {0x0530, 0x058F}, {0xFB13, 0xFB17},                                      // Armenian
      {0x0400, 0x052F},                                                        // Cyrillic
  };
  for (const auto& block : required) {
    for (char32_t c = block[0]; c <= block[1]; ++c) {
      if (!Covers(all, c)) {
        FAIL("missing U+", std::hex, static_cast<unsigned>(c));
      }
    }
  }
  CHECK(Covers(GlyphRanges(kEthiopic), 0x1250));
  CHECK_FALSE(Covers(GlyphRanges(kEthiopic), 0x0627));
}

TEST_CASE("ui_text scripts: installed fonts cover Ethiopic and Arabic") {
  const auto faces = FontFiles(kLatin | kEthiopic | kArabic);
  REQUIRE_FALSE(faces.empty());
  CHECK((faces.front().scripts & kLatin) != 0);
  unsigned covered = 0;
  for (const FontFace& f : faces) {
    CHECK(std::filesystem::is_regular_file(f.path));
    covered |= f.scripts;
  }
  CHECK((covered & kEthiopic) != 0);
  CHECK((covered & kArabic) != 0);
}

TEST_CASE("ui_text scripts: font choice follows which files exist") {
  std::set<std::string> present;
  const auto exists = [&](const std::string& path) { return present.contains(path); };
  CHECK(FontFiles(kAllScripts, exists).empty());

  const std::string dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  const std::string arabic = "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf";
  const std::string ethiopic = "/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf";
  present = {dejavu};
  auto faces = FontFiles(kArabic | kEthiopic, exists);
  REQUIRE(faces.size() == 1);
  CHECK(faces[0].path == dejavu);
  CHECK(faces[0].scripts == (kLatin | kArabic));  // no Ethiopic font: missing, so the app can warn

  present = {dejavu, arabic, ethiopic};
  faces = FontFiles(kArabic | kEthiopic | kCyrillic, exists);
  REQUIRE(faces.size() == 3);
  CHECK(faces[0].path == dejavu);
  CHECK(faces[0].scripts == (kLatin | kCyrillic));
  CHECK(faces[1].path == arabic);
  CHECK(faces[1].scripts == kArabic);
  CHECK(faces[2].path == ethiopic);
  CHECK(faces[2].scripts == kEthiopic);
  CHECK(std::string(FontPackageHint()).find("fonts-noto-core") != std::string::npos);
}

}  // namespace
}  // namespace ccfield::ui
