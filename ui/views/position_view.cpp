// "Use my position" (issue 13), the part the visit editor and the site form
// share: the buttons (use my position, pick on the map, average over 10 s)
// and, while the App waits for a fix, the live accuracy, satellites and fix
// age with "Use this position anyway (± 43 m)". All state is the App's
// (PositionTakingState); this only draws it and emits commands.
#include <imgui.h>

#include <cstdio>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

// Amber: a warning, never an error (saving stays possible).
void WarningText(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.4f, 0.0f, 1.0f));
  UserTextWrapped(text);
  ImGui::PopStyleColor();
}

void Waiting(Frame& f) {
  const app::PositionTakingState& p = f.state.position;
  if (!p.available) {
    ErrorText(p.unavailable);
    LogItem("position unavailable");
  } else {
    char threshold[32];
    std::snprintf(threshold, sizeof threshold, "%g", p.threshold_m);
    HelpText(ui::Format(tr("Taken when the accuracy reaches ± {threshold} m."), {{"threshold", threshold}}));
    UserText(p.live);
    LogItem("position live");
    if (!p.averaging.empty()) {
      UserText(p.averaging);
      LogItem("position averaging");
    }
    if (p.can_accept) {
      if (BigButton((p.accept_label + "###accept_position").c_str())) f.out.push_back(app::AcceptPosition{});
      LogItem(tr("Use this position anyway"));
      ImGui::SameLine();
    }
  }
  if (BigButton((std::string(tr("Stop waiting")) + "###cancel_position").c_str()))
    f.out.push_back(app::CancelPosition{});
  LogItem(tr("Stop waiting"));
}

}  // namespace

void DrawPositionTaking(Frame& f, bool for_site) {
  const app::PositionTakingState& p = f.state.position;
  const bool mine = p.active && p.for_site == for_site;
  if (!mine) {
    if (BigButton((std::string(tr("Use my position")) + "###use_position").c_str())) {
      f.out.push_back(app::UseMyPosition{for_site});
    }
    LogItem(tr("Use my position"));
    ImGui::SameLine();
  }
  if (BigButton((std::string(tr("Pick on the map")) + "###pick_on_map").c_str())) f.out.push_back(app::PickOnMap{});
  LogItem(tr("Pick on the map"));
  ImGui::SameLine();
  bool average = p.average;
  ImGui::AlignTextToFramePadding();
  if (ImGui::Checkbox((std::string(tr("Average over 10 s")) + "###average_position").c_str(), &average)) {
    f.out.push_back(app::SetPositionAveraging{average});
  }
  LogItem(tr("Average over 10 s"));
  if (mine) Waiting(f);
}

void DrawPositionWarnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) {
    WarningText(w);
    LogItem("position warning");
  }
}

}  // namespace ccfield::views
