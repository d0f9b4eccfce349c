// The site map: stored positions drawn on an equirectangular projection
// (no tiles: it must work offline), coloured by latest condition, with a
// scale bar. Wheel or +/- zooms, drag pans, a tap opens the nearest site.
#include <imgui.h>

#include <cmath>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

ImU32 ConditionColor(const std::string& c) {
  if (c == "0") return IM_COL32(30, 150, 60, 255);
  if (c == "1") return IM_COL32(200, 170, 0, 255);
  if (c == "2") return IM_COL32(230, 110, 0, 255);
  if (c == "3") return IM_COL32(210, 20, 20, 255);
  return IM_COL32(120, 120, 120, 255);
}

// A round length for the scale bar: 1, 2 or 5 times a power of ten metres.
double NiceLength(double max_metres) {
  double p = std::pow(10.0, std::floor(std::log10(max_metres)));
  for (double m : {5.0, 2.0, 1.0}) {
    if (m * p <= max_metres) return m * p;
  }
  return p;
}

}  // namespace

void DrawSiteMap(Frame& f, float height) {
  const app::SitesState& s = f.state.sites;
  MapView& mv = f.ui.map;
  double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
  int with_pos = 0;
  for (const app::SiteItem& site : s.all) {
    if (!site.has_position) continue;
    ++with_pos;
    min_lat = std::min(min_lat, site.lat);
    max_lat = std::max(max_lat, site.lat);
    min_lon = std::min(min_lon, site.lon);
    max_lon = std::max(max_lon, site.lon);
  }
  ImGui::BeginChild("map", ImVec2(0, height), true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  if (with_pos == 0) {
    HelpText(tr("No site has a stored position yet."));
    ImGui::EndChild();
    return;
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size = ImGui::GetContentRegionAvail();
  ImGui::InvisibleButton("map_canvas", size);
  ImGui::SetItemAllowOverlap();  // the zoom buttons sit on top of the canvas
  const bool hovered = ImGui::IsItemHovered();
  ImGuiIO& io = ImGui::GetIO();
  if (hovered && io.MouseWheel != 0) mv.zoom = std::clamp(mv.zoom * (io.MouseWheel > 0 ? 1.25f : 0.8f), 0.5f, 100000.0f);
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 4.0f)) {
    mv.pan_x += io.MouseDelta.x;
    mv.pan_y += io.MouseDelta.y;
  }
  // Metres per degree of longitude shrink with latitude: scale x by cos(mid latitude).
  const double mid_lat = (min_lat + max_lat) / 2;
  const double kx = std::cos(mid_lat * M_PI / 180.0);
  const double span_x = std::max((max_lon - min_lon) * kx, 1e-4), span_y = std::max(max_lat - min_lat, 1e-4);
  const double margin = 24.0 * f.scale;
  const double fit = std::min((size.x - 2 * margin) / span_x, (size.y - 2 * margin) / span_y);
  // A newly selected site: zoom to its neighbourhood (about 3 km across), centred.
  if (s.selected_id != mv.centred_on) {
    mv.centred_on = s.selected_id;
    for (const app::SiteItem& site : s.all) {
      if (site.id != s.selected_id || !site.has_position) continue;
      mv.zoom = static_cast<float>(std::max(1.0, size.x / (0.03 * kx) / fit));
      mv.pan_x = static_cast<float>(-(site.lon - (min_lon + max_lon) / 2) * kx * fit * mv.zoom);
      mv.pan_y = static_cast<float>((site.lat - mid_lat) * fit * mv.zoom);
    }
  }
  const double px_per_deg = fit * mv.zoom;
  const double cx = origin.x + size.x / 2 + mv.pan_x, cy = origin.y + size.y / 2 + mv.pan_y;
  auto project = [&](double lat, double lon) {
    return ImVec2(static_cast<float>(cx + (lon - (min_lon + max_lon) / 2) * kx * px_per_deg),
                  static_cast<float>(cy - (lat - mid_lat) * px_per_deg));
  };
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), ImGui::GetColorU32(ImGuiCol_FrameBg));
  const float r = 7.0f * f.scale;
  const app::SiteItem* nearest = nullptr;
  float nearest_d2 = (r * 2.5f) * (r * 2.5f);
  for (const app::SiteItem& site : s.all) {
    if (!site.has_position) continue;
    ImVec2 p = project(site.lat, site.lon);
    dl->AddCircleFilled(p, r, ConditionColor(site.condition));
    if (site.id == s.selected_id) dl->AddCircle(p, r + 4 * f.scale, ImGui::GetColorU32(ImGuiCol_Text), 0, 3.0f);
    float dx = p.x - io.MousePos.x, dy = p.y - io.MousePos.y;
    if (hovered && dx * dx + dy * dy < nearest_d2) {
      nearest_d2 = dx * dx + dy * dy;
      nearest = &site;
    }
  }
  if (nearest) ImGui::SetTooltip("%s", DisplayLine(nearest->name).c_str());
  if (nearest && ImGui::IsItemDeactivated() && io.MouseDragMaxDistanceSqr[0] < 16.0f) {
    f.out.push_back(app::OpenSite{nearest->id});
  }
  // Scale bar: a round distance no longer than a quarter of the map's width.
  const double metres_per_px = 111320.0 / px_per_deg;
  const double bar_m = NiceLength(metres_per_px * size.x / 4);
  const float bar_px = static_cast<float>(bar_m / metres_per_px);
  const ImVec2 b0(origin.x + 12 * f.scale, origin.y + size.y - 14 * f.scale);
  const ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
  dl->AddLine(b0, ImVec2(b0.x + bar_px, b0.y), ink, 3.0f);
  dl->AddLine(ImVec2(b0.x, b0.y - 5), ImVec2(b0.x, b0.y + 1), ink, 2.0f);
  dl->AddLine(ImVec2(b0.x + bar_px, b0.y - 5), ImVec2(b0.x + bar_px, b0.y + 1), ink, 2.0f);
  char label[32];
  if (bar_m >= 1000) {
    std::snprintf(label, sizeof label, "%g km", bar_m / 1000);
  } else {
    std::snprintf(label, sizeof label, "%g m", bar_m);
  }
  dl->AddText(ImVec2(b0.x, b0.y - ImGui::GetFontSize() - 6), ink, label);
  dl->PopClipRect();
  // Zoom buttons for touch screens without a wheel.
  ImGui::SetCursorScreenPos(ImVec2(origin.x + size.x - 150 * f.scale, origin.y + 6));
  if (ImGui::Button(" + ")) mv.zoom = std::min(mv.zoom * 1.5f, 100000.0f);
  ImGui::SameLine();
  if (ImGui::Button(" - ")) mv.zoom = std::max(mv.zoom / 1.5f, 0.5f);
  ImGui::SameLine();
  if (ImGui::Button(tr("Show all"))) {
    mv.zoom = 1;
    mv.pan_x = mv.pan_y = 0;
  }
  ImGui::EndChild();
}

}  // namespace ccfield::views
