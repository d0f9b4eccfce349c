// Drawing pieces shared by the photo strip, the viewer and the picker.
#include "views/photo_view_parts.h"

#include <algorithm>
#include <string>
#include <vector>

#include "text/bidi.h"
#include "text/i18n.h"
#include "views/photo_textures.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

// The box's background with a word in it (decoding, no preview, the reason).
void Placeholder(ImVec2 min, ImVec2 size, const std::string& word) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 max(min.x + size.x, min.y + size.y);
  dl->AddRectFilled(min, max, ImGui::GetColorU32(ImGuiCol_FrameBg), 4.0f);
  const std::string line = DisplayLine(word);
  const float wrap = size.x - 8;
  const ImVec2 ts = ImGui::CalcTextSize(line.c_str(), nullptr, false, wrap);
  const ImVec2 at(min.x + std::max(4.0f, (size.x - ts.x) / 2), min.y + std::max(4.0f, (size.y - ts.y) / 2));
  dl->PushClipRect(min, max, true);
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), at, ImGui::GetColorU32(ImGuiCol_TextDisabled), line.c_str(),
              nullptr, wrap);
  dl->PopClipRect();
}

// The texture fitted into the box, centred, aspect kept.
ImRect Fitted(const PhotoTextures::Texture& t, ImVec2 min, ImVec2 size) {
  const float k = std::min(size.x / static_cast<float>(t.width), size.y / static_cast<float>(t.height));
  const float w = t.width * k, h = t.height * k;
  const ImVec2 a(min.x + (size.x - w) / 2, min.y + (size.y - h) / 2);
  const ImVec2 b(a.x + w, a.y + h);
  ImGui::GetWindowDrawList()->AddImage(t.id, a, b);
  return ImRect(a, b);
}

const char* Waiting(const PhotoTextures::Texture& t) { return t.pending ? "…" : t.error.c_str(); }

// A right-to-left catalog's text is already one visual line (ui/text:
// shaped, reordered): its first words are on the right. Wrapped from the
// right end, each line right-aligned, it reads from the top line down.
void VisualRtlWrapped(std::string_view text, float width, float x0) {
  std::vector<std::string_view> words;
  for (size_t start = 0; start <= text.size();) {
    const size_t sp = text.find(' ', start);
    words.push_back(text.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  auto join = [&](size_t b, size_t e) {
    std::string s;
    for (size_t i = b; i < e; ++i) s.append(i > b ? " " : "").append(words[i]);
    return s;
  };
  for (size_t end = words.size(); end > 0;) {
    size_t begin = end - 1;
    std::string line = join(begin, end);
    while (begin > 0) {
      std::string wider = join(begin - 1, end);
      if (ImGui::CalcTextSize(wider.c_str()).x > width) break;
      --begin;
      line = std::move(wider);
    }
    ImGui::SetCursorPosX(x0 + std::max(0.0f, width - ImGui::CalcTextSize(line.c_str()).x));
    ImGui::TextUnformatted(line.c_str());
    end = begin;
  }
}

}  // namespace

void TextIn(std::string_view text, float width) {
  if (!NeedsBidi(text) && ui::CurrentCatalog().rtl()) {
    VisualRtlWrapped(text, width, ImGui::GetCursorPosX());
    return;
  }
  if (!NeedsBidi(text)) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    ImGui::PopTextWrapPos();
    return;
  }
  // Right-to-left: wrapped in logical order, each line reordered and right-aligned in the width.
  const float x0 = ImGui::GetCursorPosX();
  bool rtl = false;
  auto measure = [](std::string_view s) { return ImGui::CalcTextSize(s.data(), s.data() + s.size()).x; };
  for (const std::string& line : ui::WrapVisual(text, width, measure, &rtl)) {
    if (rtl) ImGui::SetCursorPosX(x0 + std::max(0.0f, width - ImGui::CalcTextSize(line.c_str()).x));
    ImGui::TextUnformatted(line.c_str());
  }
}

ImRect DrawPhotoImage(Frame& f, const app::PhotoItem& p, ImVec2 min, ImVec2 size, int max_edge, bool thumb_only) {
  const ImRect box(min, ImVec2(min.x + size.x, min.y + size.y));
  if (!f.ui.textures) {  // headless: no renderer to make textures with
    Placeholder(min, size, tr("photo"));
    return box;
  }
  const PhotoTextures::Texture* shown = nullptr;
  if (!thumb_only && p.have_full) {
    const PhotoTextures::Texture& full = f.ui.textures->Blob(p.blob, max_edge);
    if (full.id) shown = &full;
  }
  if (!shown && p.have_thumb) {
    const PhotoTextures::Texture& thumb = f.ui.textures->Blob(p.thumb, kThumbEdge);
    if (thumb.id) shown = &thumb;
    if (!shown) {
      Placeholder(min, size, Waiting(thumb));
      return box;
    }
  }
  if (!shown) {
    Placeholder(min, size, tr("not on this device yet"));
    return box;
  }
  return Fitted(*shown, min, size);
}

void DrawFileImage(Frame& f, const std::string& path, ImVec2 min, ImVec2 size) {
  if (!f.ui.textures) return Placeholder(min, size, tr("photo"));
  const PhotoTextures::Texture& t = f.ui.textures->File(path, kThumbEdge);
  if (t.id) {
    Fitted(t, min, size);
  } else {
    Placeholder(min, size, Waiting(t));
  }
}

void PhotoStateBadge(const app::PhotoItem& p, float width) {
  RecordState colour = RecordState::kWaiting;
  if (p.state == PhotoState::kSent || p.state == PhotoState::kHere) colour = RecordState::kSent;
  if (p.state == PhotoState::kRefused) colour = RecordState::kRefused;
  if (p.state == PhotoState::kThumbnailOnly || p.state == PhotoState::kNothingHere || p.demo) {
    colour = RecordState::kDemo;
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = std::round(ImGui::GetFontSize() * 0.25f);
  const float x0 = ImGui::GetCursorPosX();
  dl->ChannelsSplit(2);
  dl->ChannelsSetCurrent(1);
  ImGui::BeginGroup();
  ImGui::SetCursorPosX(x0 + pad);
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 255, 255, 255));
  TextIn(p.state_text, width - pad * 2);
  ImGui::PopStyleColor();
  ImGui::EndGroup();
  dl->ChannelsSetCurrent(0);
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  dl->AddRectFilled(ImVec2(a.x, a.y - 2), ImVec2(a.x + width, b.y + 2), StateColourU32(colour), 3.0f);
  dl->ChannelsMerge();
  LogItem(("photo state:" + p.state_text).c_str());
}

}  // namespace ccfield::views
