// Conflicts: both versions side by side with the common base. Keep one, or
// write the merged text; resolving is an ordinary edit that syncs.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

void Column(const char* title, const std::string& who, const std::string& text) {
  ImGui::TextUnformatted(title);
  if (!who.empty()) HelpText(who);
  ImGui::Separator();
  UserTextWrapped(text);
}

void Conflict(Frame& f, const app::ConflictItem& c) {
  ImGui::PushID(c.info.id.c_str());
  Heading(c.record_title + " · " + c.field_label);
  if (ImGui::BeginTable("sides", 3, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    Column(tr("Before both edits"), "", c.base_text);
    ImGui::TableNextColumn();
    Column(tr("Current version"), c.current_who, c.current_text);
    ImGui::TableNextColumn();
    std::string when = c.info.loser_time.substr(0, 16);
    if (when.size() > 10) when[10] = ' ';
    Column(tr("Other version"), c.other_who + (when.empty() ? "" : " · " + when), c.other_text);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    if (BigButton(tr("Keep the earlier value"))) f.out.push_back(app::ResolveConflict{c.info.id, c.info.base});
    ImGui::TableNextColumn();
    if (BigButton(tr("Keep current"))) f.out.push_back(app::ResolveConflict{c.info.id, c.info.winner});
    ImGui::TableNextColumn();
    if (BigButton(tr("Keep other"))) f.out.push_back(app::ResolveConflict{c.info.id, c.info.loser});
    ImGui::EndTable();
  }
  if (c.is_text) {
    if (f.ui.merging_conflict_id != c.info.id) {
      if (BigButton(tr("Write a merged text"))) {
        f.ui.merging_conflict_id = c.info.id;
        // Start from both texts so nothing has to be retyped.
        f.ui.merged_text = c.current_text + "\n" + c.other_text;
      }
    } else {
      ImGui::InputTextMultiline("##merged", &f.ui.merged_text, ImVec2(-1, ImGui::GetFontSize() * 6));
      LogItem("merged text");
      if (BigButton(tr("Save merged text"))) {
        f.out.push_back(app::ResolveConflict{c.info.id, f.ui.merged_text});
        f.ui.merging_conflict_id.clear();
      }
      ImGui::SameLine();
      if (BigButton(tr("Cancel"))) f.ui.merging_conflict_id.clear();
    }
  }
  ImGui::Spacing();
  ImGui::PopID();
}

// Conflicts this person is not to resolve (ConflictIsMine): closed unless
// opened; they stay on the device and keep both values.
void OthersSection(Frame& f, const std::vector<app::ConflictItem>& others) {
  if (others.empty()) return;
  ImGui::Spacing();
  const std::string label =
      ui::Format(tr("Other people's conflicts ({n})"), {{"n", std::to_string(others.size())}}) + "###others";
  const bool open = ImGui::CollapsingHeader(label.c_str());
  LogItem(label.c_str());
  if (!open) return;
  HelpText(tr("These are for the people who made the changes, or a coordinator, to resolve. Both values are kept."));
  for (const app::ConflictItem& c : others) Conflict(f, c);
}

}  // namespace

void DrawConflicts(Frame& f) {
  const app::ConflictsState& s = f.state.conflicts;
  if (s.open.empty()) {
    Heading(tr("No open conflicts"));
    HelpText(tr("When two people change the same field offline, both versions are kept and shown here."));
    OthersSection(f, s.others);
    return;
  }
  HelpText(tr("Two people changed the same field. Nothing was lost: choose what the record should say."));
  for (const app::ConflictItem& c : s.open) Conflict(f, c);
  OthersSection(f, s.others);
}

}  // namespace ccfield::views
