// Visits: filters, full-text search with highlighted snippets, and a
// virtualised list (ImGuiListClipper) that scrolls 10,000 rows smoothly.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "app/display.h"
#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

// A combo over (id, label) pairs with "any" first; true when changed.
bool PickCombo(const char* label, std::string* value, const std::vector<std::pair<std::string, std::string>>& items) {
  std::string current = tr("any");
  for (const auto& [id, name] : items) {
    if (id == *value) current = name;
  }
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 11);
  if (ImGui::BeginCombo(label, DisplayLine(current).c_str(), ImGuiComboFlags_HeightLarge)) {
    if (ListRow(tr("any"), value->empty())) {
      value->clear();
      changed = true;
    }
    for (const auto& [id, name] : items) {
      if (ListRow((DisplayLine(name) + "##" + id).c_str(), id == *value)) {
        *value = id;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  LogItem(label);
  return changed;
}

void Filters(Frame& f) {
  const app::VisitsState& v = f.state.visits;
  app::VisitFilterState& edit = f.ui.visit_filter;
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  changed |= TextInput("##search", &edit.search, 0, tr("Search visits"));
  LogItem(tr("Search visits"));
  ImGui::SameLine();
  changed |= PickCombo(tr("Site"), &edit.site_id, v.sites);
  ImGui::SameLine();
  changed |= PickCombo(tr("Project"), &edit.project_id, v.projects);
  ImGui::SameLine();
  changed |= PickCombo(tr("Form"), &edit.form_id, v.forms);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  changed |= TextInput(tr("From"), &edit.from_date, 0, "YYYY-MM-DD");
  LogItem(tr("From"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  changed |= TextInput(tr("To"), &edit.to_date, 0, "YYYY-MM-DD");
  LogItem(tr("To"));
  ImGui::SameLine();
  ImGui::TextUnformatted(tr("Follow-up:"));
  for (const char* p : {"P1", "P2", "P3"}) {
    ImGui::SameLine();
    if (ChoiceButton(p, edit.priority == p)) {
      edit.priority = edit.priority == p ? "" : p;
      changed = true;
    }
  }
  if (!edit.state.empty()) {
    ImGui::SameLine();
    ImGui::TextUnformatted(tr("Only:"));
    ImGui::SameLine();
    for (RecordState st : {RecordState::kDraft, RecordState::kWaiting, RecordState::kSent, RecordState::kRefused,
                           RecordState::kConflict, RecordState::kDemo}) {
      if (edit.state == RecordStateName(st)) StateBadge({st, ""});
    }
    ImGui::SameLine();
    if (BigButton(tr("Show all"))) {
      edit.state.clear();
      changed = true;
    }
  }
  // Dates are applied only when complete, so typing "2026-1" does not empty the list.
  auto date_ok = [](const std::string& d) { return d.empty() || d.size() == 10; };
  if (changed && date_ok(edit.from_date) && date_ok(edit.to_date) && !(edit == v.filter)) {
    f.out.push_back(app::SetVisitFilter{edit});
  }
}

void Row(Frame& f, const VisitRow& r, const std::string* snippet) {
  std::string title = app::VisitRowTitle(r);
  if (r.follow_up_needed) title += " · " + r.follow_up_priority;
  if (!r.condition_rating.empty()) title += " · " + app::ConditionText(r.condition_rating);
  const float h = std::max(TouchHeight(), ImGui::GetFontSize() * 2.4f);
  std::string label = "##row" + r.id;
  ImVec2 start = ImGui::GetCursorPos();
  if (ListRow(label.c_str(), false, h, ("row:" + title).c_str())) f.out.push_back(app::OpenVisit{r.id});
  StateBadgeOnLastItem(r.sync);
  ImGui::SetCursorPos(start);
  ImGui::TextUnformatted(DisplayLine(title).c_str());
  if (snippet) {
    Snippet(*snippet);
  } else {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextUnformatted(DisplayLine(r.notes_head).c_str());
    ImGui::PopStyleColor();
  }
  ImGui::SetCursorPos(ImVec2(start.x, start.y + h + ImGui::GetStyle().ItemSpacing.y));
}

}  // namespace

void DrawVisits(Frame& f) {
  const app::VisitsState& v = f.state.visits;
  Filters(f);
  if (!v.error.empty()) ErrorText(v.error);
  const int n = static_cast<int>(v.searching ? v.hits.size() : v.rows.size());
  if (v.searching) {
    ImGui::TextUnformatted(ui::Format(tr("Matching visits: {n}"), {{"n", std::to_string(n)}}).c_str());
  } else if (n >= app::kMaxVisitRows) {
    ImGui::TextUnformatted(ui::trn("Showing the newest {count} visit; use the filters to find older ones.",
                                   "Showing the newest {count} visits; use the filters to find older ones.", n)
                               .c_str());
  } else {
    ImGui::TextUnformatted(ui::Format(tr("Visits: {n}"), {{"n", std::to_string(n)}}).c_str());
  }
  ImGui::BeginChild("visitlist");
  ImGuiListClipper clipper;
  clipper.Begin(n, std::max(TouchHeight(), ImGui::GetFontSize() * 2.4f) + ImGui::GetStyle().ItemSpacing.y);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      if (v.searching) {
        const app::VisitHit& hit = v.hits[static_cast<size_t>(i)];
        Row(f, hit.row, &hit.snippet);
      } else {
        Row(f, v.rows[static_cast<size_t>(i)], nullptr);
      }
    }
  }
  ImGui::EndChild();
}

}  // namespace ccfield::views
