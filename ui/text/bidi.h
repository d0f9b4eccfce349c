#pragma once
// Right-to-left text for a renderer that draws glyphs left to right only
// (Dear ImGui): Arabic is shaped to its presentation forms (joining, lam-alef
// ligatures) and each line is reordered to visual order with GNU FriBidi.
// All functions are pure and thread-safe; none keeps a cache.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccfield::ui {

// True if utf8 holds a right-to-left character: Hebrew, Arabic, Syriac,
// Thaana, N'Ko, their presentation forms, or an RTL mark or embedding.
// Text without a byte >= 0xD6 returns false without decoding anything.
bool HasRtl(std::string_view utf8);

// One line shaped and in visual order: draw its code points left to right.
// The paragraph direction comes from the first strong character (left to
// right if there is none) and is stored in *rtl_paragraph (may be null) so the
// caller can right-align. Text without RTL characters comes back unchanged;
// invalid UTF-8 bytes become U+FFFD. Bidi marks, joiners and the ligature
// filler are removed from shaped output since they have no glyph.
std::string VisualLine(std::string_view utf8_line, bool* rtl_paragraph = nullptr);

// Text of paragraphs separated by '\n' ("\r\n" too), wrapped into lines no
// wider than max_width, top to bottom in reading order, each in visual order.
// Wrapping is greedy at spaces in logical order; `measure` gets the shaped
// logical text of a candidate line, i.e. the glyphs that will be drawn, so
// ImGui::CalcTextSize gives exact widths. A word wider than max_width is
// broken between code points. An empty paragraph gives an empty line. Each
// paragraph takes its own direction; *rtl (may be null) receives the
// direction of the first non-blank one, for alignment.
std::vector<std::string> WrapVisual(std::string_view utf8_paragraph, float max_width,
                                    const std::function<float(std::string_view)>& measure, bool* rtl = nullptr);

// One line of a text box laid out for drawing, with the maps a caret needs
// between the logical text (as typed and stored) and the visual code points
// (drawn left to right). Bidi controls and the lam-alef filler have no visual
// code point. Text without RTL letters maps one to one.
struct LineLayout {
  std::string visual;                     // VisualLine's glyphs for the line
  bool rtl = false;                       // the paragraph runs right to left
  std::vector<size_t> logical_offsets;    // byte of each logical code point in the input, then its size
  std::vector<size_t> visual_offsets;     // byte of each visual code point in `visual`, then its size
  std::vector<int> logical_to_visual;     // per logical code point: its visual index, -1 if invisible
  std::vector<int> visual_to_logical;     // per visual code point: its logical index
  std::vector<bool> visual_rtl;           // per visual code point: it belongs to a right-to-left run
};
LineLayout LayoutLine(std::string_view utf8_line);

// Where a caret at logical byte offset `logical_byte` is drawn: the visual
// slot 0..visual code points (slot k is left of visual code point k). After
// a right-to-left letter the caret is on its left, after a left-to-right one
// on its right (the side where the next typed letter appears).
size_t VisualCaret(const LineLayout& layout, size_t logical_byte);

// The logical byte offset for a tap on visual code point `visual_index`, on
// its left or right half (index >= the count: right of the whole line).
size_t LogicalCaretAt(const LineLayout& layout, size_t visual_index, bool right_half);

// Where parts of the logical text show once drawn: the visual code point
// ranges [begin, end) of `layout` whose characters lie in one of the logical
// byte ranges [begin, end) of `logical`, left to right, touching ones joined
// (a highlighted search hit in a right-to-left line may come out in pieces
// when it mixes directions).
std::vector<std::pair<size_t, size_t>> VisualRanges(const LineLayout& layout,
                                                    const std::vector<std::pair<size_t, size_t>>& logical);

}  // namespace ccfield::ui
