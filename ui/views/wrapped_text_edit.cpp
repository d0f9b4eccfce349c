// The multiline text box that wraps words while typing (WrappedTextEdit,
// widgets.h): ImGui shows the wrapped text; the stored text never gets the
// line breaks.
#include "views/widgets.h"

#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include <string>
#include <unordered_map>

#include "text/bidi.h"
#include "text/soft_wrap.h"
#include "views/mirror.h"

namespace ccfield::views {

namespace {

// The box being edited: what it showed after the last frame's callback.
struct WrapEdit {
  ImGuiID id = 0;
  ui::SoftWrapped shown;
  size_t cursor = 0;
};
WrapEdit g_wrap_edit;

// Inactive boxes redraw the same text every frame: keep each one's wrap.
struct WrapCache {
  std::string text;
  float width = 0;
  ui::SoftWrapped wrapped;
};
std::unordered_map<ImGuiID, WrapCache> g_wrap_cache;

struct WrapCall {
  ImGuiID id;
  const ui::SoftWrapped* initial;
  float width;
  const ui::AdvanceFn* advance;
  std::string text;  // the stored text after this frame's edits
  bool edited = false;
};

int WrapCallback(ImGuiInputTextCallbackData* data) {
  WrapCall& call = *static_cast<WrapCall*>(data->UserData);
  if (g_wrap_edit.id != call.id) g_wrap_edit = {call.id, *call.initial, static_cast<size_t>(data->CursorPos)};
  const std::string_view now(data->Buf, static_cast<size_t>(data->BufTextLen));
  ui::BoxEdit edit = ui::ApplyBoxEdit(g_wrap_edit.shown, g_wrap_edit.cursor, now, static_cast<size_t>(data->CursorPos),
                                      static_cast<size_t>(data->SelectionStart),
                                      static_cast<size_t>(data->SelectionEnd));
  ui::SoftWrapped wrapped = ui::SoftWrap(edit.text, call.width, *call.advance);
  if (wrapped.display != now) {
    data->DeleteChars(0, data->BufTextLen);
    data->InsertChars(0, wrapped.display.data(), wrapped.display.data() + wrapped.display.size());
    data->CursorPos = static_cast<int>(ui::ToDisplay(wrapped, edit.cursor));
    data->SelectionStart = static_cast<int>(ui::ToDisplay(wrapped, edit.select_start));
    data->SelectionEnd = static_cast<int>(ui::ToDisplay(wrapped, edit.select_end));
    // The box's undo records point into the text as it was before the
    // rewrite; replaying them would garble it. Start the undo history afresh.
    if (ImGuiInputTextState* st = ImGui::GetInputTextState(call.id)) {
      st->Stb.undostate.undo_point = 0;
      st->Stb.undostate.undo_char_point = 0;
      st->Stb.undostate.redo_point = STB_TEXTEDIT_UNDOSTATECOUNT;
      st->Stb.undostate.redo_char_point = STB_TEXTEDIT_UNDOCHARCOUNT;
    }
  }
  g_wrap_edit.shown = std::move(wrapped);
  g_wrap_edit.cursor = static_cast<size_t>(data->CursorPos);
  call.text = std::move(edit.text);
  call.edited = true;
  return 0;
}

}  // namespace

std::string EditedBoxDisplay() {
  return g_wrap_edit.id != 0 && ImGui::GetActiveID() == g_wrap_edit.id ? g_wrap_edit.shown.display : "";
}

bool WrappedTextEdit(const char* id, std::string* text, float height) {
  const ImGuiStyle& style = ImGui::GetStyle();
  // Room for the scrollbar (it shows once the text is taller than the box)
  // and for the cursor after a space that hangs at the end of a line.
  const float width = ImGui::GetContentRegionAvail().x - style.FramePadding.x * 2 - style.ScrollbarSize -
                      ImGui::GetFontSize() * 0.5f;
  ImFont* font = ImGui::GetFont();
  const float scale = ImGui::GetFontSize() / font->FontSize;
  const ui::AdvanceFn advance = [font, scale](char32_t c) {
    return (c < 0x10000 ? font->GetCharAdvance(static_cast<ImWchar>(c)) : font->FallbackAdvanceX) * scale;
  };
  const ImGuiID gid = ImGui::GetID(id);
  if (ImGui::GetActiveID() != gid && g_wrap_edit.id == gid) g_wrap_edit = {};  // a new edit starts afresh
  WrapCache& cache = g_wrap_cache[gid];
  if (cache.text != *text || cache.width != width || cache.wrapped.display.empty() != text->empty()) {
    cache = {*text, width, ui::SoftWrap(*text, width, advance)};
  }
  if (g_wrap_cache.size() > 64) {  // boxes of closed visits
    WrapCache keep = std::move(cache);
    g_wrap_cache.clear();
    cache = g_wrap_cache[gid] = std::move(keep);
  }
  std::string shown = cache.wrapped.display;
  WrapCall call{gid, &cache.wrapped, width, &advance, {}, false};
  // Right-to-left text (or a mirrored window): ImGui's own drawing of the
  // text is made transparent and the lines are drawn in visual order.
  const bool bidi = Mirrored() || ui::HasRtl(*text);
  if (bidi) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(0, 0, 0, 0));
    ImGui::PushStyleColor(ImGuiCol_TextSelectedBg, IM_COL32(0, 0, 0, 0));
  }
  ImGui::InputTextMultiline(id, &shown, ImVec2(-1, height),
                            ImGuiInputTextFlags_CallbackAlways | ImGuiInputTextFlags_NoHorizontalScroll, WrapCallback,
                            &call);
  if (bidi) {
    ImGui::PopStyleColor(2);
    DrawBidiBoxText(id, shown);
  }
  if (!call.edited || call.text == *text) return false;
  *text = std::move(call.text);
  return true;
}

}  // namespace ccfield::views
