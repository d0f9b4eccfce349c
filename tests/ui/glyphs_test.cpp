// Every character the app can show from its own data must be in the font
// atlas it builds for that text: the forms (data/forms), the SDG catalogue,
// the site kinds, the demo data, the UI catalogues (data/i18n) and the UI's
// English texts (string literals in ui/views and ui/app). A character outside
// the glyph ranges, or missing from the font files, shows as "?" on a tablet
// ("≈ 50 cm" read as "? 50 cm"). Reads the source tree, so it checks what the
// next build will ship; the atlases are built from the Debian font files.
#include <doctest/doctest.h>
#include <imgui.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "text/bidi.h"
#include "text/scripts.h"
#include "text/utf8.h"
#include "views/fonts.h"

namespace ccfield {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = CCFIELD_SOURCE_DIR;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  REQUIRE_MESSAGE(in.good(), "cannot read ", path.string());
  return text.str();
}

// One place a text comes from, for failure messages.
struct Need {
  std::string where;
  std::string text;
};

// Characters that are never drawn: line breaks, bidi marks and joiners.
bool Invisible(char32_t c) {
  return c < 0x20 || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0xFEFF;
}

// Texts grouped by the scripts the app bakes into the atlas when it shows them.
using Groups = std::map<unsigned, std::vector<Need>>;

void AddText(Groups* groups, unsigned scripts, const std::string& where, const std::string& text) {
  bool plain = true;
  for (unsigned char ch : text) plain = plain && ch < 0x80;
  if (plain) return;  // Basic Latin is always baked
  (*groups)[scripts].push_back({where, text});
  // Right-to-left text is drawn shaped: its presentation forms must be there too.
  if (ui::HasRtl(text)) (*groups)[scripts].push_back({where + " (shaped)", ui::VisualLine(text)});
}

// Data shown to people: the atlas holds Latin plus the scripts noted in it
// (views/fonts.h NoteScripts), whatever the UI language.
void AddData(Groups* groups, const json& j, const std::string& where) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    AddText(groups, ui::kLatin | ui::ScriptsIn(s), where, s);
  } else if (j.is_array() || j.is_object()) {
    for (const auto& item : j) AddData(groups, item, where);
  }
}

// The string literals of a C++ file (comments and character literals skipped;
// \u escapes decoded).
std::vector<std::string> Literals(const std::string& src) {
  std::vector<std::string> out;
  for (size_t i = 0; i < src.size(); ++i) {
    if (src.compare(i, 2, "//") == 0) {
      i = src.find('\n', i);
      if (i == std::string::npos) break;
    } else if (src.compare(i, 2, "/*") == 0) {
      i = src.find("*/", i);
      if (i == std::string::npos) break;
      ++i;
    } else if (src[i] == '\'') {
      i = src.find('\'', i + (src.compare(i, 2, "'\\") == 0 ? 3 : 2));
      if (i == std::string::npos) break;
    } else if (src[i] == '"') {
      std::string lit;
      for (++i; i < src.size() && src[i] != '"'; ++i) {
        if (src[i] != '\\' || i + 1 >= src.size()) {
          lit.push_back(src[i]);
          continue;
        }
        const char e = src[++i];
        if (e == 'u' || e == 'U') {  // a universal character name: the character it names
          const size_t digits = e == 'u' ? 4 : 8;
          ui::AppendUtf8(&lit, static_cast<char32_t>(std::stoul(src.substr(i + 1, digits), nullptr, 16)));
          i += digits;
        } else {
          lit.push_back(e == 'n' ? '\n' : e);  // other escapes are ASCII and always baked
        }
      }
      out.push_back(lit);
    }
  }
  return out;
}

