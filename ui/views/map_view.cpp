// The site map (issue 13): the installed basemap packs' tiles under the
// sites' markers (coloured by latest condition, clustered where they
// overlap), the person's own position, a scale bar and the packs'
// attribution. Drag pans; the wheel, a pinch and + / − zoom around the
// pointer or the fingers. A tap on a marker opens the site, on a cluster
// zooms in to it; a long-press or a right-click on the map offers "New site
// here" and, while a visit is edited, "Set the visit's position here".
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "text/i18n.h"
#include "views/map_canvas.h"
#include "views/map_tiles.h"
#include "views/mirror.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

constexpr double kSiteZoom = 17;  // one site alone, or a selected site
constexpr float kLongPressSeconds = 0.6f;
constexpr int kFrameMs = 16;  // frames while tiles load or a press is timed

struct Extent {
  bool any = false;
  double south = 90, north = -90, west = 180, east = -180;
  void Add(double lat, double lon) {
    any = true;
    south = std::min(south, lat);
    north = std::max(north, lat);
    west = std::min(west, lon);
    east = std::max(east, lon);
  }
};

MapCamera CameraOf(const MapView& mv) { return {mv.cx, mv.cy, mv.zoom}; }
void SetCamera(MapView& mv, const MapCamera& c) {
  mv.cx = c.cx;
  mv.cy = c.cy;
  mv.zoom = c.zoom;
}

// The workspace the map opens on: the selected site's, else the one with
// the most sites on the map (a real one before the demo's).
std::string MapWorkspace(const app::SitesState& s) {
  std::map<std::string, double> score;
  for (const app::SiteItem& site : s.all) {
    if (!site.has_position) continue;
    if (site.id == s.selected_id) return site.workspace_id;
    score[site.workspace_id] += site.sync.state == RecordState::kDemo ? 1 : 1e6;
  }
  std::string best;
  double best_score = 0;
  for (const auto& [ws, n] : score) {
    if (n > best_score) best = ws, best_score = n;
  }
  return best;
}

// Opens on the workspace's sites (never the world), else on the packs, and
// follows a site selected in the list.
void PlaceCamera(const Frame& f, MapView& mv, ImVec2 size) {
  const app::SitesState& s = f.state.sites;
  const size_t count =
      static_cast<size_t>(std::count_if(s.all.begin(), s.all.end(), [](auto& x) { return x.has_position; }));
  if (!mv.placed || (!mv.moved && count != mv.placed_sites)) {
    Extent e;
    const std::string ws = MapWorkspace(s);
    for (const app::SiteItem& site : s.all) {
      if (site.has_position && site.workspace_id == ws) e.Add(site.lat, site.lon);
    }
    if (!e.any) {
      for (const maps::PackInfo& p : f.state.map.packs) {
        if (p.has_bounds) e.Add(p.south, p.west), e.Add(p.north, p.east);
      }
    }
    if (!e.any && f.state.own_position.has_fix) e.Add(f.state.own_position.lat, f.state.own_position.lon);
    const MapCamera cam =
        e.any ? CameraToFit({e.south, e.west}, {e.north, e.east}, size.x, size.y, 32 * f.scale, kSiteZoom)
              : MapCamera{};
    SetCamera(mv, cam);
    mv.placed = true;
    mv.placed_sites = count;
    mv.centred_on = s.selected_id;
  }
  if (s.selected_id != mv.centred_on) {
    mv.centred_on = s.selected_id;
    for (const app::SiteItem& site : s.all) {
      if (site.id == s.selected_id && site.has_position)
        SetCamera(mv, CameraAt({site.lat, site.lon}, std::max(mv.zoom, 15.0)));
    }
  }
}

// The sites with a position, as markers, and how they cluster on screen.
struct Markers {
  std::vector<const app::SiteItem*> sites;  // MarkerPoint::index into this
  std::vector<MarkerCluster> clusters;
};

Markers LayOutMarkers(const Frame& f, const MapCanvas& c) {
  Markers m;
  std::vector<MarkerPoint> points;
  for (const app::SiteItem& site : f.state.sites.all) {
    if (!site.has_position) continue;
    const ImVec2 p = c.Screen({site.lat, site.lon});
    points.push_back({p.x, p.y, static_cast<int>(m.sites.size())});
    m.sites.push_back(&site);
  }
  m.clusters = ClusterMarkers(points, 18.0 * c.scale);
  return m;
}

