// The photo strip of a visit (in the editor) or a site (in its details):
// thumbnails side by side, each with its state under it ("waiting", "42 %
// sent", "refused: …", "only thumbnail here — tap to download") and its
// caption; "Add photos…" (the picker), "Camera" when the device has one, and
// the deleted photos with "Restore". A thumbnail opens the viewer.
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include <algorithm>

#include "text/i18n.h"
#include "views/photo_textures.h"
#include "views/photo_view_parts.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

// The caption box under a thumbnail (or in the viewer): typed text stays in
// `buffer` while the box has the keyboard; leaving the box saves it.
void CaptionBox(Frame& f, const app::PhotoItem& p, const char* id, float width, std::string* buffer,
                const std::string& log_label) {
  if (ImGui::GetActiveID() != ImGui::GetID(id)) *buffer = p.caption;
  ImGui::SetNextItemWidth(width);
  TextInput(id, buffer, 0, tr("Caption"));
  if (ImGui::IsItemDeactivatedAfterEdit()) f.out.push_back(app::SetPhotoCaption{p.id, *buffer});
  LogItem(log_label.c_str());
}

// One photo: a group as wide as the thumbnail; its state and caption wrap
// (and right-to-left text aligns) within it. Groups, not child windows: a
// photo further down the form is scrolled to like any field.
void Cell(Frame& f, const app::PhotoItem& p, int n, float edge) {
  ImGui::PushID(p.id.c_str());
  ImGui::BeginGroup();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  if (ImGui::InvisibleButton("thumb", ImVec2(edge, edge))) {
    f.ui.viewer = {};
    f.ui.viewer.photo_id = p.id;
    // "only thumbnail here — tap to download": the viewer shows the thumbnail until the photo arrives.
    if (p.can_download) f.out.push_back(app::DownloadPhoto{p.id});
  }
  LogItem(("photo " + std::to_string(n)).c_str());
  ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + edge, at.y + edge), ImGui::GetColorU32(ImGuiCol_FrameBg),
                                            4.0f);
  DrawPhotoImage(f, p, ImVec2(at.x, at.y), ImVec2(edge, edge), kThumbEdge, /*thumb_only=*/true);
  PhotoStateBadge(p, edge);
  if (p.can_download) {
    if (BigButton((std::string(tr("Download")) + "###dl").c_str(), edge)) f.out.push_back(app::DownloadPhoto{p.id});
  }
  CaptionBox(f, p, "##caption", edge, &f.ui.captions[p.id], "caption " + std::to_string(n));
  ImGui::EndGroup();
  ImGui::PopID();
}

// Deleted photos, each with "Restore" (a delete is undone like any record's).
void DeletedPhotos(Frame& f) {
  for (const app::PhotoItem& p : f.state.photos.items) {
    if (!p.deleted) continue;
    ImGui::PushID(p.id.c_str());
    const std::string name = !p.caption.empty() ? p.caption : !p.file_name.empty() ? p.file_name : tr("a photo");
    HelpText(ui::Format(tr("Deleted: {name}"), {{"name", name}}));
    ImGui::SameLine();
    if (BigButton((std::string(tr("Restore")) + "###restore").c_str())) f.out.push_back(app::RestorePhoto{p.id});
    ImGui::PopID();
  }
}

}  // namespace

void PhotoCaptionBox(Frame& f, const app::PhotoItem& p, float width) {
  CaptionBox(f, p, "##viewer_caption", width, &f.ui.viewer.caption, "viewer caption");
}

void DrawPhotoStrip(Frame& f) {
  const app::PhotosState& s = f.state.photos;
  if (s.parent_id.empty()) return;
  ImGui::PushID("photos");
  int live = 0;
  for (const app::PhotoItem& p : s.items) live += p.deleted ? 0 : 1;
  Heading(ui::Format(tr("Photos ({n})"), {{"n", std::to_string(live)}}));
  Flow flow;
  if (BigButton(tr("Add photos…"), flow.Next(tr("Add photos…")))) f.out.push_back(app::OpenPhotoPicker{});
  if (!s.camera_note.empty()) {
    const float w = flow.Next(tr("Camera"));
    ImGui::BeginDisabled(true);
    BigButton(tr("Camera"), w);
    ImGui::EndDisabled();
    HelpText(s.camera_note);
  }
  HelpText(tr("Or drop photo files on this window."));
  // Side by side, wrapping onto more rows when the window is narrow.
  const float edge = std::round(ImGui::GetFontSize() * 7);
  const float gap = ImGui::GetStyle().ItemSpacing.x * 2;
  const float right = ImGui::GetContentRegionAvail().x;
  float x = 0;
  int n = 0;
  for (const app::PhotoItem& p : s.items) {
    if (p.deleted) continue;
    if (n > 0 && x + gap + edge <= right) {
      ImGui::SameLine(0, gap);
      x += gap;
    } else {
      x = 0;
    }
    Cell(f, p, ++n, edge);
    x += edge;
  }
  DeletedPhotos(f);
  ImGui::PopID();
}

}  // namespace ccfield::views
