#pragma once
// Right-to-left text for a renderer that draws glyphs left to right only
// (Dear ImGui): Arabic is shaped to its presentation forms (joining, lam-alef
// ligatures) and each line is reordered to visual order with GNU FriBidi.
// All functions are pure and thread-safe; none keeps a cache.

#include <functional>
#include <string>
#include <string_view>
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

}  // namespace ccfield::ui
