// Home: the workspace, what needs attention, sync in plain words.
#include <imgui.h>

#include "app/display.h"
#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

void VisitButton(Frame& f, const VisitRow& v, const std::string& extra) {
  std::string label = DisplayLine(app::VisitRowTitle(v) + extra) + "##home" + v.id;
  if (ImGui::Selectable(label.c_str(), false, 0, ImVec2(0, ImGui::GetFontSize() * 1.8f))) {
    f.out.push_back(app::OpenVisit{v.id});
  }
  LogItem(label.c_str());
}

}  // namespace

void DrawHome(Frame& f) {
  const app::HomeState& h = f.state.home;
  Heading(h.workspace_name.empty() ? tr("No workspace yet") : h.workspace_name);
  ImGui::TextUnformatted(ui::Format(tr("Sites: {sites} · visits: {visits} · projects: {projects} · good practices: {practices}"),
                                    {{"sites", std::to_string(h.sites)},
                                     {"visits", std::to_string(h.visits)},
                                     {"projects", std::to_string(h.projects)},
                                     {"practices", std::to_string(h.practices)}})
                             .c_str());
  UserTextWrapped(f.state.sync.sentence);
  ImGui::Spacing();

  if (!h.unsaved_drafts.empty()) {
    Heading(tr("Unsaved edits"));
    for (const auto& [key, title] : h.unsaved_drafts) {
      std::string label = DisplayLine(title) + "##draft" + key;
      if (BigButton(label.c_str())) f.out.push_back(app::OpenDraft{key});
    }
  }
  if (h.open_conflicts > 0) {
    std::string label = ui::Format(tr("Conflicts needing a decision: {n}"), {{"n", std::to_string(h.open_conflicts)}});
    if (BigButton(label.c_str())) f.out.push_back(app::GoTo{app::Screen::kConflicts});
  }

  Heading(tr("Follow-ups due"));
  if (h.follow_ups.empty()) HelpText(tr("No open follow-ups."));
  for (const VisitRow& v : h.follow_ups) {
    std::string extra = " · " + v.follow_up_priority + (v.follow_up_due.empty() ? "" : " · " + v.follow_up_due);
    VisitButton(f, v, extra);
  }
  ImGui::Spacing();
  Heading(tr("Visits in progress"));
  if (h.in_progress.empty()) HelpText(tr("No visits in progress."));
  for (const VisitRow& v : h.in_progress) VisitButton(f, v, "");
}

}  // namespace ccfield::views
