// The frame around every screen: navigation (wrapping onto more rows at large
// text sizes, so every screen stays reachable), the notice bar, the screen.
// The notice bar has a fixed height whether or not a notice shows, so a notice
// arriving (a restored draft, a sync result) never moves what is under a finger.
#include <imgui.h>

#include <algorithm>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using app::Screen;
using ui::tr;

namespace {

const char* ScreenTitle(Screen s) {
  switch (s) {
    case Screen::kHome: return tr("Home");
    case Screen::kSites: return tr("Sites");
    case Screen::kVisits: return tr("Visits");
    case Screen::kEditor: return tr("Visit");
    case Screen::kLibrary: return tr("Projects & practices");
    case Screen::kHistory: return tr("History");
    case Screen::kConflicts: return tr("Conflicts");
    case Screen::kSync: return tr("Sync");
    case Screen::kSettings: return tr("Settings");
  }
  return "";
}

// The navigation buttons' stable ids (###nav_sites): scripts click them by
// id whatever the language shows (`click #nav_sites`).
const char* NavId(Screen s) {
  switch (s) {
    case Screen::kHome: return "home";
    case Screen::kSites: return "sites";
    case Screen::kVisits: return "visits";
    case Screen::kEditor: return "visit";
    case Screen::kLibrary: return "library";
    case Screen::kHistory: return "history";
    case Screen::kConflicts: return "conflicts";
    case Screen::kSync: return "sync";
    case Screen::kSettings: return "settings";
  }
  return "";
}

void DrawNav(Frame& f) {
  Flow flow;
  for (Screen s : app::kNavScreens) {
    std::string text = ScreenTitle(s);
    if (s == Screen::kConflicts && f.state.home.open_conflicts > 0) {
      text += " (" + std::to_string(f.state.home.open_conflicts) + ")";
    }
    if (s == Screen::kSync && f.state.sync.running) text += " …";
    const float w = flow.Next(text.c_str());
    const std::string label = text + "###nav_" + NavId(s);
    if (ChoiceButton(label.c_str(), f.state.screen == s, w)) f.out.push_back(app::GoTo{s});
  }
  if (f.state.editor.open && f.state.screen != Screen::kEditor) {
    const float w = flow.Next(tr("Back to the visit"));
    if (ChoiceButton(tr("Back to the visit"), false, w)) f.out.push_back(app::GoTo{Screen::kEditor});
  }
}

// One notice at a time, in a bar of fixed height (two lines of text at most;
// longer notices are cut, the Dismiss button always shows).
void DrawNotice(Frame& f) {
  const float bar_h = TouchHeight();
  const float dismiss_w = ImGui::CalcTextSize(tr("Dismiss")).x + ImGui::GetStyle().FramePadding.x * 4;
  const float text_w = ImGui::GetContentRegionAvail().x - dismiss_w - ImGui::GetStyle().ItemSpacing.x;
  ImGui::BeginChild("notice", ImVec2(text_w, bar_h), false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  if (!f.state.message.empty()) {
    const float text_h = ImGui::GetTextLineHeight();
    const float lines = ImGui::CalcTextSize(f.state.message.c_str(), nullptr, false, text_w).y > text_h * 1.5f ? 2 : 1;
    ImGui::SetCursorPosY(std::max(0.0f, (bar_h - text_h * lines) / 2));
    if (f.state.message_is_error) {
      ErrorText(f.state.message);
    } else {
      UserTextWrapped(f.state.message);
    }
  }
  ImGui::EndChild();
  LogItem("notice");
  ImGui::SameLine();
  if (!f.state.message.empty()) {
    if (BigButton(tr("Dismiss"), dismiss_w)) f.out.push_back(app::DismissMessage{});
  } else {
    ImGui::Dummy(ImVec2(dismiss_w, bar_h));
  }
}

}  // namespace

void DrawMain(Frame& f) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::Begin("ccfield", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  SetTouchScale(f.scale);
  DrawNav(f);
  DrawNotice(f);
  ImGui::Separator();
  ImGui::BeginChild("screen", ImVec2(0, 0), false);
  switch (f.state.screen) {
    case Screen::kHome: DrawHome(f); break;
    case Screen::kSites: DrawSites(f); break;
    case Screen::kVisits: DrawVisits(f); break;
    case Screen::kEditor: DrawEditor(f); break;
    case Screen::kLibrary: DrawLibrary(f); break;
    case Screen::kHistory: DrawHistory(f); break;
    case Screen::kConflicts: DrawConflicts(f); break;
    case Screen::kSync: DrawSync(f); break;
    case Screen::kSettings: DrawSettings(f); break;
  }
  ImGui::EndChild();
  ImGui::End();
  // Over everything (photo_viewer.cpp, photo_picker.cpp).
  DrawPhotoPicker(f);
  DrawPhotoViewer(f);
}

}  // namespace ccfield::views
