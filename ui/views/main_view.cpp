// The frame around every screen: navigation, the notice line, the screen.
#include <imgui.h>

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

void DrawNav(Frame& f) {
  for (Screen s : app::kNavScreens) {
    std::string label = ScreenTitle(s);
    if (s == Screen::kConflicts && f.state.home.open_conflicts > 0) {
      label += " (" + std::to_string(f.state.home.open_conflicts) + ")";
    }
    if (s == Screen::kSync && f.state.sync.running) label += " …";
    label += "###nav" + std::to_string(static_cast<int>(s));
    if (ChoiceButton(label.c_str(), f.state.screen == s)) f.out.push_back(app::GoTo{s});
    ImGui::SameLine();
  }
  if (f.state.editor.open && f.state.screen != Screen::kEditor) {
    if (ChoiceButton(tr("Back to the visit"), false)) f.out.push_back(app::GoTo{Screen::kEditor});
  }
  ImGui::NewLine();
}

}  // namespace

void DrawMain(Frame& f) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::Begin("ccfield", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  DrawNav(f);
  if (!f.state.message.empty()) {
    if (f.state.message_is_error) {
      ErrorText(f.state.message);
    } else {
      UserTextWrapped(f.state.message);
    }
    ImGui::SameLine();
    if (ImGui::SmallButton(tr("Dismiss"))) f.out.push_back(app::DismissMessage{});
    LogItem(tr("Dismiss"));
  }
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
}

}  // namespace ccfield::views
