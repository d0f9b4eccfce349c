// The site map in the window, headless and driven like a person (issue 13):
// it opens on the sites, not the world; a long-press on empty map offers
// "New site here", which opens the site form with that position; a
// right-click while the visit editor asked for its position sets it; drag
// pans, the wheel zooms around the pointer; a tap on a cluster zooms in and
// a tap on a marker opens its site. No basemap here: the markers still draw.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "support/temp_dir.h"
#include "ui/app_fixture.h"
#include "ui/headless.h"
#include "views/map_layout.h"
#include "views/widgets.h"

namespace ccfield::view_test {
namespace {

struct CanvasRectOnScreen {
  ImVec2 min, max;
  double w() const { return max.x - min.x; }
  double h() const { return max.y - min.y; }
};

CanvasRectOnScreen Canvas() {
  for (const views::LoggedItem& item : views::LastFrameItems()) {
    if (item.label == "map_canvas") return {item.min, item.max};
  }
  FAIL("the map is not on screen");
  return {};
}

views::MapCamera Camera(const HeadlessUi& h) { return {h.ui.map.cx, h.ui.map.cy, h.ui.map.zoom}; }

void RunScript(HeadlessUi& h, const std::string& script) {
  std::string error;
  std::optional<views::UiDriver> d = views::UiDriver::Parse(script, &error);
  REQUIRE_MESSAGE(d, error);
  h.Run(*d);
}

void OpenSites(HeadlessUi& h) {
  views::UiDriver d;
  d.Click("Sites");
  d.Expect("map_canvas");
  h.Run(d);
}

TEST_CASE("map view: it opens on the sites of the workspace with the most of them, not on the world") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenSites(h);
  const CanvasRectOnScreen c = Canvas();
  const views::MapCamera cam = Camera(h);
  CHECK(cam.zoom > 10);  // a town, not the world
  std::map<std::string, int> per_workspace;
  for (const app::SiteItem& s : fx.app->state().sites.all) per_workspace[s.workspace_id] += s.has_position;
  REQUIRE(per_workspace.size() > 1);  // the demo has towns in several countries
  const std::string biggest = std::max_element(per_workspace.begin(), per_workspace.end(), [](auto& a, auto& b) {
                                return a.second < b.second;
                              })->first;
  int inside = 0, elsewhere = 0;
  for (const app::SiteItem& s : fx.app->state().sites.all) {
    if (!s.has_position) continue;
    const views::CanvasPoint p = views::ToCanvas(cam, c.w(), c.h(), {s.lat, s.lon});
    const bool on = p.x >= 0 && p.x <= c.w() && p.y >= 0 && p.y <= c.h();
    if (s.workspace_id == biggest) {
      CHECK(on);
      inside += on;
    } else {
      elsewhere += on;
    }
  }
  CHECK(inside == per_workspace[biggest]);
  CHECK(elsewhere == 0);  // other countries are far away
}

TEST_CASE("map view: a long-press on empty map, then New site here, opens the site form at that position") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenSites(h);
  const CanvasRectOnScreen c = Canvas();
  // A corner of the canvas, away from the markers (they fit inside a margin).
  const double dx = -c.w() / 2 + 12, dy = -c.h() / 2 + 70;
  const LatLon want = views::FromCanvas(Camera(h), c.w(), c.h(), {c.w() / 2 + dx, c.h() / 2 + dy});
  RunScript(h, "hold map_canvas " + std::to_string(dx) + " " + std::to_string(dy) + " 800\nclick New site here\n");
  const app::SiteFormState& form = fx.app->state().site_form;
  REQUIRE(form.open);
  CHECK(form.site_id.empty());
  CHECK(std::stod(form.lat) == doctest::Approx(want.lat).epsilon(1e-5));
  CHECK(std::stod(form.lon) == doctest::Approx(want.lon).epsilon(1e-5));
  CHECK(CommandsOf<app::NewSiteAt>(h.applied()).size() == 1);
  CHECK(CommandsOf<app::OpenSite>(h.applied()).empty());
}

TEST_CASE("map view: a short press is no long-press: no menu opens") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenSites(h);
  const CanvasRectOnScreen c = Canvas();
  RunScript(h, "hold map_canvas " + std::to_string(-c.w() / 2 + 12) + " " + std::to_string(-c.h() / 2 + 70) + " 200\n");
  for (int i = 0; i < 5; ++i) h.Frame();
  CHECK_FALSE(views::LastFrameItems().empty());
  bool menu = false;
  for (const views::LoggedItem& item : views::LastFrameItems()) menu |= item.label == "New site here";
  CHECK_FALSE(menu);
}

TEST_CASE("map view: the visit editor asks for its position, a right-click on the map sets it, back in the editor") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  fx.app->Apply(app::PickOnMap{});
  REQUIRE(fx.app->state().map.picking);
  REQUIRE(fx.app->state().screen == app::Screen::kSites);
  views::UiDriver expect;
  expect.Expect("Long-press or right-click where the visit was");
  expect.Expect("map_canvas");
  h.Run(expect);
  const CanvasRectOnScreen c = Canvas();
  const double dx = c.w() / 2 - 20, dy = c.h() / 2 - 60;
  const LatLon want = views::FromCanvas(Camera(h), c.w(), c.h(), {c.w() / 2 + dx, c.h() / 2 + dy});
  RunScript(h, "rclick map_canvas " + std::to_string(dx) + " " + std::to_string(dy) +
                   "\nclick Set the visit's position here\n");
  const std::vector<app::SetPositionFromMap> set = CommandsOf<app::SetPositionFromMap>(h.applied());
  REQUIRE(set.size() == 1);
  CHECK(set[0].lat == doctest::Approx(want.lat).epsilon(1e-6));
  CHECK(set[0].lon == doctest::Approx(want.lon).epsilon(1e-6));
  CHECK_FALSE(fx.app->state().map.picking);
  CHECK(fx.app->state().screen == app::Screen::kEditor);
  CHECK(fx.editor().values.value("gps_lat", 0.0) == doctest::Approx(want.lat).epsilon(1e-6));
  CHECK(fx.editor().values.value("gps_lon", 0.0) == doctest::Approx(want.lon).epsilon(1e-6));
}

