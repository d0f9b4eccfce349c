// Web Mercator arithmetic (web_mercator.h).
#include "ccfield/maps/web_mercator.h"

#include <algorithm>
#include <cmath>

namespace ccfield::maps {

namespace {

constexpr double kEarthRadius = 6378137.0;  // the sphere EPSG:3857 uses

double WorldSize(double zoom) { return kTileSize * std::exp2(zoom); }

}  // namespace

WorldPoint LatLonToWorld(LatLon p, double zoom) {
  const double lat = std::clamp(p.lat, -kMaxLatitude, kMaxLatitude);
  double lon = std::fmod(p.lon + 180.0, 360.0);
  if (lon < 0) lon += 360.0;
  const double size = WorldSize(zoom);
  const double s = std::sin(lat * M_PI / 180.0);
  const double y = 0.5 - std::log((1 + s) / (1 - s)) / (4 * M_PI);
  return {lon / 360.0 * size, y * size};
}

LatLon WorldToLatLon(WorldPoint w, double zoom) {
  const double size = WorldSize(zoom);
  const double lon = w.x / size * 360.0 - 180.0;
  const double n = M_PI - 2 * M_PI * w.y / size;
  const double lat = 180.0 / M_PI * std::atan(std::sinh(n));
  return {lat, lon};
}

double MetersPerPixel(double lat, double zoom) {
  return std::cos(std::clamp(lat, -kMaxLatitude, kMaxLatitude) * M_PI / 180.0) * 2 * M_PI * kEarthRadius /
         WorldSize(zoom);
}

double ZoomToFit(LatLon south_west, LatLon north_east, double width, double height, double margin,
                 double max_zoom) {
  const WorldPoint a = LatLonToWorld(south_west, 0), b = LatLonToWorld(north_east, 0);
  const double dx = std::abs(b.x - a.x), dy = std::abs(b.y - a.y);
  const double w = std::max(1.0, width - 2 * margin), h = std::max(1.0, height - 2 * margin);
  if (dx < 1e-12 && dy < 1e-12) return max_zoom;
  const double zx = dx < 1e-12 ? max_zoom : std::log2(w / dx);
  const double zy = dy < 1e-12 ? max_zoom : std::log2(h / dy);
  return std::clamp(std::min(zx, zy), 0.0, max_zoom);
}

TileKey TileAt(WorldPoint w, int z) {
  const int n = 1 << z;
  const int x = std::clamp(static_cast<int>(std::floor(w.x / kTileSize)), 0, n - 1);
  const int y = std::clamp(static_cast<int>(std::floor(w.y / kTileSize)), 0, n - 1);
  return {z, x, y};
}

TilePart AncestorPart(TileKey key, int z) {
  const int shift = key.z - z;
  if (shift <= 0) return {key, 0, 0, 1, 1};
  const int n = 1 << shift;
  TilePart part;
  part.tile = {z, key.x >> shift, key.y >> shift};
  const float step = 1.0f / static_cast<float>(n);
  part.u0 = static_cast<float>(key.x & (n - 1)) * step;
  part.v0 = static_cast<float>(key.y & (n - 1)) * step;
  part.u1 = part.u0 + step;
  part.v1 = part.v0 + step;
  return part;
}

}  // namespace ccfield::maps
