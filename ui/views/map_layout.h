#pragma once
// The map's geometry (issue 13), pure and without ImGui so tests can check
// it: the camera (a centre and a fractional Web Mercator zoom), positions to
// canvas pixels and back, zooming around a point, the tiles a view needs,
// the scale bar's length and the clustering of overlapping markers.
#include <cstdint>
#include <vector>

#include "ccfield/core/geo.h"
#include "ccfield/maps/web_mercator.h"

namespace ccfield::views {

inline constexpr double kMapMinZoom = 1.0;
inline constexpr double kMapMaxZoom = 20.0;

// What the map shows: its centre in world pixels at zoom 0 (0..256 across
// the world) and the zoom (the world is 256 * 2^zoom pixels wide).
struct MapCamera {
  double cx = 128, cy = 128;
  double zoom = 2;
};

// Canvas pixels from the canvas's top-left corner (width x height).
struct CanvasPoint {
  double x = 0, y = 0;
};

CanvasPoint ToCanvas(const MapCamera& cam, double width, double height, LatLon p);
LatLon FromCanvas(const MapCamera& cam, double width, double height, CanvasPoint c);
// The camera centred on `p` at `zoom`.
MapCamera CameraAt(LatLon p, double zoom);
// A camera showing the box south_west..north_east with `margin` pixels free,
// no closer than max_zoom (one site alone: max_zoom).
MapCamera CameraToFit(LatLon south_west, LatLon north_east, double width, double height, double margin,
                      double max_zoom);
// Zooms to `zoom` (clamped to kMapMinZoom..kMapMaxZoom) keeping the place
// under canvas point `at` where it is (the pointer, the pinch's centre).
MapCamera ZoomAround(const MapCamera& cam, double width, double height, CanvasPoint at, double zoom);
// Moves the map with the finger: the world follows by (dx, dy) pixels.
MapCamera PanBy(const MapCamera& cam, double dx, double dy);

// The tile zoom level for a camera zoom: the nearest level, kept within the
// packs' min_zoom..max_zoom (beyond max_zoom its tiles are drawn enlarged).
int TileZoomFor(double zoom, int min_zoom, int max_zoom);
// The tiles at level z that cover the canvas, nearest the centre first.
std::vector<maps::TileKey> TilesInView(const MapCamera& cam, double width, double height, int z);
// Where tile `key` lies on the canvas (x0, y0) - (x1, y1).
struct CanvasRect {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
CanvasRect TileRect(const MapCamera& cam, double width, double height, maps::TileKey key);

// A round length for the scale bar: 1, 2 or 5 times a power of ten metres,
// no longer than max_metres.
double NiceLength(double max_metres);

// Markers drawn closer than `radius` pixels join one cluster, drawn as a
// circle with a count. Greedy and stable: points are taken in their order; a
// point joins the first cluster whose first marker is within `radius`.
struct MarkerPoint {
  double x = 0, y = 0;
  int index = 0;  // the caller's (the site's position in its list)
};
struct MarkerCluster {
  double x = 0, y = 0;       // the members' mean position
  std::vector<int> members;  // MarkerPoint::index, in input order
};
std::vector<MarkerCluster> ClusterMarkers(const std::vector<MarkerPoint>& points, double radius);

}  // namespace ccfield::views
