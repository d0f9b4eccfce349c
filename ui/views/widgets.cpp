// The small widgets of widgets.h: buttons, list rows, user text, badges, the
// confirmation dialog and the item log. The wrapped text box is
// wrapped_text_edit.cpp, the date field date_field.cpp.
#include "views/widgets.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "text/bidi.h"
#include "text/i18n.h"
#include "views/fonts.h"
#include "views/mirror.h"

namespace ccfield::views {

using ui::tr;

namespace {

bool g_log_on = false;
std::vector<LoggedItem> g_items, g_last_items;
float g_touch_scale = 1.0f;

float FingerHeight() { return TouchHeight(); }

std::string_view VisibleLabel(const char* label) {
  std::string_view l(label);
  size_t hashes = l.find("##");
  return hashes == std::string_view::npos ? l : l.substr(0, hashes);
}

}  // namespace

// Right-to-left text still in logical order: base Hebrew or Arabic letters
// (UTF-8 lead bytes 0xD6..0xDF). Translations arrive already shaped and in
// display order (presentation forms), and must not be reordered twice.
bool NeedsBidi(std::string_view text) {
  for (unsigned char ch : text) {
    if (ch >= 0xD6 && ch <= 0xDF) return true;
  }
  return false;
}

float Flow::Next(const char* visible_text) {
  const ImGuiStyle& style = ImGui::GetStyle();
  float w = ImGui::CalcTextSize(visible_text).x + style.FramePadding.x * 4;
  if (x_ > 0 && x_ + w < ImGui::GetContentRegionAvail().x) {
    ImGui::SameLine();
  } else {
    x_ = 0;
  }
  x_ += w + style.ItemSpacing.x;
  return w;
}

void SetTouchScale(float scale) { g_touch_scale = scale; }

float TouchHeight() { return std::max(kTouchPx * g_touch_scale, ImGui::GetFontSize() * 2.2f); }

bool ListRow(const char* label, bool selected, float height, const char* log_label) {
  // No ImGuiSelectableFlags_AllowItemOverlap: with it ImGui ignores a press
  // unless the row was already hovered the frame before, and a finger lands
  // without hovering first, so a quick tap on a row did nothing.
  ImGui::PushStyleVar(ImGuiStyleVar_SelectableTextAlign, ImVec2(0.0f, 0.5f));
  const float h = std::max(TouchHeight() - ImGui::GetStyle().ItemSpacing.y, height);
  bool pressed = ImGui::Selectable(label, selected, 0, ImVec2(0, h));
  ImGui::PopStyleVar();
  LogItem(log_label ? log_label : label);
  return pressed;
}

bool BigButton(const char* label, float width) {
  bool pressed = ImGui::Button(label, ImVec2(width, FingerHeight()));
  LogItem(label);
  return pressed;
}

bool ChoiceButton(const char* label, bool selected, float width) {
  if (selected) {
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    ImGui::PushStyleColor(ImGuiCol_Border, ImGui::GetStyleColorVec4(ImGuiCol_Text));
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.0f);
  }
  bool pressed = ImGui::Button(label, ImVec2(width, FingerHeight()));
  if (selected) {
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(2);
  }
  LogItem(label);
  return pressed;
}

std::string DisplayLine(std::string_view text) {
  NoteScripts(text);
  if (!NeedsBidi(text)) return std::string(text);
  // Shaping costs microseconds per line; lists redraw the same lines, so cache.
  static std::unordered_map<std::string, std::string> cache;
  if (cache.size() > 4000) cache.clear();
  auto it = cache.find(std::string(text));
  if (it != cache.end()) return it->second;
  std::string visual = ui::VisualLine(text.substr(0, text.find('\n')));
  cache.emplace(std::string(text), visual);
  return visual;
}

void UserText(std::string_view text) {
  NoteScripts(text);
  if (!NeedsBidi(text)) {
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    return;
  }
  UserTextWrapped(text);
}

void UserTextWrapped(std::string_view text) {
  NoteScripts(text);
  if (!NeedsBidi(text)) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    ImGui::PopTextWrapPos();
    return;
  }
  const float width = ImGui::GetContentRegionAvail().x;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string_view para = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    bool rtl = false;
    auto measure = [](std::string_view s) { return ImGui::CalcTextSize(s.data(), s.data() + s.size()).x; };
    for (const std::string& line : ui::WrapVisual(para, width, measure, &rtl)) {
      // A paragraph against the UI's direction is aligned to the other side:
      // in a mirrored frame the layout's left is the screen's right.
      if (rtl != Mirrored()) {
        float w = ImGui::CalcTextSize(line.c_str()).x;
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, width - w));
      }
      ImGui::TextUnformatted(line.c_str());
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
}

