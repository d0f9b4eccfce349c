#pragma once
// Web Mercator (EPSG:3857) as slippy maps and MBTiles use it: positions to
// "world pixels" at a zoom level, tile keys, and the zoom that fits an extent.
// Pure functions; knows no window and no file.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "ccfield/core/geo.h"

namespace ccfield::maps {

inline constexpr int kTileSize = 256;       // pixels per tile edge at its own zoom
inline constexpr double kMaxLatitude = 85.05112878;  // the projection's edge

// Pixels from the world's north-west corner at a (fractional) zoom: the
// world is kTileSize * 2^zoom pixels wide and high, y grows southwards.
struct WorldPoint {
  double x = 0, y = 0;
};

// A tile in the XYZ scheme (y = 0 is the northern row, as on the web).
// MBTiles stores rows in the TMS scheme (y = 0 south); mbtiles.h converts.
struct TileKey {
  int z = 0, x = 0, y = 0;
  bool operator==(const TileKey&) const = default;
};
struct TileKeyHash {
  size_t operator()(const TileKey& k) const {
    return std::hash<uint64_t>()((uint64_t(uint32_t(k.z)) << 48) ^ (uint64_t(uint32_t(k.x)) << 24) ^ uint32_t(k.y));
  }
};

// Latitude is clamped to +-kMaxLatitude, longitude wrapped into -180..180.
WorldPoint LatLonToWorld(LatLon p, double zoom);
LatLon WorldToLatLon(WorldPoint w, double zoom);

// Ground metres covered by one pixel at this latitude and zoom.
double MetersPerPixel(double lat, double zoom);

// The largest zoom (capped at max_zoom) at which the box south_west..north_east
// fits into width x height pixels with `margin` pixels free on each side.
// A single point (or a tiny box) gives max_zoom.
double ZoomToFit(LatLon south_west, LatLon north_east, double width, double height, double margin,
                 double max_zoom);

// The tile holding a world point at integer zoom z (clamped to the world).
TileKey TileAt(WorldPoint w, int z);

// The ancestor of `key` at zoom `z` (z <= key.z), and which part of it
// `key` covers: u0,v0,u1,v1 in 0..1 of the ancestor's width and height.
struct TilePart {
  TileKey tile;
  float u0 = 0, v0 = 0, u1 = 1, v1 = 1;
};
TilePart AncestorPart(TileKey key, int z);

}  // namespace ccfield::maps
