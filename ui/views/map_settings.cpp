// Settings → Basemaps (issue 13): the installed map packs with their zoom
// levels, size and attribution; adding an .mbtiles file by its path or by
// picking it in the file picker ("Choose a file…"); removing a pack (asked
// first). The rows and messages are logged for scripts ("basemap:NAME").
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cstdio>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

std::string SizeText(int64_t bytes) {
  char buf[32];
  if (bytes >= (1 << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.0f kB", static_cast<double>(bytes) / 1024);
  }
  return buf;
}

void PackRow(Frame& f, const maps::PackInfo& p) {
  UserText(p.name);
  LogItem(("basemap:" + p.name).c_str());
  std::string details = ui::Format(tr("zoom {min} to {max}"),
                                   {{"min", std::to_string(p.min_zoom)}, {"max", std::to_string(p.max_zoom)}}) +
                        " · " + SizeText(p.file_bytes);
  if (!p.attribution.empty()) details += " · " + p.attribution;
  HelpText(details);
  LogItem(("basemap details:" + details).c_str());
  if (!p.problem.empty()) ErrorText(p.problem);
  const std::string popup = "confirm_remove_pack" + p.id;
  if (ImGui::SmallButton((std::string(tr("Remove")) + "##pack" + p.id).c_str())) ImGui::OpenPopup(popup.c_str());
  LogItem(tr("Remove"));
  if (ConfirmDialog(popup.c_str(), ui::Format(tr("Remove the basemap {name} from this device?"), {{"name", p.name}}),
                    tr("Yes, remove it"), tr("Keep it"))) {
    f.out.push_back(app::RemoveMapPack{p.id});
  }
}

}  // namespace

void DrawBasemapSettings(Frame& f) {
  const app::MapState& m = f.state.map;
  Heading(tr("Basemaps"));
  if (m.packs.empty()) {
    HelpText(tr("No basemap installed: the map shows the sites on a plain background."));
  }
  for (const maps::PackInfo& p : m.packs) {
    ImGui::PushID(p.id.c_str());
    PackRow(f, p);
    ImGui::PopID();
  }
  for (const std::string& e : m.pack_errors) ErrorText(e);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  ImGui::InputTextWithHint("##basemap_path", tr("Path of an .mbtiles file"), &f.ui.basemap_path);
  LogItem(tr("Path of an .mbtiles file"));
  ImGui::SameLine();
  ImGui::BeginDisabled(f.ui.basemap_path.empty());
  if (BigButton(tr("Add basemap"))) f.out.push_back(app::AddMapPack{f.ui.basemap_path});
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (BigButton(tr("Choose a file…"))) f.out.push_back(app::OpenBasemapPicker{});
  if (!m.pack_message.empty()) {
    if (m.pack_message_is_error) {
      ErrorText(m.pack_message);
    } else {
      UserTextWrapped(m.pack_message);
    }
    LogItem(("basemap message:" + m.pack_message).c_str());
  }
}

}  // namespace ccfield::views