namespace {

// A snippet with right-to-left text: drawn as one line in visual order, the
// hits highlighted where their glyphs are. Drawn piece by piece like a
// left-to-right snippet, each piece would be reordered on its own and the
// pieces laid out left to right: the hit would show in the wrong place, and
// the mirrored frame would move its highlight away from its word.
void SnippetRightToLeft(std::string_view marked, ImU32 hit_bg) {
  std::string plain;
  std::vector<std::pair<size_t, size_t>> hits;
  for (size_t i = 0; i < marked.size(); ++i) {
    const char c = marked[i];
    if (c == '[') {
      hits.emplace_back(plain.size(), plain.size());
    } else if (c == ']' && !hits.empty()) {
      hits.back().second = plain.size();
    } else {
      plain.push_back(c == '\n' ? ' ' : c);  // one line, as the pieces were
    }
  }
  if (!hits.empty() && hits.back().second < hits.back().first) hits.back().second = plain.size();
  NoteScripts(plain);
  const ui::LineLayout layout = ui::LayoutLine(plain);
  const std::string& visual = layout.visual;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 size = ImGui::CalcTextSize(visual.c_str());
  // The line and its highlights move as one box when the frame is mirrored.
  LeftToRightRegion keep(pos, ImVec2(pos.x + size.x, pos.y + size.y));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (const auto& [begin, end] : ui::VisualRanges(layout, hits)) {
    const char* text = visual.c_str();
    const float x0 = ImGui::CalcTextSize(text, text + layout.visual_offsets[begin]).x;
    const float x1 = ImGui::CalcTextSize(text, text + layout.visual_offsets[end]).x;
    draw->AddRectFilled(ImVec2(pos.x + x0, pos.y), ImVec2(pos.x + x1, pos.y + size.y), hit_bg);
  }
  ImGui::TextUnformatted(visual.c_str());
}

}  // namespace

void Snippet(std::string_view marked) {
  // "[" and "]" mark the matches (StoreSearch::Find); draw them highlighted, inline.
  const ImU32 hit_bg = ImGui::GetColorU32(ImGuiCol_TextSelectedBg);
  if (NeedsBidi(marked)) return SnippetRightToLeft(marked, hit_bg);
  bool first = true;
  size_t i = 0;
  while (i < marked.size()) {
    size_t open = marked.find('[', i);
    std::string_view plain = marked.substr(i, open == std::string_view::npos ? std::string_view::npos : open - i);
    if (!plain.empty()) {
      if (!first) ImGui::SameLine(0, 0);
      std::string line = DisplayLine(plain);
      ImGui::TextUnformatted(line.c_str());
      first = false;
    }
    if (open == std::string_view::npos) break;
    size_t close = marked.find(']', open);
    std::string_view hit = marked.substr(open + 1, close == std::string_view::npos ? std::string_view::npos
                                                                                    : close - open - 1);
    if (!first) ImGui::SameLine(0, 0);
    ImVec2 pos = ImGui::GetCursorScreenPos();
    std::string line = DisplayLine(hit);
    ImVec2 size = ImGui::CalcTextSize(line.c_str());
    ImGui::GetWindowDrawList()->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), hit_bg);
    ImGui::TextUnformatted(line.c_str());
    first = false;
    if (close == std::string_view::npos) break;
    i = close + 1;
  }
}

void HelpText(std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  UserTextWrapped(text);
  ImGui::PopStyleColor();
}

void ErrorText(std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.85f, 0.1f, 0.1f, 1.0f));
  UserTextWrapped(text);
  ImGui::PopStyleColor();
}

void Heading(std::string_view text) {
  ImGui::SetWindowFontScale(1.3f);
  UserText(text);
  ImGui::SetWindowFontScale(1.0f);
  ImGui::Separator();
}

// ---- Record states ----

namespace {

// Dark fills under white text: at least 4.5:1 contrast, distinct hues (and
// distinct words, for colour-blind eyes), the same on every theme.
ImVec4 StateColour(RecordState s) {
  switch (s) {
    case RecordState::kDraft: return ImVec4(0.62f, 0.32f, 0.0f, 1);     // amber-brown
    case RecordState::kWaiting: return ImVec4(0.08f, 0.33f, 0.70f, 1);  // blue
    case RecordState::kSent: return ImVec4(0.09f, 0.45f, 0.18f, 1);     // green
    case RecordState::kConflict: return ImVec4(0.45f, 0.11f, 0.60f, 1); // purple
    case RecordState::kRefused: return ImVec4(0.72f, 0.0f, 0.08f, 1);   // red
    case RecordState::kDemo: return ImVec4(0.33f, 0.33f, 0.33f, 1);     // grey
  }
  return ImVec4(0.3f, 0.3f, 0.3f, 1);
}

ImVec2 BadgeSize(const std::string& word) {
  const ImVec2 t = ImGui::CalcTextSize(word.c_str());
  const float pad = ImGui::GetFontSize() * 0.4f;
  return ImVec2(t.x + pad * 2, t.y + pad * 0.8f);
}

void DrawBadge(ImVec2 pos, const std::string& word, RecordState colour_of) {
  const ImVec2 size = BadgeSize(word);
  const float pad = ImGui::GetFontSize() * 0.4f;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), ImGui::GetColorU32(StateColour(colour_of)),
                    size.y * 0.3f);
  dl->AddText(ImVec2(pos.x + pad, pos.y + pad * 0.4f), IM_COL32_WHITE, word.c_str());
}

}  // namespace

