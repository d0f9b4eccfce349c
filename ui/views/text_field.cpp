// The one-line text box that shows right-to-left text shaped and in visual
// order while typing (TextInput, widgets.h). ImGui edits the logical text and
// keeps the caret as a logical index; this file hides ImGui's own drawing of
// the text, draws the visual line instead, and maps the caret and taps
// between the two with FriBidi's logical <-> visual maps (text/bidi.h).
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "text/bidi.h"
#include "views/fonts.h"
#include "views/mirror.h"
#include "views/widgets.h"

namespace ccfield::views {
namespace {

// The frame of the text box about to be drawn (InputText's frame_bb).
struct Box {
  ImVec2 min, max;
  float inner_min, inner_max;  // where text goes, inside the padding
  float text_y;
};

Box NextBox() {
  const ImGuiStyle& st = ImGui::GetStyle();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  Box b;
  b.min = pos;
  b.max = ImVec2(pos.x + ImGui::CalcItemWidth(), pos.y + ImGui::GetFrameHeight());
  b.inner_min = b.min.x + st.FramePadding.x;
  b.inner_max = b.max.x - st.FramePadding.x;
  b.text_y = b.min.y + st.FramePadding.y;
  return b;
}

float WidthOf(std::string_view s) {
  return ImGui::GetFont()->CalcTextSizeA(ImGui::GetFontSize(), FLT_MAX, 0.0f, s.data(), s.data() + s.size()).x;
}

// x of each visual caret slot, from the line's left end.
std::vector<float> SlotXs(const ui::LineLayout& l) {
  std::vector<float> xs;
  xs.reserve(l.visual_offsets.size());
  for (size_t off : l.visual_offsets) xs.push_back(WidthOf(std::string_view(l.visual).substr(0, off)));
  return xs;
}

// The visual code point under x (relative to the line's left end) and
// whether x is on its right half; the count when right of the line.
size_t VisualIndexAt(const std::vector<float>& xs, float x, bool* right_half) {
  *right_half = false;
  for (size_t v = 0; v + 1 < xs.size(); ++v) {
    if (x < xs[v + 1]) {
      *right_half = x >= (xs[v] + xs[v + 1]) / 2;
      return v;
    }
  }
  return xs.empty() ? 0 : xs.size() - 1;
}

// ImGui's caret index (code points) <-> byte offsets of the logical text.
int CodePointIndex(const ui::LineLayout& l, size_t byte) {
  return static_cast<int>(std::lower_bound(l.logical_offsets.begin(), l.logical_offsets.end(), byte) -
                          l.logical_offsets.begin());
}
size_t ByteOf(const ui::LineLayout& l, int index) {
  return l.logical_offsets[static_cast<size_t>(std::clamp(index, 0, static_cast<int>(l.logical_offsets.size()) - 1))];
}

// The hint of an empty box, in its own direction.
void DrawHint(ImDrawList* dl, const Box& b, const char* hint) {
  bool rtl = false;
  const std::string visual = ui::VisualLine(hint, &rtl);
  const float x = rtl ? b.inner_max - WidthOf(visual) : b.inner_min;
  dl->AddText(ImVec2(x, b.text_y), ImGui::GetColorU32(ImGuiCol_TextDisabled), visual.c_str());
}

bool CaretBlinkOn(const ImGuiInputTextState* state) {
  return !ImGui::GetIO().ConfigInputTextCursorBlink || state->CursorAnim <= 0.0f ||
         std::fmod(state->CursorAnim, 1.20f) <= 0.80f;
}

// Draws the visual line, the selection and the caret; moves the caret where
// a tap landed this frame.
void DrawLine(ImDrawList* dl, const Box& b, const std::string& shown, ImGuiInputTextState* state, bool tapped) {
  const ui::LineLayout l = ui::LayoutLine(shown);
  const std::vector<float> xs = SlotXs(l);
  const float width = xs.back();
  float left = l.rtl ? b.inner_max - width : b.inner_min;
  if (state != nullptr && tapped) {
    bool right_half = false;
    const size_t v = VisualIndexAt(xs, ImGui::GetIO().MousePos.x - left, &right_half);
    const int index = CodePointIndex(l, ui::LogicalCaretAt(l, v, right_half));
    state->Stb.cursor = state->Stb.select_start = state->Stb.select_end = index;
    state->CursorAnimReset();
  }
  float caret = 0;
  if (state != nullptr) {
    caret = xs[ui::VisualCaret(l, ByteOf(l, state->Stb.cursor))];
    // Keep the caret in the box when the line is wider than it.
    const float at = left + caret;
    if (at > b.inner_max - 1) left -= at - (b.inner_max - 1);
    if (at < b.inner_min) left += b.inner_min - at;
  }
  if (state != nullptr && state->HasSelection()) {
    const int lo = std::min(state->Stb.select_start, state->Stb.select_end);
    const int hi = std::max(state->Stb.select_start, state->Stb.select_end);
    const ImU32 bg = ImGui::GetColorU32(ImGuiCol_TextSelectedBg);
    for (size_t v = 0; v < l.visual_to_logical.size(); ++v) {
      const int i = l.visual_to_logical[v];
      if (i < lo || i >= hi) continue;
      dl->AddRectFilled(ImVec2(left + xs[v], b.text_y), ImVec2(left + xs[v + 1], b.text_y + ImGui::GetFontSize()), bg);
    }
  }
  dl->AddText(ImVec2(left, b.text_y), ImGui::GetColorU32(ImGuiCol_Text), l.visual.c_str());
  if (state != nullptr && CaretBlinkOn(state)) {
    const float x = std::floor(left + caret) + 0.5f;
    dl->AddLine(ImVec2(x, b.text_y - 0.5f), ImVec2(x, b.text_y + ImGui::GetFontSize() - 1.5f),
                ImGui::GetColorU32(ImGuiCol_Text));
  }
}

// The lines of a multiline box, each in visual order (WrappedTextEdit).
struct BoxLines {
  std::vector<ui::LineLayout> layouts;
  std::vector<int> first;  // code point index (ImGui's caret unit) where each line starts in the display text
};

BoxLines SplitLines(const std::string& display) {
  BoxLines out;
  size_t start = 0;
  int index = 0;
  while (true) {
    const size_t nl = display.find('\n', start);
    const std::string_view line =
        std::string_view(display).substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out.layouts.push_back(ui::LayoutLine(line));
    out.first.push_back(index);
    index += static_cast<int>(out.layouts.back().logical_to_visual.size()) + 1;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace

void DrawBidiBoxText(const char* label, const std::string& display) {
  ImGuiWindow* parent = ImGui::GetCurrentWindow();
  const ImGuiID id = ImGui::GetID(label);
  char name[512];
  ImFormatString(name, sizeof(name), "%s/%s_%08X", parent->Name, label, id);
  ImGuiWindow* child = ImGui::FindWindowByName(name);
  if (child == nullptr) return;
  ImDrawList* dl = child->DrawList;
  const ImVec2 origin(child->Pos.x + child->WindowPadding.x - child->Scroll.x,
                      child->Pos.y + child->WindowPadding.y - child->Scroll.y);
  const float right = child->Pos.x + child->Size.x - child->WindowPadding.x -
                      (child->ScrollbarY ? ImGui::GetStyle().ScrollbarSize : 0.0f);
  const float lh = ImGui::GetTextLineHeight();
  ImGuiInputTextState* state = ImGui::GetActiveID() == id ? ImGui::GetInputTextState(id) : nullptr;
  const BoxLines lines = SplitLines(display);
  if (state != nullptr && ImGui::IsItemHovered() && ImGui::IsMouseClicked(0)) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int i = std::clamp(static_cast<int>((m.y - origin.y) / lh), 0, static_cast<int>(lines.layouts.size()) - 1);
    const ui::LineLayout& l = lines.layouts[i];
    const std::vector<float> xs = SlotXs(l);
    const float left = l.rtl ? right - xs.back() : origin.x;
    bool right_half = false;
    const size_t v = VisualIndexAt(xs, m.x - left, &right_half);
    const int index = lines.first[i] + CodePointIndex(l, ui::LogicalCaretAt(l, v, right_half));
    state->Stb.cursor = state->Stb.select_start = state->Stb.select_end = index;
    state->CursorAnimReset();
  }
  dl->PushClipRect(child->InnerClipRect.Min, child->InnerClipRect.Max, false);
  for (size_t i = 0; i < lines.layouts.size(); ++i) {
    const ui::LineLayout& l = lines.layouts[i];
    const float y = origin.y + lh * static_cast<float>(i);
    if (y + lh < child->InnerClipRect.Min.y || y > child->InnerClipRect.Max.y) continue;
    const std::vector<float> xs = SlotXs(l);
    const float left = l.rtl ? right - xs.back() : origin.x;
    const int first = lines.first[i];
    const int count = static_cast<int>(l.logical_to_visual.size());
    if (state != nullptr && state->HasSelection()) {
      const int lo = std::min(state->Stb.select_start, state->Stb.select_end) - first;
      const int hi = std::max(state->Stb.select_start, state->Stb.select_end) - first;
      for (size_t v = 0; v < l.visual_to_logical.size(); ++v) {
        if (l.visual_to_logical[v] < lo || l.visual_to_logical[v] >= hi) continue;
        dl->AddRectFilled(ImVec2(left + xs[v], y), ImVec2(left + xs[v + 1], y + lh),
                          ImGui::GetColorU32(ImGuiCol_TextSelectedBg));
      }
    }
    dl->AddText(ImVec2(left, y), ImGui::GetColorU32(ImGuiCol_Text), l.visual.c_str());
    const int caret = state != nullptr ? state->Stb.cursor - first : -1;
    if (caret >= 0 && caret <= count && CaretBlinkOn(state)) {
      const float x = std::floor(left + xs[ui::VisualCaret(l, ByteOf(l, caret))]) + 0.5f;
      dl->AddLine(ImVec2(x, y - 0.5f), ImVec2(x, y + lh - 1.5f), ImGui::GetColorU32(ImGuiCol_Text));
    }
  }
  dl->PopClipRect();
  MarkLeftToRight(dl, 0, dl->VtxBuffer.Size, child->Pos,
                  ImVec2(child->Pos.x + child->Size.x, child->Pos.y + child->Size.y));
}

bool TextInput(const char* label, std::string* text, ImGuiInputTextFlags flags, const char* hint) {
  const bool password = (flags & ImGuiInputTextFlags_Password) != 0;
  if (!Mirrored() && (password || !ui::HasRtl(*text))) {
    return hint != nullptr ? ImGui::InputTextWithHint(label, hint, text, flags) : ImGui::InputText(label, text, flags);
  }
  NoteScripts(*text);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Box b = NextBox();
  const ImGuiID id = ImGui::GetID(label);
  const int begin = dl->VtxBuffer.Size;
  // In a right-to-left line the left arrow moves towards the end of the text.
  ImGuiIO& io = ImGui::GetIO();
  const bool swap_arrows = ImGui::GetActiveID() == id && !password && ui::LayoutLine(*text).rtl;
  if (swap_arrows) std::swap(io.KeyMap[ImGuiKey_LeftArrow], io.KeyMap[ImGuiKey_RightArrow]);
  // ImGui edits the logical text; its own text, label, caret and selection
  // are drawn transparent (AddText skips them) and drawn here instead.
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_TextSelectedBg, IM_COL32(0, 0, 0, 0));
  const bool changed = ImGui::InputText(label, text, flags);
  ImGui::PopStyleColor(2);
  if (swap_arrows) std::swap(io.KeyMap[ImGuiKey_LeftArrow], io.KeyMap[ImGuiKey_RightArrow]);
  const bool tapped = ImGui::IsItemHovered() && ImGui::IsMouseClicked(0);

  ImGuiInputTextState* state = ImGui::GetActiveID() == id ? ImGui::GetInputTextState(id) : nullptr;
  dl->PushClipRect(ImVec2(b.inner_min, b.min.y), ImVec2(b.inner_max, b.max.y), true);
  if (text->empty() && hint != nullptr) DrawHint(dl, b, hint);
  const size_t count = ui::LayoutLine(*text).logical_to_visual.size();
  DrawLine(dl, b, password ? std::string(count, '*') : *text, state, tapped);
  dl->PopClipRect();
  // The box keeps its inner order when the window is mirrored; its label,
  // drawn after the region, goes to the other side of it.
  MarkLeftToRight(dl, begin, dl->VtxBuffer.Size, b.min, b.max);
  std::string_view visible(label);
  visible = visible.substr(0, visible.find("##"));
  if (!visible.empty()) {
    const std::string line = DisplayLine(visible);
    dl->AddText(ImVec2(b.max.x + ImGui::GetStyle().ItemInnerSpacing.x, b.text_y), ImGui::GetColorU32(ImGuiCol_Text),
                line.c_str());
  }
  return changed;
}

}  // namespace ccfield::views
