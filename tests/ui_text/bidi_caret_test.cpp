// The caret of a text box over right-to-left text: the logical <-> visual
// maps of LayoutLine, VisualCaret and LogicalCaretAt (text/bidi.h), and bidi
// isolation of values put into sentences already in visual order.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "text/bidi.h"
#include "text/utf8.h"

namespace ccfield::ui {
namespace {

std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  size_t pos = 0;
  while (pos < s.size()) out.push_back(NextCodePoint(s, &pos));
  return out;
}

TEST_CASE("ui_text caret: Latin text maps one to one") {
  const LineLayout l = LayoutLine("abc");
  CHECK_FALSE(l.rtl);
  CHECK(l.visual == "abc");
  CHECK(l.visual_to_logical == std::vector<int>{0, 1, 2});
  CHECK(VisualCaret(l, 0) == 0);
  CHECK(VisualCaret(l, 2) == 2);
  CHECK(VisualCaret(l, 3) == 3);
  CHECK(LogicalCaretAt(l, 1, false) == 1);
  CHECK(LogicalCaretAt(l, 1, true) == 2);
  CHECK(LogicalCaretAt(l, 9, false) == 3);  // right of the line: the end
}

TEST_CASE("ui_text caret: Arabic runs right to left, the caret follows the last letter typed") {
  // سلام: seen, lam, alef, meem. Drawn left to right: meem, lam-alef, seen.
  const std::string text = "سلام";
  const LineLayout l = LayoutLine(text);
  CHECK(l.rtl);
  CHECK(CodePoints(l.visual) == std::vector<char32_t>{0xFEE1, 0xFEFC, 0xFEB3});
  CHECK(l.visual == VisualLine(text));
  CHECK(l.visual_to_logical == std::vector<int>{3, 2, 0});
  CHECK(l.logical_to_visual == std::vector<int>{2, -1, 1, 0});  // the ligature stands at the alef
  CHECK(VisualCaret(l, 0) == 3);                                // nothing typed before: the right end
  CHECK(VisualCaret(l, 2) == 2);                                // after seen: left of it
  CHECK(VisualCaret(l, text.size()) == 0);                      // after meem: the left end
  CHECK(VisualCaret(l, 6) == 1);                                // after lam-alef: left of the ligature
  CHECK(VisualCaret(l, 4) == 2);                                // between lam and alef: at the ligature's right
  // Taps: the left half of meem is after it, its right half before it.
  CHECK(LogicalCaretAt(l, 0, false) == text.size());
  CHECK(LogicalCaretAt(l, 0, true) == 6);
  CHECK(LogicalCaretAt(l, 2, true) == 0);   // right half of seen: the start
  CHECK(LogicalCaretAt(l, 1, false) == 6);  // left half of lam-alef: after the alef
  CHECK(LogicalCaretAt(l, 1, true) == 2);   // right half: before the lam
}

TEST_CASE("ui_text caret: digits and Latin inside Arabic keep their order and caret side") {
  // An Arabic paragraph with a Latin word: the word reads left to right and
  // the caret after its last letter is on that letter's right.
  const std::string mixed = "مرحبا abc";
  const LineLayout l = LayoutLine(mixed);
  CHECK(l.rtl);
  CHECK(l.visual.rfind("abc ", 0) == 0);
  CHECK(VisualCaret(l, mixed.size()) == 3);      // right of "c"
  CHECK(VisualCaret(l, mixed.size() - 1) == 2);  // between "b" and "c"

  // A Latin paragraph with Arabic and a number after it.
  const std::string latin_first = "abc مرحبا 123";
  const LineLayout m = LayoutLine(latin_first);
  CHECK_FALSE(m.rtl);
  CHECK(m.visual.rfind("abc 123 ", 0) == 0);
  CHECK(CodePoints(m.visual.substr(8)) == CodePoints(VisualLine("مرحبا")));
  CHECK(VisualCaret(m, latin_first.size()) == 7);  // right of "3"
  CHECK(VisualCaret(m, 4 + 10) == 8);              // after the Arabic word: left of its last letter

  // Arabic with digits: the number keeps its order; a tap between 1 and 2
  // lands between them in the stored text.
  const std::string arabic_digits = "رقم 12";
  const LineLayout d = LayoutLine(arabic_digits);
  CHECK(d.visual.rfind("12 ", 0) == 0);
  CHECK(LogicalCaretAt(d, 0, true) == arabic_digits.size() - 1);
  CHECK(VisualCaret(d, arabic_digits.size()) == 2);  // right of "2"
}

TEST_CASE("ui_text caret: bidi controls have no visual code point") {
  const std::string text = "\u2068abc\u2069 مرحبا";
  const LineLayout l = LayoutLine(text);
  CHECK(l.logical_to_visual.front() == -1);
  CHECK(l.visual_to_logical.size() == 9);  // abc, space, 5 letters
  CHECK(l.visual.find("\u2068") == std::string::npos);
  CHECK(l.visual.find("\u2069") == std::string::npos);
  CHECK(VisualCaret(l, 0) == VisualCaret(l, 3));  // before and after the FSI: same place
}

TEST_CASE("ui_text bidi: isolated values in a logical sentence are laid out on their own") {
  // "سجل {title}" with a Latin title: the title reads left to right at the left end.
  bool rtl = false;
  const std::string visual = VisualLine("سجل \u2068Pump 3\u2069", &rtl);
  CHECK(rtl);
  CHECK(visual.rfind("Pump 3 ", 0) == 0);
  CHECK(visual.find("\u2068") == std::string::npos);
  CHECK(CodePoints(visual.substr(7)) == CodePoints(VisualLine("سجل")));
}

TEST_CASE("ui_text bidi: a value put into a sentence already in visual order is reordered once") {
  // A catalog sentence is kept shaped and in visual order (i18n.cpp); the
  // value substituted into it, between FSI and PDI, is still logical.
  const std::string sentence = VisualLine("سجل {title}");
  REQUIRE(sentence.find("{title}") != std::string::npos);
  std::string with_value = sentence;
  with_value.replace(with_value.find("{title}"), 7, "\u2068مضخة 3\u2069");
  bool rtl = false;
  const std::string visual = VisualLine(with_value, &rtl);
  CHECK(rtl);
  CHECK(visual == VisualLine("سجل \u2068مضخة 3\u2069"));
  std::string latin = sentence;
  latin.replace(latin.find("{title}"), 7, "\u2068Pump 3\u2069");
  CHECK(VisualLine(latin) == VisualLine("سجل \u2068Pump 3\u2069"));
  // Wrapping keeps the value in one piece too.
  const auto measure = [](std::string_view s) { return static_cast<float>(s.size()); };
  CHECK(WrapVisual(with_value, 1000, measure) == std::vector<std::string>{visual});
}

TEST_CASE("ui_text bidi: the tanwin of عالٍ is kept, before its letter in drawing order") {
  // Logical: ain, alef, lam, kasratan. Drawn left to right: kasratan, lam
  // (final form), alef (final), ain (initial); the mark has no advance, so
  // the lam drawn next at the same pen position carries it.
  const std::vector<char32_t> cps = CodePoints(VisualLine("عالٍ"));
  CHECK(cps == std::vector<char32_t>{0x064D, 0xFEDD, 0xFE8E, 0xFECB});
  const LineLayout l = LayoutLine("عالٍ");
  CHECK(VisualCaret(l, l.logical_offsets.back()) == 0);  // after the tanwin: the left end
}

TEST_CASE("ui_text highlight: a hit inside an Arabic line is found where its glyphs are drawn") {
  // A search snippet "مجرى [مسدود] بالرمال": the hit is the second word, so in
  // the visual line (drawn left to right) it stands between the other two.
  const std::string before = "مجرى ", hit = "مسدود", after = " بالرمال";
  const std::string line = before + hit + after;
  const LineLayout l = LayoutLine(line);
  REQUIRE(l.rtl);
  const auto ranges = VisualRanges(l, {{before.size(), before.size() + hit.size()}});
  REQUIRE(ranges.size() == 1);
  const auto [b, e] = ranges[0];
  // Exactly the hit's glyphs, shaped as in the line.
  CHECK(e - b == CodePoints(hit).size());
  const std::string drawn = l.visual.substr(l.visual_offsets[b], l.visual_offsets[e] - l.visual_offsets[b]);
  CHECK(drawn == VisualLine(hit));
  // With "بالرمال" on its left and "مجرى" on its right.
  CHECK(l.visual.substr(0, l.visual_offsets[b]).find(VisualLine("بالرمال")) != std::string::npos);
  CHECK(l.visual.substr(l.visual_offsets[e]).find(VisualLine("مجرى")) != std::string::npos);
  // A Latin line maps one to one; ranges that touch join; nothing asked, nothing found.
  const LineLayout latin = LayoutLine("ab cd");
  CHECK(VisualRanges(latin, {{0, 2}, {2, 3}}) == std::vector<std::pair<size_t, size_t>>{{0, 3}});
  CHECK(VisualRanges(latin, {}).empty());
}

}  // namespace
}  // namespace ccfield::ui
