// Home, organised like ODK Collect: "New visit" first; then the visits by
// state (drafts, ready to send, sent, refused, in conflict), each opening the
// Visits screen filtered by it; then what needs attention (overdue follow-ups
// first) and sync in plain words.
#include <imgui.h>

#include "app/display.h"
#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

void VisitButton(Frame& f, const VisitRow& v, const std::string& extra, bool overdue) {
  std::string label = DisplayLine(app::VisitRowTitle(v) + extra) + "##home" + v.id;
  if (ListRow(label.c_str())) f.out.push_back(app::OpenVisit{v.id});
  const float badge_w = StateBadgeOnLastItem(v.sync);
  if (overdue) {
    // "Overdue" sits left of the state badge, over the row's right end.
    const std::string word = DisplayLine(tr("Overdue"));
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    const ImVec2 keep = ImGui::GetCursorScreenPos();
    const float pad = ImGui::GetFontSize() * 0.4f;
    const float w = ImGui::CalcTextSize(word.c_str()).x + pad * 2;
    ImGui::SetCursorScreenPos(ImVec2(max.x - badge_w - w - pad, (min.y + max.y - ImGui::GetTextLineHeight()) / 2));
    WordBadge(tr("Overdue"), RecordState::kRefused);
    ImGui::SetCursorScreenPos(keep);
  }
}

// One "Drafts (3)" button per state: opens the Visits screen filtered by it.
void StateButton(Frame& f, Flow& flow, const char* word, RecordState state, int64_t n) {
  const std::string text = std::string(word) + " (" + std::to_string(n) + ")";
  const float w = flow.Next(text.c_str());
  const std::string label = text + "###state" + RecordStateName(state);
  ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
  const bool pressed = BigButton(label.c_str(), w);
  ImGui::PopStyleColor();
  // A stripe of the state's colour along the bottom ties the button to the badges.
  const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  const float t = std::max(3.0f, ImGui::GetFontSize() * 0.22f);
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(min.x + 2, max.y - t - 2), ImVec2(max.x - 2, max.y - 2),
                                            StateColourU32(state));
  if (pressed) {
    f.out.push_back(app::ShowVisitsInState{RecordStateName(state)});
    f.ui.visit_filter = {};
    f.ui.visit_filter.state = RecordStateName(state);
  }
}

}  // namespace

void DrawHome(Frame& f) {
  const app::HomeState& h = f.state.home;
  if (f.state.new_visit.open) {
    DrawNewVisit(f);
    return;
  }
  // The primary action, first and in the strong colour.
  ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  const bool start = BigButton(tr("New visit"), std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 20));
  ImGui::PopStyleColor();
  if (start) f.out.push_back(app::StartNewVisit{});
  ImGui::Spacing();
  if (h.workspaces.empty()) {
    Heading(tr("No workspace yet"));
    UserTextWrapped(tr("Your municipality's workspace comes from the platform: add the server and sign in "
                       "under Settings, then sync."));
  }
  // Every workspace the counts cover, one a line; the demo ones say so.
  for (const app::HomeState::Workspace& w : h.workspaces) {
    ImGui::SetWindowFontScale(1.15f);
    UserText(w.name);
    ImGui::SetWindowFontScale(1.0f);
    if (w.demo) {
      ImGui::SameLine();
      StateBadge({RecordState::kDemo, ""});
    }
  }
  ImGui::Separator();
  const RecordStateCounts& n = h.visit_states;
  Flow flow;
  StateButton(f, flow, tr("Drafts"), RecordState::kDraft, n.draft);
  StateButton(f, flow, tr("Ready to send"), RecordState::kWaiting, n.waiting);
  StateButton(f, flow, tr("Sent"), RecordState::kSent, n.sent);
  StateButton(f, flow, tr("Refused"), RecordState::kRefused, n.refused);
  if (n.conflict > 0) StateButton(f, flow, tr("In conflict"), RecordState::kConflict, n.conflict);
  if (n.demo > 0) StateButton(f, flow, tr("Demo"), RecordState::kDemo, n.demo);
  if (!h.refused_sentence.empty()) {
    const std::string text = h.refused_sentence + " " + tr("See why");
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.72f, 0.0f, 0.08f, 1));
    const bool go = BigButton((DisplayLine(text) + "###refused").c_str());
    ImGui::PopStyleColor();
    LogItem("refused-sentence");
    if (go) f.out.push_back(app::GoTo{app::Screen::kSync});
  }
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
    VisitButton(f, v, extra, !v.follow_up_due.empty() && v.follow_up_due < h.today);
  }
  ImGui::Spacing();
  Heading(tr("Visits in progress"));
  if (h.in_progress.empty()) HelpText(tr("No visits in progress."));
  for (const VisitRow& v : h.in_progress) VisitButton(f, v, "", false);
}

}  // namespace ccfield::views
