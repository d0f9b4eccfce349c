// The map's geometry (views/map_layout.h), pure: markers clustering where
// they overlap (counts), zooming around a point, the tiles a view needs, the
// tile level for a zoom, the scale bar's round lengths.
#include "views/map_layout.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace ccfield::views {
namespace {

std::vector<size_t> Counts(const std::vector<MarkerCluster>& clusters) {
  std::vector<size_t> n;
  for (const MarkerCluster& c : clusters) n.push_back(c.members.size());
  return n;
}

TEST_CASE("map layout: markers closer than the radius cluster, with a count and their mean position") {
  const std::vector<MarkerPoint> points = {{100, 100, 0}, {110, 104, 1}, {300, 100, 2}, {104, 96, 3}, {305, 108, 4}};
  const std::vector<MarkerCluster> c = ClusterMarkers(points, 20);
  REQUIRE(Counts(c) == std::vector<size_t>{3, 2});
  CHECK(c[0].members == std::vector<int>{0, 1, 3});
  CHECK(c[1].members == std::vector<int>{2, 4});
  CHECK(c[0].x == doctest::Approx((100.0 + 110 + 104) / 3));
  CHECK(c[0].y == doctest::Approx((100.0 + 104 + 96) / 3));
  CHECK(c[1].x == doctest::Approx(302.5));
}

TEST_CASE("map layout: markers apart stay single and a thousand at one spot make one cluster of 1000") {
  CHECK(Counts(ClusterMarkers({{0, 0, 0}, {25, 0, 1}, {0, 25, 2}, {-25, -25, 3}}, 20)) ==
        std::vector<size_t>{1, 1, 1, 1});
  std::vector<MarkerPoint> same;
  for (int i = 0; i < 1000; ++i) same.push_back({512.5, -40.25, i});
  CHECK(Counts(ClusterMarkers(same, 20)) == std::vector<size_t>{1000});
  CHECK(ClusterMarkers({}, 20).empty());
}

TEST_CASE("map layout: a point joins the earliest cluster in reach, across grid cells") {
  // 19 px from the first marker, in the next grid cell: joins it; the third
  // is 19 px from the second but 38 from the first: a cluster of its own.
  const auto c = ClusterMarkers({{39, 0, 0}, {58, 0, 1}, {77, 0, 2}}, 20);
  REQUIRE(Counts(c) == std::vector<size_t>{2, 1});
  CHECK(c[1].members == std::vector<int>{2});
}

TEST_CASE("map layout: zooming around a point keeps the place under it") {
  const MapCamera cam = CameraAt({-6.7735, 39.2083}, 14.3);
  const CanvasPoint at{700, 150};
  const LatLon before = FromCanvas(cam, 800, 500, at);
  for (double z : {15.3, 12.0, 18.9}) {
    const MapCamera zoomed = ZoomAround(cam, 800, 500, at, z);
    CHECK(zoomed.zoom == doctest::Approx(z));
    const CanvasPoint back = ToCanvas(zoomed, 800, 500, before);
    CHECK(back.x == doctest::Approx(700).epsilon(1e-6));
    CHECK(back.y == doctest::Approx(150).epsilon(1e-6));
  }
  CHECK(ZoomAround(cam, 800, 500, at, 40).zoom == kMapMaxZoom);
  CHECK(ZoomAround(cam, 800, 500, at, -3).zoom == kMapMinZoom);
}

TEST_CASE("map layout: panning moves the world with the finger, and positions round-trip") {
  const MapCamera cam = CameraAt({48.8566, 2.3522}, 13);
  const LatLon p{48.86, 2.36};
  const CanvasPoint a = ToCanvas(cam, 640, 480, p);
  const CanvasPoint b = ToCanvas(PanBy(cam, 120, -40), 640, 480, p);
  CHECK(b.x - a.x == doctest::Approx(120));
  CHECK(b.y - a.y == doctest::Approx(-40));
  const LatLon q = FromCanvas(cam, 640, 480, a);
  CHECK(q.lat == doctest::Approx(p.lat).epsilon(1e-9));
  CHECK(q.lon == doctest::Approx(p.lon).epsilon(1e-9));
  // The centre of the canvas is the camera's place.
  const CanvasPoint c = ToCanvas(cam, 640, 480, {48.8566, 2.3522});
  CHECK(c.x == doctest::Approx(320));
  CHECK(c.y == doctest::Approx(240));
}

TEST_CASE("map layout: a box fits with its margin and one site alone gets the site zoom") {
  const MapCamera one = CameraToFit({-6.77, 39.2}, {-6.77, 39.2}, 800, 500, 30, 17);
  CHECK(one.zoom == 17);
  const MapCamera box = CameraToFit({-6.80, 39.18}, {-6.74, 39.25}, 800, 500, 30, 17);
  const CanvasPoint sw = ToCanvas(box, 800, 500, {-6.80, 39.18}), ne = ToCanvas(box, 800, 500, {-6.74, 39.25});
  CHECK(sw.x >= 29.9);
  CHECK(ne.x <= 770.1);
  CHECK(ne.y >= 29.9);
  CHECK(sw.y <= 470.1);
  CHECK(std::max(ne.x - sw.x, sw.y - ne.y) > 400);  // it fills the canvas, not the world
}

TEST_CASE("map layout: the tile level follows the zoom within the packs' levels") {
  CHECK(TileZoomFor(13.4, 0, 18) == 13);
  CHECK(TileZoomFor(13.6, 0, 18) == 14);
  CHECK(TileZoomFor(19.2, 11, 17) == 17);  // beyond the packs: their best tiles enlarged
  CHECK(TileZoomFor(4.0, 11, 17) == 11);
}

TEST_CASE("map layout: the tiles in view cover the canvas, nearest the centre first") {
  const MapCamera cam{128.6, 128.55, 10};  // zoom 10: the world is 262144 px wide
  const std::vector<maps::TileKey> keys = TilesInView(cam, 1100, 720, 10);
  // Across: pixels 131136..132236, tiles 512.25..516.55; down: 131275..131995, rows 512.8..515.6.
  std::vector<int> xs, ys;
  for (const maps::TileKey& k : keys) {
    CHECK(k.z == 10);
    xs.push_back(k.x);
    ys.push_back(k.y);
  }
  CHECK(*std::min_element(xs.begin(), xs.end()) == 512);
  CHECK(*std::max_element(xs.begin(), xs.end()) == 516);
  CHECK(*std::min_element(ys.begin(), ys.end()) == 512);
  CHECK(*std::max_element(ys.begin(), ys.end()) == 515);
  CHECK(keys.size() == 5 * 4);
  CHECK(keys.front() == maps::TileKey{10, 514, 514});  // under the centre
  const CanvasRect r = TileRect(cam, 1100, 720, keys.front());
  CHECK(r.x0 <= 550);
  CHECK(r.x1 > 550);
  CHECK(r.y0 <= 360);
  CHECK(r.y1 > 360);
  CHECK(r.x1 - r.x0 == doctest::Approx(256));
  // At a lower level the same view needs fewer, bigger tiles.
  CHECK(TilesInView(cam, 1100, 720, 8).size() < keys.size());
}

TEST_CASE("map layout: the scale bar's length is 1, 2 or 5 times a power of ten") {
  CHECK(NiceLength(740) == 500);
  CHECK(NiceLength(199) == 100);
  CHECK(NiceLength(2000) == 2000);
  CHECK(NiceLength(0.37) == doctest::Approx(0.2));
}

}  // namespace
}  // namespace ccfield::views
