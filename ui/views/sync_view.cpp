// Sync: what waits, when it last worked, what blocks it, and "Sync now".
#include <imgui.h>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

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
  if (!s.rejected.empty()) {
    Heading(tr("Changes the server refused"));
    for (const auto& [change, reason] : s.rejected) {
      UserTextWrapped(change.record_id.substr(0, 8) + " · " + change.field + ": " + reason);
    }
  }
}

}  // namespace ccfield::views
