// The map's geometry (map_layout.h).
#include "views/map_layout.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace ccfield::views {

namespace {

double Scale(double zoom) { return std::exp2(zoom); }

}  // namespace

CanvasPoint ToCanvas(const MapCamera& cam, double width, double height, LatLon p) {
  const maps::WorldPoint w = maps::LatLonToWorld(p, 0);
  const double s = Scale(cam.zoom);
  return {width / 2 + (w.x - cam.cx) * s, height / 2 + (w.y - cam.cy) * s};
}

LatLon FromCanvas(const MapCamera& cam, double width, double height, CanvasPoint c) {
  const double s = Scale(cam.zoom);
  return maps::WorldToLatLon({cam.cx + (c.x - width / 2) / s, cam.cy + (c.y - height / 2) / s}, 0);
}

MapCamera CameraAt(LatLon p, double zoom) {
  const maps::WorldPoint w = maps::LatLonToWorld(p, 0);
  return {w.x, w.y, std::clamp(zoom, kMapMinZoom, kMapMaxZoom)};
}

MapCamera CameraToFit(LatLon south_west, LatLon north_east, double width, double height, double margin,
                      double max_zoom) {
  const maps::WorldPoint a = maps::LatLonToWorld(south_west, 0), b = maps::LatLonToWorld(north_east, 0);
  MapCamera cam;
  cam.cx = (a.x + b.x) / 2;
  cam.cy = (a.y + b.y) / 2;
  cam.zoom =
      std::clamp(maps::ZoomToFit(south_west, north_east, width, height, margin, max_zoom), kMapMinZoom, kMapMaxZoom);
  return cam;
}

MapCamera ZoomAround(const MapCamera& cam, double width, double height, CanvasPoint at, double zoom) {
  zoom = std::clamp(zoom, kMapMinZoom, kMapMaxZoom);
  const double s0 = Scale(cam.zoom), s1 = Scale(zoom);
  // The world point under `at` stays under it.
  const double wx = cam.cx + (at.x - width / 2) / s0, wy = cam.cy + (at.y - height / 2) / s0;
  return {wx - (at.x - width / 2) / s1, wy - (at.y - height / 2) / s1, zoom};
}

MapCamera PanBy(const MapCamera& cam, double dx, double dy) {
  const double s = Scale(cam.zoom);
  MapCamera out = cam;
  out.cx = std::clamp(cam.cx - dx / s, 0.0, double(maps::kTileSize));
  out.cy = std::clamp(cam.cy - dy / s, 0.0, double(maps::kTileSize));
  return out;
}

int TileZoomFor(double zoom, int min_zoom, int max_zoom) {
  const int z = static_cast<int>(std::lround(zoom));
  return std::clamp(z, min_zoom, std::max(min_zoom, max_zoom));
}

std::vector<maps::TileKey> TilesInView(const MapCamera& cam, double width, double height, int z) {
  const double s = Scale(cam.zoom - z);  // screen pixels per tile pixel
  const double tile = maps::kTileSize * s;
  const double left = cam.cx * Scale(z) * s - width / 2, top = cam.cy * Scale(z) * s - height / 2;
  const int n = 1 << z;
  const int x0 = std::max(0, static_cast<int>(std::floor(left / tile)));
  const int y0 = std::max(0, static_cast<int>(std::floor(top / tile)));
  const int x1 = std::min(n - 1, static_cast<int>(std::floor((left + width) / tile)));
  const int y1 = std::min(n - 1, static_cast<int>(std::floor((top + height) / tile)));
  std::vector<maps::TileKey> keys;
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) keys.push_back({z, x, y});
  }
  // Nearest the centre first: those are asked for (and arrive) first.
  const double mx = (left + width / 2) / tile - 0.5, my = (top + height / 2) / tile - 0.5;
  std::stable_sort(keys.begin(), keys.end(), [&](const maps::TileKey& a, const maps::TileKey& b) {
    return std::hypot(a.x - mx, a.y - my) < std::hypot(b.x - mx, b.y - my);
  });
  return keys;
}

CanvasRect TileRect(const MapCamera& cam, double width, double height, maps::TileKey key) {
  const double tile = maps::kTileSize * Scale(cam.zoom - key.z);
  const double left = cam.cx * Scale(cam.zoom) - width / 2, top = cam.cy * Scale(cam.zoom) - height / 2;
  return {key.x * tile - left, key.y * tile - top, (key.x + 1) * tile - left, (key.y + 1) * tile - top};
}

double NiceLength(double max_metres) {
  if (!(max_metres > 0)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(max_metres)));
  for (double m : {5.0, 2.0, 1.0}) {
    if (m * p <= max_metres) return m * p;
  }
  return p;
}

std::vector<MarkerCluster> ClusterMarkers(const std::vector<MarkerPoint>& points, double radius) {
  std::vector<MarkerCluster> clusters;
  std::vector<MarkerPoint> firsts;  // each cluster's first marker
  // Clusters by the grid cell of their first marker: a point only looks at
  // the 3 x 3 cells around its own.
  std::unordered_map<int64_t, std::vector<size_t>> grid;
  const double cell = std::max(radius, 1.0);
  auto key = [](int64_t gx, int64_t gy) { return (gx << 32) ^ (gy & 0xffffffff); };
  for (const MarkerPoint& p : points) {
    const int64_t gx = static_cast<int64_t>(std::floor(p.x / cell)), gy = static_cast<int64_t>(std::floor(p.y / cell));
    size_t found = clusters.size();
    for (int64_t dy = -1; dy <= 1; ++dy) {
      for (int64_t dx = -1; dx <= 1; ++dx) {
        auto it = grid.find(key(gx + dx, gy + dy));
        if (it == grid.end()) continue;
        for (size_t c : it->second) {
          const double ddx = firsts[c].x - p.x, ddy = firsts[c].y - p.y;
          if (ddx * ddx + ddy * ddy < radius * radius && (found == clusters.size() || c < found)) found = c;
        }
      }
    }
    if (found == clusters.size()) {
      clusters.push_back({p.x, p.y, {}});
      firsts.push_back(p);
      grid[key(gx, gy)].push_back(found);
    }
    MarkerCluster& c = clusters[found];
    const double n = static_cast<double>(c.members.size());
    c.x = (c.x * n + p.x) / (n + 1);
    c.y = (c.y * n + p.y) / (n + 1);
    c.members.push_back(p.index);
  }
  return clusters;
}

}  // namespace ccfield::views
