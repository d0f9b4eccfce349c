// The full-screen photo viewer, over everything: the photo fitted to the
// window; the mouse wheel, ctrl+wheel or a pinch zoom around the pointer;
// dragging pans; left/right (keys or buttons) go through the photos of the
// visit or site; the caption, delete/restore, download, send now and "Save a
// copy" sit in the bar under it; Esc or "Close" closes.
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

#include "text/i18n.h"
#include "views/photo_textures.h"
#include "views/photo_view_parts.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

constexpr float kMinZoom = 1.0f, kMaxZoom = 16.0f;

// The live photos in strip order, and where `id` is among them (-1: not there).
std::vector<const app::PhotoItem*> Live(const app::PhotosState& s, const std::string& id, int* at) {
  std::vector<const app::PhotoItem*> out;
  *at = -1;
  for (const app::PhotoItem& p : s.items) {
    if (p.id == id) *at = static_cast<int>(out.size());
    if (!p.deleted || p.id == id) out.push_back(&p);
  }
  return out;
}

// Zooms by `factor` keeping the photo point under `pointer` where it is.
void ZoomAround(PhotoViewer& v, float factor, ImVec2 pointer, ImVec2 centre) {
  const float z = std::clamp(v.zoom * factor, kMinZoom, kMaxZoom);
  const float k = z / v.zoom;
  const ImVec2 c(centre.x + v.pan_x, centre.y + v.pan_y);  // where the photo's centre is now
  v.pan_x = pointer.x - (pointer.x - c.x) * k - centre.x;
  v.pan_y = pointer.y - (pointer.y - c.y) * k - centre.y;
  v.zoom = z;
  if (z == kMinZoom) v.pan_x = v.pan_y = 0;  // fitted again: centred
}

void Show(PhotoViewer& v, const app::PhotoItem* p) {
  const float bar_h = v.bar_h;
  v = {};
  v.photo_id = p->id;
  v.bar_h = bar_h;
}

// The photo area: draws the photo, handles wheel, pinch and drag.
void PhotoArea(Frame& f, const app::PhotoItem& p, ImVec2 size) {
  PhotoViewer& v = f.ui.viewer;
  const ImVec2 min = ImGui::GetCursorScreenPos();
  const ImVec2 centre(min.x + size.x / 2, min.y + size.y / 2);
  ImGui::InvisibleButton("photo_area", size);
  LogItem("viewer photo");
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsItemHovered() && io.MouseWheel != 0) {
    ZoomAround(v, std::pow(1.25f, io.MouseWheel), io.MousePos, centre);
  }
  if (f.ui.pinch != 1.0f) ZoomAround(v, f.ui.pinch, ImVec2(f.ui.pinch_x, f.ui.pinch_y), centre);
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0f) && v.zoom > kMinZoom) {
    v.pan_x += io.MouseDelta.x;
    v.pan_y += io.MouseDelta.y;
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, ImVec2(min.x + size.x, min.y + size.y), IM_COL32(0, 0, 0, 255));
  dl->PushClipRect(min, ImVec2(min.x + size.x, min.y + size.y), true);
  // Fitted size times the zoom, centred on the pan.
  const ImVec2 zs(size.x * v.zoom, size.y * v.zoom);
  const ImVec2 zmin(centre.x + v.pan_x - zs.x / 2, centre.y + v.pan_y - zs.y / 2);
  DrawPhotoImage(f, p, zmin, zs, kViewerEdge, /*thumb_only=*/false);
  dl->PopClipRect();
}

