// Arabic shaping and right-to-left order for a left-to-right glyph renderer.
#include "text/bidi.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ccfield/core/text.h"
#include "text/utf8.h"

namespace ccfield::ui {
namespace {

std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  size_t pos = 0;
  while (pos < s.size()) out.push_back(NextCodePoint(s, &pos));
  return out;
}

float Bytes(std::string_view s) { return static_cast<float>(s.size()); }

TEST_CASE("ui_text bidi: HasRtl finds Arabic, Hebrew and RTL marks only") {
  CHECK(HasRtl("مرحبا"));
  CHECK(HasRtl("Drain 12 مسدود"));
  CHECK(HasRtl("שלום"));
  CHECK(HasRtl("\xEF\xBB\xBB"));   // U+FEFB lam-alef presentation form
  CHECK(HasRtl("a\xE2\x80\x8F"));  // U+200F RIGHT-TO-LEFT MARK
  CHECK_FALSE(HasRtl(""));
  CHECK_FALSE(HasRtl("Sync now"));
  CHECK_FALSE(HasRtl("Հայերեն ր"));  // Armenian uses the 0xD6 lead byte too
  CHECK_FALSE(HasRtl("Русский ქართული አማርኛ"));
  CHECK_FALSE(HasRtl("٣٤"));  // Arabic-Indic digits alone are weak, not RTL
  CHECK_FALSE(HasRtl("\xFF\xD8"));
}

TEST_CASE("ui_text bidi: Arabic is shaped and reversed for left-to-right drawing") {
  bool rtl = false;
  // مرحبا: meem-reh join, reh does not join forward, hah-beh-alef join.
  CHECK(CodePoints(VisualLine("مرحبا", &rtl)) ==
        std::vector<char32_t>{0xFE8E, 0xFE92, 0xFEA3, 0xFEAE, 0xFEE3});  // first glyph: alef, final form
  CHECK(rtl);
  // سلام: lam + alef become one ligature glyph.
  CHECK(CodePoints(VisualLine("سلام")) == std::vector<char32_t>{0xFEE1, 0xFEFC, 0xFEB3});
  CHECK(CodePoints(VisualLine("لا")) == std::vector<char32_t>{0xFEFB});
}

TEST_CASE("ui_text bidi: mixed text keeps Latin words and numbers readable") {
  bool rtl = true;
  const std::string visual = VisualLine("Drain 12 مسدود", &rtl);
  CHECK_FALSE(rtl);  // first strong character is Latin
  CHECK(visual.rfind("Drain 12 ", 0) == 0);
  CHECK(CodePoints(visual.substr(9)) == CodePoints(VisualLine("مسدود")));

  const std::string rtl_first = VisualLine("مسدود 12", &rtl);
  CHECK(rtl);
  CHECK(rtl_first.rfind("12 ", 0) == 0);  // the number keeps its digit order, left of the Arabic
  CHECK(CodePoints(rtl_first.substr(3)) == CodePoints(VisualLine("مسدود")));
}

TEST_CASE("ui_text bidi: brackets are mirrored in right-to-left text") {
  const auto cps = CodePoints(VisualLine("(مرحبا)"));
  REQUIRE(cps.size() == 7);
  CHECK(cps.front() == U'(');
  CHECK(cps.back() == U')');
}

TEST_CASE("ui_text bidi: left-to-right text comes back unchanged") {
  for (const char* text : {"", "Sync now", "Français — “déjà” …", "Русский", "ქართული", "Հայերեն", "አማርኛ", "٣ ٤"}) {
    bool rtl = true;
    CHECK(VisualLine(text, &rtl) == text);
    CHECK_FALSE(rtl);
  }
}

TEST_CASE("ui_text bidi: invalid UTF-8 is replaced, never a crash") {
  CHECK(VisualLine("ab\x80") == "ab\xEF\xBF\xBD");
  CHECK(VisualLine("\xFF\xFE") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  const std::string broken = VisualLine("مر\xD8 حبا\xE2\x80");
  CHECK_FALSE(FindInvalidUtf8(broken).has_value());
  CHECK(broken.find("\xEF\xBF\xBD") != std::string::npos);
  bool rtl = false;
  const auto lines = WrapVisual("\xD8\xD8 \xFF مرحبا \xC3", 8, Bytes, &rtl);
  for (const std::string& line : lines) CHECK_FALSE(FindInvalidUtf8(line).has_value());
}

TEST_CASE("ui_text bidi: bidi marks are removed from shaped output") {
  const std::string visual = VisualLine(
      "\xE2\x80\x8F"
      "مرحبا\xE2\x80\x8E");
  CHECK(CodePoints(visual) == CodePoints(VisualLine("مرحبا")));
}

TEST_CASE("ui_text bidi: WrapVisual wraps Arabic in reading order, top to bottom") {
  const std::vector<std::string> words = {"واحد", "اثنان", "ثلاثة", "أربعة", "خمسة"};
  bool rtl = false;
  const auto lines = WrapVisual("واحد اثنان ثلاثة أربعة خمسة", 24, Bytes, &rtl);
  CHECK(rtl);
  REQUIRE(lines.size() >= 2);
  for (const std::string& line : lines) CHECK(Bytes(line) <= 24);
  // The first word is read first: rightmost on the top line.
  const std::string first = VisualLine(words.front());
  CHECK(lines.front().size() >= first.size());
  CHECK(lines.front().compare(lines.front().size() - first.size(), first.size(), first) == 0);
  const std::string last = VisualLine(words.back());
  CHECK(lines.back().rfind(last, 0) == 0);
  // Every word shows once, shaped as on its own (joining never crosses a space).
  std::string all;
  for (const std::string& line : lines) all += line + "|";
  for (const std::string& w : words) CHECK(all.find(VisualLine(w)) != std::string::npos);
}

TEST_CASE("ui_text bidi: WrapVisual wraps left-to-right text greedily at spaces") {
  bool rtl = true;
  CHECK(WrapVisual("one two three", 7, Bytes, &rtl) == std::vector<std::string>{"one two", "three"});
  CHECK_FALSE(rtl);
  CHECK(WrapVisual("one   two", 5, Bytes) == std::vector<std::string>{"one", "two"});
  CHECK(WrapVisual("abcdefghij", 4, Bytes) == std::vector<std::string>{"abcd", "efgh", "ij"});
  CHECK(WrapVisual("a\n\nb\r\nc", 10, Bytes) == std::vector<std::string>{"a", "", "b", "c"});
  CHECK(WrapVisual("", 10, Bytes) == std::vector<std::string>{""});
  CHECK(WrapVisual("   ", 10, Bytes) == std::vector<std::string>{""});
  CHECK(WrapVisual("word", 0, Bytes) == std::vector<std::string>{"w", "o", "r", "d"});
}

TEST_CASE("ui_text bidi: each paragraph keeps its own direction") {
  bool rtl = false;
  const auto lines = WrapVisual("\nHello (world)\nمرحبا (صديق)", 100, Bytes, &rtl);
  CHECK_FALSE(rtl);  // first non-blank paragraph is English
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] == "Hello (world)");
  CHECK(lines[2] == VisualLine("مرحبا (صديق)"));
  // A line of an RTL paragraph that holds only Latin still belongs to it.
  const auto wrapped = WrapVisual("مرحبا abc def ghi.", 20, Bytes, &rtl);  // 3 bytes per Arabic glyph
  CHECK(rtl);
  REQUIRE(wrapped.size() == 2);
  CHECK(wrapped[1] == ".def ghi");  // RTL paragraph: the full stop ends on the left
}