const char* StateWord(RecordState state) {
  switch (state) {
    case RecordState::kDraft: return tr("Draft");
    case RecordState::kWaiting: return tr("Waiting to send");
    case RecordState::kSent: return tr("Sent");
    case RecordState::kConflict: return tr("In conflict");
    case RecordState::kRefused: return tr("Refused");
    case RecordState::kDemo: return tr("Demo");
  }
  return "";
}

ImU32 StateColourU32(RecordState state) { return ImGui::GetColorU32(StateColour(state)); }

void WordBadge(const char* word, RecordState colour_of) {
  const std::string text = DisplayLine(word);
  const ImVec2 size = BadgeSize(text);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  // Centred on the text line it follows.
  const float y = pos.y + std::max(0.0f, (ImGui::GetTextLineHeight() - size.y) / 2);
  ImGui::Dummy(size);
  DrawBadge(ImVec2(pos.x, y), text, colour_of);
  LogItem(("badge:" + std::string(word)).c_str());
}

void StateBadge(const RecordStatus& status) { WordBadge(StateWord(status.state), status.state); }

namespace {

// In a mirrored frame the row's text keeps its order and moves as a whole,
// so the glyphs hidden under the badge would be its start, not its end: the
// glyphs the strip covers are squeezed to nothing at its edge, and the
// mirror then shows the text's start next to the badge. The row's text is
// the last thing drawn in it: its glyph quads end the vertex buffer.
void SqueezeGlyphsRightOf(float x, float top, float bottom) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int i = dl->VtxBuffer.Size - 4; i >= 0; i -= 4) {
    ImDrawVert* v = &dl->VtxBuffer[i];
    const bool glyph = v[0].pos.y == v[1].pos.y && v[1].pos.x == v[2].pos.x && v[3].pos.x == v[0].pos.x &&
                       v[0].uv.x != v[1].uv.x && v[0].uv.y != v[3].uv.y;
    if (!glyph || v[0].pos.y < top - 1 || v[2].pos.y > bottom + 1) break;
    if (v[1].pos.x <= x) continue;
    for (int k = 0; k < 4; ++k) v[k].pos.x = x;
  }
}

}  // namespace

float StateBadgeOnLastItem(const RecordStatus& status) {
  const char* word = StateWord(status.state);
  const std::string text = DisplayLine(word);
  const ImVec2 size = BadgeSize(text);
  const ImVec2 min = ImGui::GetItemRectMin();
  // A row may reach under the scrollbar: stop at the visible content's edge.
  const float right = std::min(ImGui::GetItemRectMax().x, ImGui::GetWindowDrawList()->GetClipRectMax().x);
  const float bottom = ImGui::GetItemRectMax().y;
  const float pad = ImGui::GetStyle().FramePadding.x;
  const float x = right - size.x - pad;
  if (Mirrored()) SqueezeGlyphsRightOf(x - pad, min.y, bottom);
  // A strip of background before the badge keeps the row's text from running into it.
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(x - pad, min.y + 1), ImVec2(right, bottom - 1),
                                            ImGui::GetColorU32(ImGuiCol_WindowBg));
  DrawBadge(ImVec2(x, (min.y + bottom - size.y) / 2), text, status.state);
  LogItem(("badge:" + std::string(word)).c_str());
  return size.x + pad * 2;
}

bool ConfirmDialog(const char* id, std::string_view question, const char* yes, const char* no) {
  bool confirmed = false;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x / 2, vp->WorkPos.y + vp->WorkSize.y / 3),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(vp->WorkSize.x * 0.9f, ImGui::GetFontSize() * 28), 0));
  if (ImGui::BeginPopupModal(id, nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoSavedSettings)) {
    UserTextWrapped(question);
    ImGui::Spacing();
    if (BigButton(yes)) {
      confirmed = true;
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (BigButton(no)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  return confirmed;
}

void EnableItemLog(bool on) { g_log_on = on; }

void LogItem(const char* label) {
  if (!g_log_on) return;
  // A disabled widget cannot be tapped: scripts and tests do not find it.
  if (GImGui->LastItemData.InFlags & ImGuiItemFlags_Disabled) return;
  ImVec2 wpos = ImGui::GetWindowPos(), wsize = ImGui::GetWindowSize();
  g_items.push_back({std::string(VisibleLabel(label)), ImGui::GetItemRectMin(), ImGui::GetItemRectMax(),
                     ImGui::IsItemVisible(), ImVec2(wpos.x + wsize.x / 2, wpos.y + wsize.y / 2),
                     ImGui::GetWindowDrawList()->GetClipRectMin(), ImGui::GetWindowDrawList()->GetClipRectMax(),
                     ImGui::IsItemActive(), {}});
  if (const char* id = std::strstr(label, "###")) g_items.back().id = id + 3;
}

void BeginItemLog() {
  g_last_items.swap(g_items);
  g_items.clear();
}

const std::vector<LoggedItem>& LastFrameItems() {
  // Between frames (where the driver aims and tests look) the newest log is
  // complete: a tap must aim at what the last frame drew, not the one before.
  const bool within_frame = GImGui && GImGui->WithinFrameScope;
  return within_frame ? g_last_items : g_items;
}

}  // namespace ccfield::views
