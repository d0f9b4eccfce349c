#pragma once
// Word wrap for a text box that cannot wrap by itself (Dear ImGui 1.86's
// multiline input): the box is given the text with a '\n' inserted wherever a
// line must wrap (a soft break), and whatever the person then does in the box
// is mapped back to the text as stored, which never holds a soft break.
// Pure functions of their arguments; offsets are UTF-8 byte offsets.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ccfield::ui {

// The text as the box shows it.
struct SoftWrapped {
  std::string display;        // the text with a '\n' at every soft break
  std::vector<size_t> breaks;  // where each soft '\n' sits in `display`, ascending
};

// How wide one code point is drawn (ImFont::GetCharAdvance); widths add up.
using AdvanceFn = std::function<float(char32_t)>;

// Wraps each paragraph of `text` greedily so no line is wider than `width`:
// after the last space that fits, or inside a word longer than a whole line.
// Spaces stay at the end of the line they follow (they never start a line and
// never force a break), so the stored text keeps every space. Hard '\n' stay.
// A width <= 0 wraps nothing.
SoftWrapped SoftWrap(std::string_view text, float width, const AdvanceFn& advance);

// The stored text: `display` without its soft breaks.
std::string Unwrap(const SoftWrapped& wrapped);
// A position in the stored text -> in the display: a position at a soft break
// goes to the start of the next line, where typing continues.
size_t ToDisplay(const SoftWrapped& wrapped, size_t text_pos);

// What the person did in the box, in stored-text terms.
struct BoxEdit {
  std::string text;   // the stored text now
  size_t cursor = 0;  // where the cursor is in it
  size_t select_start = 0, select_end = 0;
};

// The box showed `before` with the cursor at `before_cursor`; it now holds
// `after` (typing, deleting, pasting). Soft breaks outside the changed span
// are dropped; a '\n' inside it was typed and stays. Deleting a soft break
// alone (Backspace at the start of a wrapped line, Delete at the end of one)
// deletes the character before or after it instead, as in a word processor.
// Display positions (cursor, selection) are mapped to stored-text positions.
BoxEdit ApplyBoxEdit(const SoftWrapped& before, size_t before_cursor, std::string_view after, size_t after_cursor,
                     size_t after_select_start, size_t after_select_end);

}  // namespace ccfield::ui
