// Sync: what waits, when it last worked, what blocks it, and "Sync now".
#include <imgui.h>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

// Each refused record with the server's reason and the ways out: move it to
// a workspace the person can write to, edit it (then send it again), or
// discard it (after a confirmation).
void RefusedList(Frame& f) {
  const app::SyncScreenState& s = f.state.sync;
  Heading(tr("Refused by the server"));
  HelpText(tr("These were not accepted by the server and are kept on this device. For each one: move it, fix it and "
              "send it again, or discard it."));
  for (const app::RefusedItem& item : s.refused) {
    ImGui::PushID(item.id.c_str());
    ImGui::Separator();
    StateBadge({RecordState::kRefused, item.reason});
    ImGui::SameLine();
    UserText(item.type_label + ": " + item.title);
    UserTextWrapped(ui::Format(tr("The server said: {reason}"), {{"reason", item.reason}}));
    Flow flow;
    for (const auto& [ws_id, ws_name] : s.move_targets) {
      if (ws_id == item.workspace_id || item.demo_workspace) continue;
      // A visit stays in its site's workspace: it moves with its site (and the site's other visits).
      const bool visit = item.type == RecordType::kVisit && !item.site_id.empty();
      const std::string text =
          visit ? ui::Format(tr("Move {site} and its visits to {workspace}"), {{"site", item.site_name}, {"workspace", ws_name}})
                : ui::Format(tr("Move to {workspace}"), {{"workspace", ws_name}});
      const float w = flow.Next(text.c_str());
      if (BigButton((DisplayLine(text) + "###move" + ws_id).c_str(), w)) {
        f.out.push_back(visit ? app::MoveRefusedRecord{RecordType::kSite, item.site_id, ws_id}
                              : app::MoveRefusedRecord{item.type, item.id, ws_id});
      }
    }
    float w = flow.Next(tr("Edit"));
    if (BigButton(tr("Edit"), w)) f.out.push_back(app::EditRefusedRecord{item.type, item.id});
    w = flow.Next(tr("Send again"));
    if (BigButton(tr("Send again"), w)) f.out.push_back(app::RetryRefusedRecord{item.type, item.id});
    w = flow.Next(tr("Discard"));
    if (BigButton(tr("Discard"), w)) ImGui::OpenPopup("confirm_discard");
    if (ConfirmDialog("confirm_discard",
                      ui::Format(tr("Discard {title} on this device? What the server refused is lost; what the "
                                    "server already has stays."),
                                 {{"title", item.title}}),
                      tr("Yes, discard it"), tr("Keep it"))) {
      f.out.push_back(app::DiscardRefusedRecord{item.type, item.id});
    }
    ImGui::PopID();
  }
}

}  // namespace

void DrawSync(Frame& f) {
  const app::SyncScreenState& s = f.state.sync;
  Heading(tr("Sync"));
  UserTextWrapped(s.sentence);
  if (!s.status.server_url.empty()) {
    ImGui::TextUnformatted(ui::Format(tr("Server: {url} as {user}"), {{"url", s.status.server_url}, {"user", s.status.username}}).c_str());
  }
  ImGui::Spacing();
  ImGui::BeginDisabled(s.running);
  if (BigButton(s.running ? tr("Syncing…") : tr("Sync now"))) f.out.push_back(app::SyncNow{});
  ImGui::EndDisabled();
  if (s.running) {
    ImGui::SameLine();
    // A spinner only while syncing: it is what asks the loop for frames.
    const char* frames = "|/-\\";
    ImGui::Text("%c", frames[static_cast<int>(ImGui::GetTime() * 8) % 4]);
  }
  if (!s.last_result.empty()) UserTextWrapped(s.last_result);
  DrawDataUse(f);  // photo_settings.cpp
  if (!s.refused.empty()) RefusedList(f);
}

}  // namespace ccfield::views
