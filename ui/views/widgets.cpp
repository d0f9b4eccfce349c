#include "views/widgets.h"

#include <unordered_map>

#include "text/bidi.h"
#include "views/fonts.h"

namespace ccfield::views {
namespace {

bool g_log_on = false;
std::vector<LoggedItem> g_items, g_last_items;

float FingerHeight() { return ImGui::GetFontSize() * 2.2f; }

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
      if (rtl) {
        float w = ImGui::CalcTextSize(line.c_str()).x;
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, width - w));
      }
      ImGui::TextUnformatted(line.c_str());
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
}

void Snippet(std::string_view marked) {
  // "[" and "]" mark the matches (Store::Search); draw them highlighted, inline.
  const ImU32 hit_bg = ImGui::GetColorU32(ImGuiCol_TextSelectedBg);
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

void EnableItemLog(bool on) { g_log_on = on; }

void LogItem(const char* label) {
  if (!g_log_on) return;
  ImVec2 wpos = ImGui::GetWindowPos(), wsize = ImGui::GetWindowSize();
  g_items.push_back({std::string(VisibleLabel(label)), ImGui::GetItemRectMin(), ImGui::GetItemRectMax(),
                     ImGui::IsItemVisible(), ImVec2(wpos.x + wsize.x / 2, wpos.y + wsize.y / 2),
                     ImGui::GetWindowDrawList()->GetClipRectMin(), ImGui::GetWindowDrawList()->GetClipRectMax()});
}

void BeginItemLog() {
  g_last_items.swap(g_items);
  g_items.clear();
}

const std::vector<LoggedItem>& LastFrameItems() { return g_last_items; }

}  // namespace ccfield::views