float ClusterRadius(const MarkerCluster& k, float scale) {
  if (k.members.size() == 1) return 7.0f * scale;
  return (11.0f + 3.0f * std::log10(static_cast<float>(k.members.size()))) * scale;
}

// The cluster under `at` (within a finger's reach), or -1.
int ClusterAt(const Markers& m, ImVec2 at, float scale) {
  int best = -1;
  double best_d2 = 0;
  for (size_t i = 0; i < m.clusters.size(); ++i) {
    const MarkerCluster& k = m.clusters[i];
    const double reach = ClusterRadius(k, scale) + 10.0 * scale;
    const double d2 = (k.x - at.x) * (k.x - at.x) + (k.y - at.y) * (k.y - at.y);
    if (d2 < reach * reach && (best < 0 || d2 < best_d2)) {
      best = static_cast<int>(i);
      best_d2 = d2;
    }
  }
  return best;
}

// The worst condition among a cluster's sites gives its colour.
std::string WorstCondition(const Markers& m, const MarkerCluster& k) {
  std::string worst;
  for (int i : k.members) worst = std::max(worst, m.sites[static_cast<size_t>(i)]->condition);
  return worst;
}

void DrawMarkers(const Frame& f, const MapCanvas& c, const Markers& m) {
  const float s = c.scale;
  for (const MarkerCluster& k : m.clusters) {
    const ImVec2 p(static_cast<float>(k.x), static_cast<float>(k.y));
    const float r = ClusterRadius(k, s);
    const app::SiteItem& first = *m.sites[static_cast<size_t>(k.members.front())];
    c.dl->AddCircleFilled(p, r + 1.5f * s, IM_COL32(255, 255, 255, 255));
    c.dl->AddCircleFilled(p, r, ConditionColor(k.members.size() == 1 ? first.condition : WorstCondition(m, k)));
    if (k.members.size() > 1) {
      const std::string n = std::to_string(k.members.size());
      const ImVec2 ts = ImGui::CalcTextSize(n.c_str());
      c.dl->AddText(ImVec2(p.x - ts.x / 2, p.y - ts.y / 2), IM_COL32(255, 255, 255, 255), n.c_str());
    }
    for (int i : k.members) {
      if (m.sites[static_cast<size_t>(i)]->id == f.state.sites.selected_id) {
        c.dl->AddCircle(p, r + 4 * s, IM_COL32(20, 20, 20, 255), 0, 3.0f);
      }
    }
  }
}

// A tap: a marker opens its site; a cluster zooms in until it comes apart.
void Tap(Frame& f, MapView& mv, const MapCanvas& c, const Markers& m, ImVec2 at) {
  const int hit = ClusterAt(m, at, c.scale);
  if (hit < 0) return;
  const MarkerCluster& k = m.clusters[static_cast<size_t>(hit)];
  if (k.members.size() == 1) {
    f.out.push_back(app::OpenSite{m.sites[static_cast<size_t>(k.members.front())]->id});
    return;
  }
  Extent e;
  for (int i : k.members) e.Add(m.sites[static_cast<size_t>(i)]->lat, m.sites[static_cast<size_t>(i)]->lon);
  MapCamera cam = CameraToFit({e.south, e.west}, {e.north, e.east}, c.size.x, c.size.y, 48 * c.scale, kMapMaxZoom);
  cam.zoom = std::max(cam.zoom, mv.zoom + 1);
  SetCamera(mv, cam);
  mv.moved = true;
}

void OpenMenu(MapView& mv, const MapCanvas& c, ImVec2 at) {
  const LatLon p = c.At(at);
  mv.menu_lat = p.lat;
  mv.menu_lon = p.lon;
  ImGui::OpenPopup("map_menu");
}