TEST_CASE("map view: Cancel in pick mode goes back to the editor with nothing set") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  fx.app->Apply(app::PickOnMap{});
  views::UiDriver d;
  d.Click("Cancel");
  h.Run(d);
  CHECK(fx.app->state().screen == app::Screen::kEditor);
  CHECK_FALSE(fx.app->state().map.picking);
  CHECK(CommandsOf<app::SetPositionFromMap>(h.applied()).empty());
}

TEST_CASE("map view: drag pans by the finger's movement and the wheel zooms around the pointer") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenSites(h);
  const CanvasRectOnScreen c = Canvas();
  const views::MapCamera before = Camera(h);
  const LatLon under = views::FromCanvas(before, c.w(), c.h(), {c.w() / 2 - 100, c.h() / 2 - 100});
  RunScript(h, "drag map_canvas -100 -100 60 -60\n");
  const views::MapCamera panned = Camera(h);
  CHECK(panned.zoom == before.zoom);
  // What was under the finger's start is under its end.
  const views::CanvasPoint moved = views::ToCanvas(panned, c.w(), c.h(), under);
  CHECK(moved.x == doctest::Approx(c.w() / 2 + 60).epsilon(0.002));
  CHECK(moved.y == doctest::Approx(c.h() / 2 - 60).epsilon(0.002));
  RunScript(h, "wheel map_canvas 2\n");
  const views::MapCamera zoomed = Camera(h);
  CHECK(zoomed.zoom == doctest::Approx(panned.zoom + 1));
  // The wheel is turned at the canvas's centre: the place there stays.
  const LatLon mid = views::FromCanvas(panned, c.w(), c.h(), {c.w() / 2, c.h() / 2});
  const views::CanvasPoint still = views::ToCanvas(zoomed, c.w(), c.h(), mid);
  CHECK(still.x == doctest::Approx(c.w() / 2).epsilon(0.002));
  CHECK(still.y == doctest::Approx(c.h() / 2).epsilon(0.002));
}

TEST_CASE("map view: zoomed out the sites cluster, a tap on the cluster zooms in, a tap on a marker opens it") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenSites(h);
  views::UiDriver out;
  for (int i = 0; i < 6; ++i) out.Click("\u2212");
  h.Run(out);
  const CanvasRectOnScreen c = Canvas();
  const views::MapCamera far = Camera(h);
  std::vector<views::MarkerPoint> points;
  std::vector<const app::SiteItem*> sites;
  for (const app::SiteItem& s : fx.app->state().sites.all) {
    if (!s.has_position) continue;
    const views::CanvasPoint p = views::ToCanvas(far, c.w(), c.h(), {s.lat, s.lon});
    points.push_back({p.x, p.y, static_cast<int>(sites.size())});
    sites.push_back(&s);
  }
  const std::vector<views::MarkerCluster> clusters = views::ClusterMarkers(points, 18);
  REQUIRE(clusters.size() < points.size());  // some overlap this far out
  const views::MarkerCluster& big = *std::max_element(
      clusters.begin(), clusters.end(), [](auto& a, auto& b) { return a.members.size() < b.members.size(); });
  RunScript(h,
            "hold map_canvas " + std::to_string(big.x - c.w() / 2) + " " + std::to_string(big.y - c.h() / 2) + " 0\n");
  CHECK(Camera(h).zoom >= far.zoom + 1);
  CHECK(CommandsOf<app::OpenSite>(h.applied()).empty());
  // Now zoomed in on the cluster's sites: tap the first that stands alone.
  const views::MapCamera near = Camera(h);
  for (int i : big.members) {
    const views::CanvasPoint p = views::ToCanvas(near, c.w(), c.h(), {sites[i]->lat, sites[i]->lon});
    std::vector<views::MarkerPoint> now;
    for (const auto* s : sites) {
      const views::CanvasPoint q = views::ToCanvas(near, c.w(), c.h(), {s->lat, s->lon});
      now.push_back({q.x, q.y, static_cast<int>(now.size())});
    }
    bool alone = false;
    for (const views::MarkerCluster& k : views::ClusterMarkers(now, 18)) alone |= k.members == std::vector<int>{i};
    if (!alone || p.x < 40 || p.y < 60 || p.x > c.w() - 40 || p.y > c.h() - 40) continue;
    RunScript(h, "hold map_canvas " + std::to_string(p.x - c.w() / 2) + " " + std::to_string(p.y - c.h() / 2) + " 0\n");
    const std::vector<app::OpenSite> opened = CommandsOf<app::OpenSite>(h.applied());
    REQUIRE(opened.size() == 1);
    CHECK(opened[0].site_id == sites[i]->id);
    CHECK(fx.app->state().sites.selected_id == sites[i]->id);
    return;
  }
  FAIL("no site stands alone after zooming in on the cluster");
}

}  // namespace
}  // namespace ccfield::view_test
