#include "text/scripts.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "text/utf8.h"

namespace ccfield::ui {
namespace {

struct Block {
  char32_t first;
  char32_t last;
  unsigned script;  // 0: not a letter block of any script (punctuation, symbols)
};

// Sorted by first code point. Letters in the Latin-1 block are classified
// separately; this table is for code points from U+0100 on.
constexpr Block kBlocks[] = {
    {0x0100, 0x024F, kLatin},     // Latin Extended-A, -B
    {0x0250, 0x02AF, kLatin},     // IPA extensions: ɛ ɔ ɓ ɗ of African orthographies
    {0x0370, 0x03FF, kGreek},     //
    {0x0400, 0x052F, kCyrillic},  // Cyrillic + Supplement
    {0x0530, 0x058F, kArmenian},  //
    {0x0600, 0x06FF, kArabic},    //
    {0x0750, 0x077F, kArabic},    // Arabic Supplement
    {0x08A0, 0x08FF, kArabic},    // Arabic Extended-A
    {0x10A0, 0x10FF, kGeorgian},  //
    {0x1200, 0x139F, kEthiopic},  // Ethiopic + Supplement
    {0x1C80, 0x1C8F, kCyrillic},  // Cyrillic Extended-C
    {0x1C90, 0x1CBF, kGeorgian},  // Georgian Extended (Mtavruli)
    {0x1E00, 0x1EFF, kLatin},     // Latin Extended Additional: Yoruba ẹ ọ ṣ, Vietnamese
    {0x1F00, 0x1FFF, kGreek},     // Greek Extended
    {0x2D00, 0x2D2F, kGeorgian},  // Georgian Supplement
    {0x2D80, 0x2DDF, kEthiopic},  // Ethiopic Extended
    {0x2DE0, 0x2DFF, kCyrillic},  // Cyrillic Extended-A
    {0xA640, 0xA69F, kCyrillic},  // Cyrillic Extended-B
    {0xAB00, 0xAB2F, kEthiopic},  // Ethiopic Extended-A
    {0xFB00, 0xFB06, kLatin},     // Latin ligatures
    {0xFB13, 0xFB17, kArmenian},  // Armenian ligatures
    {0xFB50, 0xFDFF, kArabic},    // Arabic Presentation Forms-A
    {0xFE70, 0xFEFE, kArabic},    // Arabic Presentation Forms-B (FEFF is the BOM)
};

unsigned ScriptOf(char32_t c) {
  if (c < 0x100) {
    // Latin-1 letters, without × and ÷.
    return (c >= 0xC0 && c != 0xD7 && c != 0xF7) || c == 0xAA || c == 0xB5 || c == 0xBA ? kLatin : 0u;
  }
  const auto* it = std::upper_bound(std::begin(kBlocks), std::end(kBlocks), c,
                                    [](char32_t v, const Block& b) { return v < b.first; });
  if (it == std::begin(kBlocks)) return 0;
  --it;
  return c <= it->last ? it->script : 0u;
}

struct Range {
  char32_t first;
  char32_t last;
};

// Always baked: the UI's Latin text and the symbols any language may use.
constexpr Range kBaseRanges[] = {
    {0x0020, 0x00FF},  // Basic Latin, Latin-1
    {0x0100, 0x024F},  // Latin Extended-A, -B
    {0x0250, 0x02AF},  // IPA extensions (ɛ ɔ ɓ ɗ ŋ in West/Central African names)
    {0x02C6, 0x02DD},  // spacing accents
    {0x1E00, 0x1EFF},  // Latin Extended Additional (Yoruba ẹ ọ ṣ)
    {0x2000, 0x206F},  // general punctuation: … – — “ ” ‘ ’ •
    {0x2070, 0x209F},  // superscripts and subscripts: m³ CO₂
    {0x20A0, 0x20CF},  // currency: € ₦ ₾ ₼ ₴
    {0x2100, 0x214F},  // letterlike symbols: № ℃
    {0x2190, 0x2193},  // arrows ← ↑ → ↓
    // Mathematical operators that forms and messages use: − (minus, as the
    // app writes negative coordinates) ∓ ≈ ≠ ≤ ≥.
    {0x2212, 0x2213},
    {0x2248, 0x2248},
    {0x2260, 0x2260},
    {0x2264, 0x2265},
    {0xFFFD, 0xFFFD},  // replacement character for invalid text
};

struct ScriptRanges {
  unsigned script;
  std::vector<Range> ranges;
};

const std::vector<ScriptRanges>& AllScriptRanges() {
  static const std::vector<ScriptRanges> kRanges = {
      {kGreek, {{0x0370, 0x03FF}}},
      {kCyrillic, {{0x0400, 0x052F}}},
      {kGeorgian, {{0x10A0, 0x10FF}, {0x1C90, 0x1CBF}}},
      {kArmenian, {{0x0530, 0x058F}, {0xFB13, 0xFB17}}},
      {kEthiopic, {{0x1200, 0x139F}, {0x2D80, 0x2DDF}}},
      {kArabic, {{0x0600, 0x06FF}, {0x0750, 0x077F}, {0xFB50, 0xFDFF}, {0xFE70, 0xFEFF}}},
  };
  return kRanges;
}

constexpr const char* kDejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kNotoSans = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
constexpr const char* kNotoArabic = "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf";
constexpr const char* kNotoGeorgian = "/usr/share/fonts/truetype/noto/NotoSansGeorgian-Regular.ttf";
constexpr const char* kNotoArmenian = "/usr/share/fonts/truetype/noto/NotoSansArmenian-Regular.ttf";
constexpr const char* kNotoEthiopic = "/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf";

// Files in the order they are loaded (the first one used is the base font).
constexpr const char* kFileOrder[] = {kDejaVuSans, kNotoSans, kNotoArabic, kNotoGeorgian, kNotoArmenian, kNotoEthiopic};

// For each script, the files that cover it, preferred first.
struct Preference {
  Script script;
  const char* files[2];
};
constexpr Preference kPreferences[] = {
    {kLatin, {kDejaVuSans, kNotoSans}},
    {kGreek, {kDejaVuSans, kNotoSans}},
    {kCyrillic, {kDejaVuSans, kNotoSans}},
    {kGeorgian, {kDejaVuSans, kNotoGeorgian}},
    {kArmenian, {kDejaVuSans, kNotoArmenian}},
    // DejaVu's Arabic lacks part of the presentation forms and of 06xx.
    {kArabic, {kNotoArabic, kDejaVuSans}},
    {kEthiopic, {kNotoEthiopic, nullptr}},
};

}  // namespace

unsigned ScriptsIn(std::string_view utf8) {
  unsigned scripts = 0;
  size_t pos = 0;
  while (pos < utf8.size()) {
    const auto b = static_cast<unsigned char>(utf8[pos]);
    if (b < 0x80) {
      if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') scripts |= kLatin;
      ++pos;
      continue;
    }
    scripts |= ScriptOf(NextCodePoint(utf8, &pos));
  }
  return scripts;
}

unsigned ScriptsForLanguage(std::string_view code) {
  if (code == "ru") return kLatin | kCyrillic;
  if (code == "ka") return kLatin | kGeorgian;
  if (code == "hy") return kLatin | kArmenian;
  if (code == "am") return kLatin | kEthiopic;
  if (code == "ar") return kLatin | kArabic;
  return kLatin;
}

std::vector<uint16_t> GlyphRanges(unsigned scripts) {
  std::vector<Range> ranges(std::begin(kBaseRanges), std::end(kBaseRanges));
  for (const ScriptRanges& s : AllScriptRanges()) {
    if (scripts & s.script) ranges.insert(ranges.end(), s.ranges.begin(), s.ranges.end());
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.first < b.first; });
  std::vector<uint16_t> out;
  for (const Range& r : ranges) {
    // Merge overlapping or touching ranges so ImGui sees each code point once.
    if (!out.empty() && r.first <= static_cast<char32_t>(out.back()) + 1) {
      out.back() = static_cast<uint16_t>(std::max<char32_t>(out.back(), r.last));
      continue;
    }
    out.push_back(static_cast<uint16_t>(r.first));
    out.push_back(static_cast<uint16_t>(r.last));
  }
  out.push_back(0);
  return out;
}

std::vector<FontFace> FontFiles(unsigned scripts) {
  return FontFiles(scripts, [](const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
  });
}

std::vector<FontFace> FontFiles(unsigned scripts, const std::function<bool(const std::string&)>& exists) {
  scripts |= kLatin;
  std::vector<FontFace> faces;
  for (const char* file : kFileOrder) faces.push_back({file, 0});
  for (const Preference& p : kPreferences) {
    if (!(scripts & p.script)) continue;
    for (const char* file : p.files) {
      if (file == nullptr || !exists(file)) continue;
      for (FontFace& face : faces) {
        if (face.path == file) face.scripts |= p.script;
      }
      break;
    }
  }
  std::erase_if(faces, [](const FontFace& f) { return f.scripts == 0; });
  return faces;
}

const char* FontPackageHint() { return "fonts-dejavu-core fonts-noto-core"; }

}  // namespace ccfield::ui