// Drag, wheel, pinch, tap, long-press and right-click on the canvas.
void HandleGestures(Frame& f, MapView& mv, MapCanvas& c, const Markers& m) {
  ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsItemHovered();
  const float slop = 6.0f * c.scale;  // a finger moves a little while it taps
  const CanvasPoint mouse = c.Local(io.MousePos);
  if (ImGui::IsItemActivated()) mv.long_pressed = false;
  if (hovered && io.MouseWheel != 0) {
    SetCamera(mv, ZoomAround(c.cam, c.size.x, c.size.y, mouse, mv.zoom + io.MouseWheel * 0.5));
    mv.moved = true;
  }
  const ImVec2 pinch(f.ui.pinch_x, f.ui.pinch_y);
  const bool pinch_inside = pinch.x >= c.origin.x && pinch.y >= c.origin.y && pinch.x < c.origin.x + c.size.x &&
                            pinch.y < c.origin.y + c.size.y;
  if (f.ui.pinch != 1.0f && pinch_inside) {
    SetCamera(mv, ZoomAround(c.cam, c.size.x, c.size.y, c.Local(pinch), mv.zoom + std::log2(f.ui.pinch)));
    mv.moved = true;
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, slop)) {
    const ImVec2 d = ImGui::GetMouseDragDelta(ImGuiMouseButton_Left, slop);
    ImGui::ResetMouseDragDelta(ImGuiMouseButton_Left);
    SetCamera(mv, PanBy(c.cam, d.x, d.y));
    mv.moved = true;
  }
  const bool still = io.MouseDragMaxDistanceSqr[0] < slop * slop;
  if (ImGui::IsItemActive() && io.MouseDown[0] && still && !mv.long_pressed) {
    if (io.MouseDownDuration[0] >= kLongPressSeconds) {
      mv.long_pressed = true;
      if (ClusterAt(m, io.MouseClickedPos[0], c.scale) < 0) OpenMenu(mv, c, io.MouseClickedPos[0]);
    } else {
      f.ui.redraw_in_ms = kFrameMs;  // the press is timed while the finger rests
    }
  }
  if (ImGui::IsItemDeactivated() && !io.MouseDown[1] && still && !mv.long_pressed && io.MouseReleased[0]) {
    Tap(f, mv, c, m, io.MousePos);
  }
  if (hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Right) && ClusterAt(m, io.MousePos, c.scale) < 0) {
    OpenMenu(mv, c, io.MousePos);
  }
  if (const int k = hovered && !ImGui::IsItemActive() ? ClusterAt(m, io.MousePos, c.scale) : -1; k >= 0) {
    const MarkerCluster& hit = m.clusters[static_cast<size_t>(k)];
    if (hit.members.size() == 1)
      ImGui::SetTooltip("%s", DisplayLine(m.sites[static_cast<size_t>(hit.members[0])]->name).c_str());
  }
  c.cam = CameraOf(mv);
}