// The bar under the photo: its state, caption and what can be done with it.
void ActionBar(Frame& f, const app::PhotoItem& p, const std::vector<const app::PhotoItem*>& live, int at) {
  PhotoViewer& v = f.ui.viewer;
  Flow flow;
  float w = flow.Next(tr("Close photo"));
  if (BigButton(tr("Close photo"), w)) v = {};
  w = flow.Next(tr("Previous"));
  ImGui::BeginDisabled(at <= 0);
  if (BigButton(tr("Previous"), w)) Show(v, live[at - 1]);
  ImGui::EndDisabled();
  w = flow.Next(tr("Next"));
  ImGui::BeginDisabled(at < 0 || at + 1 >= static_cast<int>(live.size()));
  if (BigButton(tr("Next"), w)) Show(v, live[at + 1]);
  ImGui::EndDisabled();
  const ImVec2 centre = ImGui::GetMainViewport()->GetCenter();
  if (BigButton(tr("Zoom in"), flow.Next(tr("Zoom in")))) ZoomAround(v, 1.5f, centre, centre);
  if (BigButton(tr("Fit"), flow.Next(tr("Fit")))) {
    v.zoom = 1;
    v.pan_x = v.pan_y = 0;
  }
  if (p.can_download && BigButton(tr("Download"), flow.Next(tr("Download")))) f.out.push_back(app::DownloadPhoto{p.id});
  if (p.can_send_now && BigButton(tr("Send now"), flow.Next(tr("Send now")))) f.out.push_back(app::SendPhotoNow{p.id});
  if (BigButton(tr("Save a copy"), flow.Next(tr("Save a copy")))) f.out.push_back(app::ExportPhotoFile{p.id, ""});
  if (p.deleted) {
    if (BigButton(tr("Restore"), flow.Next(tr("Restore")))) f.out.push_back(app::RestorePhoto{p.id});
  } else if (BigButton(tr("Delete photo"), flow.Next(tr("Delete photo")))) {
    f.out.push_back(app::DeletePhoto{p.id});
  }
  PhotoCaptionBox(f, p, std::min(ImGui::GetContentRegionAvail().x * 0.5f, ImGui::GetFontSize() * 24));
  ImGui::SameLine();
  ImGui::BeginChild("viewer_state", ImVec2(0, ImGui::GetFrameHeightWithSpacing()), false, ImGuiWindowFlags_NoScrollbar);
  PhotoStateBadge(p, ImGui::GetContentRegionAvail().x - 8);
  ImGui::EndChild();
}

void Keys(Frame& f, const std::vector<const app::PhotoItem*>& live, int at) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;  // typing a caption: the arrows move the cursor
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) f.ui.viewer = {};
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow)) && at > 0) Show(f.ui.viewer, live[at - 1]);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow)) && at >= 0 &&
      at + 1 < static_cast<int>(live.size())) {
    Show(f.ui.viewer, live[at + 1]);
  }
}

}  // namespace

void DrawPhotoViewer(Frame& f) {
  PhotoViewer& v = f.ui.viewer;
  if (v.photo_id.empty()) return;
  int at = -1;
  std::vector<const app::PhotoItem*> live = Live(f.state.photos, v.photo_id, &at);
  if (at < 0) {  // gone (another visit opened, or removed by a sync)
    v = {};
    return;
  }
  const app::PhotoItem& p = *live[at];
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::SetNextWindowFocus();
  ImGui::Begin("photo_viewer", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse);
  const std::string title = (p.caption.empty() ? p.file_name : p.caption) + "  (" + std::to_string(at + 1) + " / " +
                            std::to_string(live.size()) + ")";
  UserText(title);
  const float bar_h = v.bar_h > 0 ? v.bar_h : TouchHeight() * 2 + ImGui::GetFrameHeightWithSpacing();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  PhotoArea(f, p, ImVec2(avail.x, std::max(avail.y - bar_h, 50.0f)));
  const float bar_top = ImGui::GetCursorPosY();
  ActionBar(f, p, live, at);
  if (!v.photo_id.empty()) v.bar_h = ImGui::GetCursorPosY() - bar_top;  // measured: next frame fits it exactly
  Keys(f, live, at);
  ImGui::End();
}

}  // namespace ccfield::views
