// "Use my position" in the window's app (issue 13), headless: the visit
// editor and the site form wait for a fix as accurate as the form asks,
// show the live accuracy, satellites and fix age, take the fix when it is
// good enough or when the person accepts a worse one, average when asked,
// store the source, warn (never block), and say plainly when there is no GPS.
// The Location is the platform's FakeLocation, fed by the test.
#include <doctest/doctest.h>

#include <memory>

#include "ccfield/core/geo.h"
#include "ccfield/platform/location.h"
#include "support/wait.h"
#include "text/i18n.h"
#include "ui/app_fixture.h"
#include "ui/headless.h"
#include "views/widgets.h"

namespace ccfield::view_test {
namespace {

// The App on a fresh demo store, with a fake Location the test feeds.
struct PositionFixture {
  testing::TempDir dir;
  FakeEnv env{dir.path()};
  std::shared_ptr<FakeLocation> location = std::make_shared<FakeLocation>(&env);
  std::unique_ptr<app::App> app;

  explicit PositionFixture(std::shared_ptr<Location> other = nullptr) {
    (void)ui::SetLanguage("en");
    app::AppOptions o;
    o.env = &env;
    o.data_dir = dir.path();
    o.background_sync = false;
    o.location = other ? other : location;
    auto r = app::App::Open(std::move(o));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    app = std::move(*r);
  }
  const app::AppState& state() const { return app->state(); }
  const app::EditorState& editor() const { return app->state().editor; }
};

bool Drawn(const std::string& label) {
  for (const views::LoggedItem& item : views::LastFrameItems()) {
    if (item.label == label) return true;
  }
  return false;
}

// Opens a new drainage visit on the first demo site (it has a position); the site.
app::SiteItem OpenVisit(PositionFixture& fx, HeadlessUi& h) {
  views::UiDriver d;
  d.Click("Sites");
  h.Run(d);
  REQUIRE(!fx.state().sites.all.empty());
  const app::SiteItem site = fx.state().sites.all.front();
  REQUIRE(site.has_position);
  d.Click(site.name);
  d.Click(PickLabel(fx.app->store()->FindForm("drainage_flood@1.0")->title, "en"));
  h.Run(d);
  REQUIRE(fx.state().screen == app::Screen::kEditor);
  return site;
}

TEST_CASE("use my position: the editor waits with live accuracy, then takes the fix that reaches 10 m") {
  PositionFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const app::SiteItem site = OpenVisit(fx, h);
  ClickAndRun(h, "Use my position");
  REQUIRE(fx.state().position.active);
  CHECK_FALSE(fx.state().position.for_site);
  CHECK(fx.state().position.threshold_m == 10);
  CHECK(fx.state().position.live == "Waiting for a fix… (0 satellites)");

  fx.location->PushFix(site.lat + 0.0002, site.lon, 43, 6);
  h.Frame();
  CHECK(fx.state().position.live == "Accuracy ± 43 m · 6 satellites · fix 0 s old");
  CHECK(fx.state().position.accept_label == "Use this position anyway (± 43 m)");
  h.Frame();  // the state changed after that frame was drawn
  CHECK(Drawn("Use this position anyway"));
  CHECK(Drawn("position live"));
  CHECK_FALSE(fx.editor().values.contains("gps_lat"));
  fx.env.Advance(3000);
  h.Frame();
  h.Frame();
  CHECK(fx.state().position.live == "Accuracy ± 43 m · 6 satellites · fix 3 s old");
  CHECK(fx.state().own_position.has_fix);
  CHECK(fx.state().own_position.accuracy_m == 43);
  CHECK(fx.state().own_position.satellites == 6);
  CHECK(fx.state().own_position.age_ms >= 3000);

  fx.location->PushFix(site.lat + 0.0001, site.lon, 8.2, 9);
  h.Frame();
  CHECK_FALSE(fx.state().position.active);
  CHECK(fx.editor().values["gps_lat"] == site.lat + 0.0001);
  CHECK(fx.editor().values["gps_lon"] == site.lon);
  CHECK(fx.editor().values["gps_accuracy_m"] == 8.2);
  CHECK(fx.editor().values["gps_source"] == "gps");
  CHECK(fx.editor().position_warnings.empty());
  CHECK(fx.editor().far_from_site.empty());

  // Saved with its source.
  views::UiDriver d = testing::RequiredAnswers(fx.app.get());
  h.Run(d);
  fx.app->Apply(app::SaveVisit{false});
  REQUIRE(fx.editor().message == "Saved.");
  Record v = Unwrap(fx.app->store()->Get(RecordType::kVisit, fx.editor().visit_id));
  CHECK(v.Get("gps_source") == "gps");
  CHECK(v.Get("gps_accuracy_m") == 8.2);
  CHECK(v.Get("gps_lat") == site.lat + 0.0001);
}

TEST_CASE("use my position: the person takes a worse fix explicitly, and a poor one is warned about, not refused") {
  PositionFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const app::SiteItem site = OpenVisit(fx, h);
  ClickAndRun(h, "Use my position");
  fx.location->PushFix(site.lat, site.lon, 65, 4);
  h.Frame();
  h.Frame();
  REQUIRE(fx.state().position.can_accept);
  ClickAndRun(h, "Use this position anyway");
  CHECK_FALSE(fx.state().position.active);
  CHECK(fx.editor().values["gps_accuracy_m"] == 65);
  CHECK(fx.editor().values["gps_source"] == "gps");
  REQUIRE(fx.editor().position_warnings.size() == 1);
  CHECK(fx.editor().position_warnings[0] ==
        "Accuracy ± 65 m is worse than 50 m: the position may be off by that much.");
  CHECK(Drawn("position warning"));
  views::UiDriver d = testing::RequiredAnswers(fx.app.get());
  h.Run(d);
  fx.app->Apply(app::SaveVisit{false});
  CHECK(fx.editor().message == "Saved.");
}

TEST_CASE("use my position: a fix older than 2 minutes and a visit 1 km from its site are warnings") {
  PositionFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const app::SiteItem site = OpenVisit(fx, h);
  ClickAndRun(h, "Use my position");
  fx.location->PushFix(site.lat + 0.0135, site.lon, 20, 7);  // about 1.5 km north
  h.Frame();
  fx.location->PushNoFix(3);  // lost under the bridge
  h.Frame();
  CHECK(fx.state().position.live.rfind("Fix lost: the last one was ± 20 m", 0) == 0);
  CHECK_FALSE(fx.state().own_position.has_fix);
  fx.env.Advance(150'000);
  h.Frame();
  CHECK(fx.state().position.live == "Fix lost: the last one was ± 20 m, 2 min ago");
  fx.app->Apply(app::AcceptPosition{});
  CHECK(fx.editor().values["gps_source"] == "gps");
  REQUIRE(fx.editor().position_warnings.size() == 1);
  CHECK(fx.editor().position_warnings[0].find("The GPS fix was 2 min old when it was taken") == 0);
  CHECK_FALSE(fx.editor().far_from_site.empty());
  views::UiDriver d = testing::RequiredAnswers(fx.app.get());
  h.Run(d);
  fx.app->Apply(app::SaveVisit{true});
  CHECK(fx.editor().message == "Saved and marked complete.");
}

TEST_CASE("use my position: average over 10 s takes the weighted mean of the good fixes") {
  PositionFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const app::SiteItem site = OpenVisit(fx, h);
  ClickAndRun(h, "Average over 10 s");
  CHECK(fx.state().position.average);
  ClickAndRun(h, "Use my position");
  REQUIRE(fx.state().position.active);
  for (int i = 0; i < 5; ++i) {
    fx.location->PushFix(site.lat + (i % 2 ? 0.00002 : -0.00002), site.lon, 6, 9);
    h.Frame();
    CHECK(fx.state().position.active);
    CHECK(fx.state().position.averaging.rfind("Averaging: ", 0) == 0);
    fx.env.Advance(2000);
  }
  h.Frame();
  CHECK_FALSE(fx.state().position.active);
  CHECK(fx.editor().values["gps_lat"].get<double>() == doctest::Approx(site.lat - 0.000004).epsilon(1e-9));
  CHECK(fx.editor().values["gps_accuracy_m"] == 6);
}

TEST_CASE("positions: typed and map-picked positions store their own source") {
  PositionFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const app::SiteItem site = OpenVisit(fx, h);
  fx.app->Apply(app::EditField{"gps_lat", site.lat});
  fx.app->Apply(app::EditField{"gps_lon", site.lon});
  CHECK(fx.editor().values["gps_source"] == "typed");
  fx.app->Apply(app::SetPositionFromMap{site.lat + 0.001, site.lon + 0.001});
  CHECK(fx.state().screen == app::Screen::kEditor);
  CHECK(fx.editor().values["gps_source"] == "map_pick");
  CHECK(fx.editor().values["gps_lat"] == site.lat + 0.001);
  CHECK(fx.editor().values["gps_accuracy_m"].is_null());
  // Typing over a GPS position drops the GPS's accuracy with it.
  fx.app->Apply(app::UseMyPosition{false});
  fx.location->PushFix(site.lat, site.lon, 5, 9);
  h.Frame();
  CHECK(fx.editor().values["gps_accuracy_m"] == 5);
  fx.app->Apply(app::EditField{"gps_lat", site.lat + 0.01});
  CHECK(fx.editor().values["gps_source"] == "typed");
  CHECK(fx.editor().values["gps_accuracy_m"].is_null());
  ClickAndRun(h, "Pick on the map");
  CHECK(testing::CommandsOf<app::PickOnMap>(h.applied()).size() == 1);
}

TEST_CASE("use my position: the site form takes the GPS position and says where it came from") {
  PositionFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Sites");
  d.Click("New site");
  h.Run(d);
  REQUIRE(fx.state().site_form.open);
  ClickAndRun(h, "Use my position");
  REQUIRE(fx.state().position.active);
  CHECK(fx.state().position.for_site);
  fx.location->PushFix(-6.7958123, 39.2469051, 6, 10);
  h.Frame();
  CHECK_FALSE(fx.state().position.active);
  CHECK(fx.state().site_form.lat == "-6.795812");
  CHECK(fx.state().site_form.lon == "39.246905");
  CHECK(fx.state().site_form.position_note == "From the GPS, ± 6.0 m");
  CHECK(fx.state().site_form.position_warnings.empty());
  // Typing over it: the note goes.
  fx.app->Apply(app::EditSiteField{"lat", "-6.8"});
  CHECK(fx.state().site_form.position_note.empty());
  fx.app->Apply(app::SetPositionFromMap{-6.81, 39.25});
  CHECK(fx.state().site_form.lat == "-6.810000");
  CHECK(fx.state().site_form.position_note == "Picked on the map");
}

TEST_CASE("use my position: without gpsd the position section says so plainly") {
  // The real gpsd Location, on a port where no gpsd listens.
  GpsdOptions o;
  o.port = "1";  // tcpmux: never a gpsd
  o.reconnect_ms = 50;
  PositionFixture fx(NewGpsdLocation(o));
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenVisit(fx, h);
  ClickAndRun(h, "Use my position");
  REQUIRE(testing::WaitFor(
      [&] {
        h.Frame();
        return !fx.state().position.available;
      },
      5000));
  CHECK(fx.state().position.unavailable ==
        "No GPS: gpsd is not running at 127.0.0.1:1. Connect a GPS receiver and start gpsd, or type the position or "
        "pick it on the map.");
  h.Frame();
  CHECK(Drawn("position unavailable"));
  CHECK_FALSE(fx.state().position.can_accept);
  ClickAndRun(h, "Stop waiting");
  CHECK_FALSE(fx.state().position.active);
}

TEST_CASE("use my position: a device with no position source says so") {
  PositionFixture fx(NewUnavailableLocation(""));
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenVisit(fx, h);
  ClickAndRun(h, "Use my position");
  CHECK(fx.state().position.unavailable ==
        "This device has no position source. Type the position or pick it on the map.");
  CHECK_FALSE(fx.state().own_position.has_fix);
}

TEST_CASE("use my position: closing the editor stops waiting") {
  PositionFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenVisit(fx, h);
  ClickAndRun(h, "Use my position");
  REQUIRE(fx.state().position.active);
  fx.app->Apply(app::CloseEditor{true});
  h.Frame();
  CHECK_FALSE(fx.state().position.active);
  fx.location->PushFix(-6.79, 39.24, 3, 10);
  h.Frame();
  CHECK_FALSE(fx.state().editor.open);
}

}  // namespace
}  // namespace ccfield::view_test