void MapMenu(Frame& f, MapView& mv) {
  if (!ImGui::BeginPopup("map_menu")) return;
  char where[64];
  std::snprintf(where, sizeof where, "%.5f, %.5f", mv.menu_lat, mv.menu_lon);
  ImGui::TextDisabled("%s", where);
  const bool for_form = f.state.site_form.open && f.state.map.picking;
  if ((for_form || f.state.editor.open) &&
      BigButton(for_form ? tr("Set the site's position here") : tr("Set the visit's position here"))) {
    f.out.push_back(app::SetPositionFromMap{mv.menu_lat, mv.menu_lon});
    f.out.push_back(app::EndMapPick{});
    ImGui::CloseCurrentPopup();
  }
  if (!f.state.map.picking && BigButton(tr("New site here"))) {
    f.out.push_back(app::NewSiteAt{mv.menu_lat, mv.menu_lon});
    ImGui::CloseCurrentPopup();
  }
  if (BigButton((std::string(tr("Cancel")) + "##map_menu").c_str())) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

// + / − / Show all / My position, over the canvas's top-right corner. Not in
// the left-to-right region: in Arabic they move to the other corner.
void MapButtons(Frame& f, MapView& mv, const MapCanvas& c) {
  const ImGuiStyle& st = ImGui::GetStyle();
  const bool has_fix = f.state.own_position.has_fix;
  const char* labels[] = {"+", "\u2212", tr("Show all"), tr("My position")};
  const int n = has_fix ? 4 : 3;
  float width = 0;
  for (int i = 0; i < n; ++i)
    width += ImGui::CalcTextSize(labels[i]).x + 2 * st.FramePadding.x + st.ItemSpacing.x + 12 * c.scale;
  ImGui::SetCursorScreenPos(ImVec2(c.origin.x + c.size.x - width - 4 * c.scale, c.origin.y + 6 * c.scale));
  const CanvasPoint centre{c.size.x / 2, c.size.y / 2};
  if (BigButton("+", ImGui::CalcTextSize("+").x + 2 * st.FramePadding.x + 12 * c.scale)) {
    SetCamera(mv, ZoomAround(c.cam, c.size.x, c.size.y, centre, mv.zoom + 1));
    mv.moved = true;
  }
  ImGui::SameLine();
  if (BigButton("\u2212", ImGui::CalcTextSize("\u2212").x + 2 * st.FramePadding.x + 12 * c.scale)) {
    SetCamera(mv, ZoomAround(c.cam, c.size.x, c.size.y, centre, mv.zoom - 1));
    mv.moved = true;
  }
  ImGui::SameLine();
  if (BigButton(tr("Show all"))) {
    mv.placed = false;  // fits the sites again on the next frame
    mv.moved = false;
  }
  if (has_fix) {
    ImGui::SameLine();
    if (BigButton(tr("My position"))) {
      SetCamera(mv, CameraAt({f.state.own_position.lat, f.state.own_position.lon}, std::max(mv.zoom, 16.0)));
      mv.moved = true;
    }
  }
}

void PickBanner(Frame& f) {
  UserText(tr("Long-press or right-click where the visit was"));
  LogItem(tr("Long-press or right-click where the visit was"));
  ImGui::SameLine();
  if (BigButton((std::string(tr("Cancel")) + "##pick").c_str())) f.out.push_back(app::EndMapPick{});
}

}  // namespace

void DrawSiteMap(Frame& f, float height) {
  MapView& mv = f.ui.map;
  ImGui::BeginChild("map", ImVec2(0, height), true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  if (f.state.map.picking) PickBanner(f);
  MapCanvas c;
  c.origin = ImGui::GetCursorScreenPos();
  c.size = ImGui::GetContentRegionAvail();
  c.scale = f.scale;
  c.dl = ImGui::GetWindowDrawList();
  if (c.size.x < 8 || c.size.y < 8) {
    ImGui::EndChild();
    return;
  }
  ImGui::InvisibleButton("map_canvas", c.size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  LogItem("map_canvas");
  ImGui::SetItemAllowOverlap();  // the buttons sit on top of the canvas
  PlaceCamera(f, mv, c.size);
  c.cam = CameraOf(mv);
  Markers markers = LayOutMarkers(f, c);
  HandleGestures(f, mv, c, markers);
  markers = LayOutMarkers(f, c);  // where they are after this frame's pan or zoom
  {
    LeftToRightRegion ltr;  // east stays east in a right-to-left window
    c.dl->PushClipRect(c.origin, ImVec2(c.origin.x + c.size.x, c.origin.y + c.size.y), true);
    c.dl->AddRectFilled(c.origin, ImVec2(c.origin.x + c.size.x, c.origin.y + c.size.y), IM_COL32(233, 230, 222, 255));
    DrawTiles(c, f.ui.map_textures);
    // The hint goes under the markers: they matter more.
    if (f.state.map.packs.empty()) {
      DrawCanvasNote(c, DisplayLine(tr("No basemap installed: Settings → Basemaps")));
    } else if (markers.sites.empty()) {
      DrawCanvasNote(c, DisplayLine(tr("No site has a stored position yet.")));
    }
    DrawMarkers(f, c, markers);
    DrawOwnPosition(c, f.state.own_position);
    DrawScaleBar(c);
    DrawAttribution(c, AttributionInView(c, f.state.map.packs));
    c.dl->PopClipRect();
  }
  if (f.ui.map_textures && f.ui.map_textures->busy()) f.ui.redraw_in_ms = kFrameMs;
  MapButtons(f, mv, c);
  MapMenu(f, mv);
  ImGui::EndChild();
}

}  // namespace ccfield::views