TEST_CASE("bidi: Arabic vowel marks are kept and do not change how the letters join") {
  const std::string with_marks = "\u0627\u0644\u0645\u0632\u0627\u0645\u0646\u0629 \u063a\u064a\u0631 \u0645\u064f\u0639\u062f\u0651\u0629";
  const std::string without = "\u0627\u0644\u0645\u0632\u0627\u0645\u0646\u0629 \u063a\u064a\u0631 \u0645\u0639\u062f\u0629";
  auto drop_marks = [](const std::string& s) {
    std::vector<char32_t> cps = CodePoints(s);
    std::erase_if(cps, [](char32_t c) { return (c >= 0x064B && c <= 0x065F) || c == 0x0670; });
    return cps;
  };
  const std::string visual = VisualLine(with_marks);
  CHECK(CodePoints(visual).size() == CodePoints(VisualLine(without)).size() + 2);  // damma and shadda
  CHECK(drop_marks(visual) == CodePoints(VisualLine(without)));
  auto measure = [](std::string_view v) { return static_cast<float>(v.size()); };
  const auto wrapped = WrapVisual(with_marks, 1000, measure);
  REQUIRE(wrapped.size() == 1);
  CHECK(drop_marks(wrapped[0]) == CodePoints(VisualLine(without)));
}

TEST_CASE("bidi: text already in visual order (a translated message) is not turned back to front") {
  const std::string logical =
      "\u0627\u0644\u0645\u0632\u0627\u0645\u0646\u0629 \u063a\u064a\u0631 \u0645\u0639\u062f\u0629 "
      "\u0623\u0636\u0641 \u062e\u0627\u062f\u0645\u0627 \u0641\u064a \u0627\u0644\u0625\u0639\u062f\u0627\u062f\u0627\u062a";
  const std::string visual = VisualLine(logical);
  bool rtl = false;
  CHECK(VisualLine(visual, &rtl) == visual);
  CHECK(rtl);
  auto measure = [](std::string_view v) { return static_cast<float>(v.size()); };
  for (float width : {1000.0f, 40.0f, 25.0f}) {
    CAPTURE(width);
    CHECK(WrapVisual(visual, width, measure, &rtl) == WrapVisual(logical, width, measure));
    CHECK(rtl);
  }
}

}  // namespace
}  // namespace ccfield::ui
