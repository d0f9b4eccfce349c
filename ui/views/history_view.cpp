// History of a record: who changed what, when (oldest first, as the log keeps it).
#include <imgui.h>

#include "ccfield/core/json_text.h"
#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

void DrawHistory(Frame& f) {
  const app::HistoryState& h = f.state.history;
  Heading(ui::Format(tr("History of {title}"), {{"title", h.title}}));
  if (h.changes.empty()) HelpText(tr("No changes recorded."));
  if (!ImGui::BeginTable("history", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY)) {
    return;
  }
  ImGui::TableSetupColumn(tr("When"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 11);
  ImGui::TableSetupColumn(tr("Who"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 12);
  ImGui::TableSetupColumn(tr("Field"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 10);
  ImGui::TableSetupColumn(tr("New value"));
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(h.changes.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const ChangeEntry& c = h.changes[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      std::string when = c.time.substr(0, 16);
      if (when.size() > 10) when[10] = ' ';
      ImGui::TextUnformatted(when.c_str());
      const size_t k = static_cast<size_t>(i);
      if (k < h.clock_notes.size() && !h.clock_notes[k].empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("(!)");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", DisplayLine(h.clock_notes[k]).c_str());
      }
      ImGui::TableNextColumn();
      // Names and "this device", never member ids, device ids or "local".
      ImGui::TextUnformatted(DisplayLine(k < h.who_texts.size() ? h.who_texts[k] : std::string()).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(DisplayLine(k < h.field_labels.size() ? h.field_labels[k] : c.field).c_str());
      ImGui::TableNextColumn();
      std::string value = k < h.value_texts.size() ? h.value_texts[k] : JsonForOutput(c.value);
      ImGui::TextUnformatted(DisplayLine(value.substr(0, value.find('\n'))).c_str());
    }
  }
  ImGui::EndTable();
}

}  // namespace ccfield::views
