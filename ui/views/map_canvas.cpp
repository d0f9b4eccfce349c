// The map canvas's layers (map_canvas.h).
#include "views/map_canvas.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "views/map_tiles.h"

namespace ccfield::views {

namespace {

ImVec2 Rounded(double x, double y) {
  return ImVec2(static_cast<float>(std::floor(x + 0.5)), static_cast<float>(std::floor(y + 0.5)));
}

void DrawTilePart(const MapCanvas& c, ImTextureID id, maps::TileKey key, const maps::TilePart& part) {
  const CanvasRect r = TileRect(c.cam, c.size.x, c.size.y, key);
  // Whole pixels on both edges: neighbours meet without a seam.
  c.dl->AddImage(id, Rounded(c.origin.x + r.x0, c.origin.y + r.y0), Rounded(c.origin.x + r.x1, c.origin.y + r.y1),
                 ImVec2(part.u0, part.v0), ImVec2(part.u1, part.v1));
}

// Draws the best loaded stand-in for `key`; adds what to ask for to `want`.
void DrawBestTile(const MapCanvas& c, MapTextures* tex, maps::TileKey key, int min_z, int max_z,
                  std::vector<maps::TileKey>* want) {
  bool asked = false;
  for (int a = key.z; a >= min_z; --a) {
    const maps::TilePart part = maps::AncestorPart(key, a);
    if (ImTextureID id = tex->Get(part.tile)) return DrawTilePart(c, id, key, part);
    if (!asked && !tex->Missing(part.tile)) {
      want->push_back(part.tile);
      asked = true;
    }
  }
  if (key.z >= max_z) return;
  for (int i = 0; i < 4; ++i) {  // zooming out: the finer tiles still loaded
    const maps::TileKey child{key.z + 1, key.x * 2 + (i & 1), key.y * 2 + (i >> 1)};
    if (ImTextureID id = tex->Get(child)) DrawTilePart(c, id, child, {child, 0, 0, 1, 1});
  }
}

}  // namespace

ImVec2 MapCanvas::Screen(LatLon p) const {
  const CanvasPoint q = ToCanvas(cam, size.x, size.y, p);
  return ImVec2(static_cast<float>(origin.x + q.x), static_cast<float>(origin.y + q.y));
}

LatLon MapCanvas::At(ImVec2 screen) const { return FromCanvas(cam, size.x, size.y, Local(screen)); }

ImU32 ConditionColor(const std::string& c) {
  if (c == "0") return IM_COL32(30, 150, 60, 255);
  if (c == "1") return IM_COL32(200, 170, 0, 255);
  if (c == "2") return IM_COL32(230, 110, 0, 255);
  if (c == "3") return IM_COL32(210, 20, 20, 255);
  return IM_COL32(120, 120, 120, 255);
}

void DrawTiles(const MapCanvas& c, MapTextures* tex) {
  if (!tex || !tex->has_packs() || tex->packs().empty()) return;
  int min_z = 99, max_z = 0;
  for (const maps::PackInfo& p : tex->packs()) {
    min_z = std::min(min_z, p.min_zoom);
    max_z = std::max(max_z, p.max_zoom);
  }
  const int z = TileZoomFor(c.cam.zoom, min_z, max_z);
  std::vector<maps::TileKey> want;
  for (const maps::TileKey& key : TilesInView(c.cam, c.size.x, c.size.y, z))
    DrawBestTile(c, tex, key, min_z, max_z, &want);
  // A coarse cover of the whole view (a tile or two) comes in fast.
  if (const int coarse = std::max(min_z, z - 3); coarse < z) {
    for (const maps::TileKey& key : TilesInView(c.cam, c.size.x, c.size.y, coarse)) {
      if (!tex->Get(key) && !tex->Missing(key)) want.push_back(key);
    }
  }
  std::unordered_set<maps::TileKey, maps::TileKeyHash> seen;
  std::vector<maps::TileKey> unique;
  for (const maps::TileKey& k : want) {
    if (seen.insert(k).second) unique.push_back(k);
  }
  tex->Want(unique);
}

std::string AttributionInView(const MapCanvas& c, const std::vector<maps::PackInfo>& packs) {
  const LatLon nw = c.At(c.origin), se = c.At(ImVec2(c.origin.x + c.size.x, c.origin.y + c.size.y));
  std::string text;
  for (const maps::PackInfo& p : packs) {
    if (p.attribution.empty() || !p.problem.empty() || text.find(p.attribution) != std::string::npos) continue;
    if (p.has_bounds && (p.east < nw.lon || p.west > se.lon || p.north < se.lat || p.south > nw.lat)) continue;
    text += (text.empty() ? "" : " · ") + p.attribution;
  }
  return text;
}

void DrawAttribution(const MapCanvas& c, const std::string& text) {
  if (text.empty()) return;
  const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
  const float pad = 3 * c.scale;
  const ImVec2 p1(c.origin.x + c.size.x, c.origin.y + c.size.y);
  const ImVec2 p0(p1.x - ts.x - 2 * pad, p1.y - ts.y - 2 * pad);
  c.dl->AddRectFilled(p0, p1, IM_COL32(255, 255, 255, 200));
  c.dl->AddText(ImVec2(p0.x + pad, p0.y + pad), IM_COL32(30, 30, 30, 255), text.c_str());
}

void DrawScaleBar(const MapCanvas& c) {
  const LatLon mid = c.At(ImVec2(c.origin.x + c.size.x / 2, c.origin.y + c.size.y / 2));
  const double mpp = maps::MetersPerPixel(mid.lat, c.cam.zoom);
  const double bar_m = NiceLength(mpp * c.size.x / 4);
  const float bar_px = static_cast<float>(bar_m / mpp);
  const ImVec2 b0(c.origin.x + 12 * c.scale, c.origin.y + c.size.y - 14 * c.scale);
  char label[32];
  if (bar_m >= 1000) {
    std::snprintf(label, sizeof label, "%g km", bar_m / 1000);
  } else {
    std::snprintf(label, sizeof label, "%g m", bar_m);
  }
  const ImVec2 ts = ImGui::CalcTextSize(label);
  const float pad = 4 * c.scale;
  // A light plate keeps the bar readable over any tile.
  c.dl->AddRectFilled(ImVec2(b0.x - pad, b0.y - ts.y - 6 - pad),
                      ImVec2(b0.x + std::max(bar_px, ts.x) + pad, b0.y + 4 + pad), IM_COL32(255, 255, 255, 190),
                      3 * c.scale);
  const ImU32 ink = IM_COL32(20, 20, 20, 255);
  c.dl->AddLine(b0, ImVec2(b0.x + bar_px, b0.y), ink, 3.0f);
  c.dl->AddLine(ImVec2(b0.x, b0.y - 5), ImVec2(b0.x, b0.y + 1), ink, 2.0f);
  c.dl->AddLine(ImVec2(b0.x + bar_px, b0.y - 5), ImVec2(b0.x + bar_px, b0.y + 1), ink, 2.0f);
  c.dl->AddText(ImVec2(b0.x, b0.y - ts.y - 6), ink, label);
}

void DrawOwnPosition(const MapCanvas& c, const app::OwnPosition& p) {
  if (!p.has_fix) return;
  const ImVec2 at = c.Screen({p.lat, p.lon});
  const double mpp = maps::MetersPerPixel(p.lat, c.cam.zoom);
  const float r = static_cast<float>(std::min(p.accuracy_m / mpp, 4.0 * (c.size.x + c.size.y)));
  const float dot = 7 * c.scale;
  if (r > dot) {
    c.dl->AddCircleFilled(at, r, IM_COL32(30, 110, 255, 45), 64);
    c.dl->AddCircle(at, r, IM_COL32(30, 110, 255, 170), 64, 1.5f);
  }
  c.dl->AddCircleFilled(at, dot + 2 * c.scale, IM_COL32(255, 255, 255, 255));
  c.dl->AddCircleFilled(at, dot, IM_COL32(30, 110, 255, 255));
}

void DrawCanvasNote(const MapCanvas& c, const std::string& text) {
  const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
  const float pad = 6 * c.scale;
  const ImVec2 p0(c.origin.x + 8 * c.scale, c.origin.y + 8 * c.scale);
  c.dl->AddRectFilled(p0, ImVec2(p0.x + ts.x + 2 * pad, p0.y + ts.y + 2 * pad), IM_COL32(255, 255, 255, 220),
                      4 * c.scale);
  c.dl->AddText(ImVec2(p0.x + pad, p0.y + pad), IM_COL32(30, 30, 30, 255), text.c_str());
}

}  // namespace ccfield::views