Groups CollectTexts() {
  Groups groups;
  std::vector<fs::path> data = {kSource / "data/sdg.json", kSource / "data/demo/demo.json"};
  if (fs::exists(kSource / "data/site_kinds.json")) data.push_back(kSource / "data/site_kinds.json");
  for (const auto& entry : fs::directory_iterator(kSource / "data/forms")) data.push_back(entry.path());
  for (const fs::path& p : data) {
    json j = json::parse(ReadFile(p), nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), p.string(), " is not valid JSON");
    AddData(&groups, j, p.filename().string());
  }
  // A catalogue's translations are drawn with the atlas of its language
  // (tr() text is not noted: it must fit the language's own scripts).
  for (const auto& entry : fs::directory_iterator(kSource / "data/i18n")) {
    const std::string code = entry.path().stem().string();
    json j = json::parse(ReadFile(entry.path()), nullptr, false);
    REQUIRE_MESSAGE(j.is_object(), entry.path().string(), " is not a JSON object");
    const unsigned scripts = ui::kLatin | ui::ScriptsForLanguage(code);
    for (const auto& [english, translation] : j.items()) {
      AddText(&groups, ui::kLatin, "i18n msgid", english);
      if (translation.is_string()) AddText(&groups, scripts, "i18n/" + code + ".json", translation.get<std::string>());
    }
  }
  // The English UI (every language falls back to it), and the few texts the
  // code writes in other scripts (languages' own names), which are drawn as
  // user text and noted.
  for (const char* dir : {"ui/views", "ui/app"}) {
    for (const auto& entry : fs::directory_iterator(kSource / dir)) {
      for (const std::string& lit : Literals(ReadFile(entry.path()))) {
        AddText(&groups, ui::kLatin | ui::ScriptsIn(lit), entry.path().filename().string(), lit);
      }
    }
  }
  return groups;
}

bool InRanges(const std::vector<uint16_t>& ranges, char32_t c) {
  for (size_t i = 0; i + 1 < ranges.size(); i += 2) {
    if (c >= ranges[i] && c <= ranges[i + 1]) return true;
  }
  return false;
}

std::string Hex(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

TEST_CASE("glyphs: every character of the forms, catalogues and UI texts is in the font atlas") {
  const Groups groups = CollectTexts();
  REQUIRE(groups.size() >= 3);  // Latin, Latin+Cyrillic, Latin+Arabic at least
  ImGuiContext* ctx = ImGui::CreateContext();
  size_t checked = 0;
  for (const auto& [scripts, needs] : groups) {
    CAPTURE(scripts);
    // What the app bakes for these scripts: the glyph ranges...
    const std::vector<uint16_t> ranges = ui::GlyphRanges(scripts);
    // ...and what the font files really hold within them.
    std::string error;
    REQUIRE_MESSAGE(views::BuildFonts(scripts, 18.0f, &error), error);
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    std::set<char32_t> reported;
    for (const Need& need : needs) {
      size_t pos = 0;
      while (pos < need.text.size()) {
        const char32_t c = ui::NextCodePoint(need.text, &pos);
        if (Invisible(c) || reported.count(c)) continue;
        ++checked;
        std::string ch;
        ui::AppendUtf8(&ch, c);
        const bool fits = c <= 0xFFFF;  // ImWchar is 16-bit in Debian's ImGui
        const bool in_ranges = fits && InRanges(ranges, c);
        const bool has_glyph = in_ranges && font->FindGlyphNoFallback(static_cast<ImWchar>(c)) != nullptr;
        if (!has_glyph) reported.insert(c);
        CHECK_MESSAGE(in_ranges, "\"", ch, "\" (", Hex(c), ") from ", need.where, " is outside the glyph ranges: \"",
                      need.text.substr(0, 80), "\"");
        if (in_ranges) {
          CHECK_MESSAGE(has_glyph, "\"", ch, "\" (", Hex(c), ") from ", need.where, " has no glyph in the fonts");
        }
      }
    }
  }
  CHECK(checked > 500);
  ImGui::DestroyContext(ctx);
}

}  // namespace
}  // namespace ccfield
