// "Use my position" as pure logic (core/position_taker.h): the threshold, the
// explicit "use this position anyway", averaging over a window, a lost fix,
// and the warnings (far from the site, an old fix, a poor accuracy); and a
// form's own threshold ("gps_accuracy_m", core/forms.h).
#include "ccfield/core/position_taker.h"

#include <doctest/doctest.h>

#include <cmath>

#include "ccfield/core/forms.h"

namespace ccfield {
namespace {

LocationFix Fix(double lat, double lon, double accuracy_m, int64_t received_ms, int satellites = 8) {
  LocationFix f;
  f.has_fix = true;
  f.lat = lat;
  f.lon = lon;
  f.accuracy_m = accuracy_m;
  f.satellites_used = satellites;
  f.received_mono_ms = received_ms;
  return f;
}

LocationFix NoFix(int64_t received_ms) {
  LocationFix f;
  f.received_mono_ms = received_ms;
  return f;
}

TEST_CASE("position taker: waits until the accuracy reaches the threshold, then takes that fix") {
  PositionTaker t;
  t.Begin({}, 0);
  CHECK(t.options().threshold_m == 10);
  CHECK_FALSE(t.Feed(Fix(-6.79, 39.24, 43, 1000), 1000));
  CHECK_FALSE(t.Feed(Fix(-6.79, 39.24, 10.5, 2000), 2000));
  CHECK(t.waiting());
  PositionTaker::Live live = t.LiveAt(2500);
  CHECK(live.has_fix);
  CHECK(live.accuracy_m == 10.5);
  CHECK(live.satellites == 8);
  CHECK(live.age_ms == 500);
  CHECK(t.Feed(Fix(-6.7958, 39.2469, 9.5, 3000, 10), 3000));
  REQUIRE(t.taken());
  CHECK(t.taken()->lat == -6.7958);
  CHECK(t.taken()->lon == 39.2469);
  CHECK(t.taken()->accuracy_m == 9.5);
  CHECK(t.taken()->fixes == 1);
  CHECK_FALSE(t.taken()->accepted_worse);
  CHECK_FALSE(t.waiting());
  // Once taken, later fixes change nothing.
  CHECK_FALSE(t.Feed(Fix(1, 1, 1, 4000), 4000));
  CHECK(t.taken()->lat == -6.7958);
}

TEST_CASE("position taker: a form's threshold replaces the default") {
  PositionTaker t;
  t.Begin({5, 0}, 0);
  CHECK_FALSE(t.Feed(Fix(1, 2, 9.5, 100), 100));
  CHECK(t.Feed(Fix(1, 2, 4.9, 200), 200));
  CHECK(t.taken()->accuracy_m == 4.9);
}

TEST_CASE("position taker: an unknown accuracy never reaches the threshold") {
  PositionTaker t;
  t.Begin({}, 0);
  CHECK_FALSE(t.Feed(Fix(1, 2, -1, 100), 100));
  CHECK(t.Accept(200));
  CHECK(t.taken()->accepted_worse);
  CHECK(t.taken()->accuracy_m < 0);
}

TEST_CASE("position taker: the person accepts a worse fix explicitly") {
  PositionTaker t;
  t.Begin({}, 0);
  CHECK_FALSE(t.Accept(10));  // nothing to take yet
  CHECK(t.waiting());
  CHECK_FALSE(t.Feed(Fix(-6.79, 39.24, 43, 1000), 1000));
  CHECK(t.Accept(1500));
  REQUIRE(t.taken());
  CHECK(t.taken()->accuracy_m == 43);
  CHECK(t.taken()->accepted_worse);
  CHECK(t.taken()->fix_age_ms == 500);
}

TEST_CASE("position taker: a lost fix shows as lost, keeps the last one for its age, and the regain is taken") {
  PositionTaker t;
  t.Begin({}, 0);
  CHECK_FALSE(t.Feed(Fix(-6.79, 39.24, 30, 1000), 1000));
  CHECK_FALSE(t.Feed(NoFix(2000), 2000));
  PositionTaker::Live live = t.LiveAt(9000);
  CHECK(live.fix_lost);
  CHECK(live.has_fix);
  CHECK(live.accuracy_m == 30);
  CHECK(live.age_ms == 8000);
  CHECK(t.Feed(Fix(-6.80, 39.25, 7.6, 10000), 10000));
  CHECK_FALSE(t.LiveAt(10000).fix_lost);
  CHECK(t.taken()->lat == -6.80);
}

TEST_CASE("position taker: a stale fix is not taken by itself, only when accepted, with its age") {
  PositionTaker t;
  t.Begin({}, 0);
  const int64_t now = 200'000;
  CHECK_FALSE(t.Feed(Fix(-6.79, 39.24, 5, now - 130'000), now));  // good but 130 s old
  CHECK(t.waiting());
  CHECK(t.Accept(now));
  CHECK(t.taken()->fix_age_ms == 130'000);
  CHECK_FALSE(t.taken()->accepted_worse);
}

TEST_CASE("position taker: averaging collects the fixes that reach the threshold for the window") {
  PositionTaker t;
  t.Begin({10, 10'000}, 0);
  CHECK_FALSE(t.Feed(Fix(1.0, 2.0, 8, 1000), 1000));  // starts the window: it ends at 11000
  PositionTaker::Live live = t.LiveAt(1000);
  CHECK(live.averaging);
  CHECK(live.average_left_ms == 10'000);
  CHECK(live.averaged == 1);
  CHECK_FALSE(t.Feed(Fix(9.0, 9.0, 40, 2000), 2000));  // too poor: left out
  CHECK_FALSE(t.Feed(Fix(1.2, 2.2, 4, 3000), 3000));   // weight 1/16 against 1/64
  CHECK_FALSE(t.Feed(NoFix(4000), 4000));              // a loss inside the window changes nothing
  CHECK(t.LiveAt(4000).averaged == 2);
  CHECK_FALSE(t.Tick(10'999));
  CHECK(t.Tick(11'000));
  REQUIRE(t.taken());
  // (1.0/64 + 1.2/16) / (1/64 + 1/16) = 1.16
  CHECK(t.taken()->lat == doctest::Approx(1.16));
  CHECK(t.taken()->lon == doctest::Approx(2.16));
  CHECK(t.taken()->accuracy_m == 4);  // the best single fix: averaging is not credited with more
  CHECK(t.taken()->fixes == 2);
  CHECK(t.taken()->fix_age_ms == 8000);
}

TEST_CASE("position taker: accepting while averaging takes the average so far") {
  PositionTaker t;
  t.Begin({10, 10'000}, 0);
  CHECK_FALSE(t.Feed(Fix(1.0, 2.0, 5, 1000), 1000));
  CHECK_FALSE(t.Feed(Fix(3.0, 4.0, 5, 2000), 2000));
  CHECK(t.Accept(2500));
  CHECK(t.taken()->lat == doctest::Approx(2.0));
  CHECK(t.taken()->fixes == 2);
}

TEST_CASE("position taker: the same fix reported again (a satellite report) is averaged once") {
  PositionTaker t;
  t.Begin({10, 10'000}, 0);
  const LocationFix f = Fix(1.0, 2.0, 5, 1000);
  CHECK_FALSE(t.Feed(f, 1000));
  CHECK_FALSE(t.Feed(f, 1200));
  CHECK(t.LiveAt(1200).averaged == 1);
  CHECK_FALSE(t.Feed(Fix(3.0, 2.0, 5, 2000), 2000));
  CHECK(t.LiveAt(2000).averaged == 2);
  LocationFix epoch = Fix(4.0, 2.0, 5, 3000);
  epoch.receiver_time_ms = 9000;
  CHECK_FALSE(t.Feed(epoch, 3000));
  epoch.received_mono_ms = 3100;
  CHECK_FALSE(t.Feed(epoch, 3100));
  CHECK(t.LiveAt(3100).averaged == 3);
}

TEST_CASE("position taker: cancel stops waiting and takes nothing") {
  PositionTaker t;
  t.Begin({}, 0);
  t.Cancel();
  CHECK_FALSE(t.Feed(Fix(1, 2, 3, 10), 10));
  CHECK_FALSE(t.Accept(20));
  CHECK_FALSE(t.taken());
}

TEST_CASE("position warnings: far from the site, an old fix, a poor accuracy, never for unknowns") {
  const LatLon site{-6.795812, 39.246905};
  // 0.009 degrees of latitude is about 1000.8 m.
  PositionWarnings far = CheckPosition({site.lat + 0.0095, site.lon}, 8, 1000, site);
  CHECK(far.far_from_site);
  CHECK(far.distance_to_site_m == doctest::Approx(1056).epsilon(0.01));
  CHECK_FALSE(far.old_fix);
  CHECK_FALSE(far.poor_accuracy);
  CHECK_FALSE(CheckPosition({site.lat + 0.008, site.lon}, 8, 1000, site).far_from_site);
  CHECK(CheckPosition(site, 8, kOldFixMillis + 1, site).old_fix);
  CHECK_FALSE(CheckPosition(site, 8, kOldFixMillis, site).old_fix);
  CHECK(CheckPosition(site, 50.1, 0, site).poor_accuracy);
  CHECK_FALSE(CheckPosition(site, 50, 0, site).poor_accuracy);
  const PositionWarnings unknown = CheckPosition(site, -1, -1, std::nullopt);
  CHECK_FALSE(unknown.any());
  CHECK(unknown.distance_to_site_m < 0);
}

TEST_CASE("forms: gps_accuracy_m is a form's own threshold for Use my position") {
  nlohmann::json def = {{"id", "gps_check"},
                        {"version", "1.0"},
                        {"title", {{"en", "GPS check"}, {"fr", "Contrôle GPS"}}},
                        {"fields", {{{"id", "note"}, {"type", "text"}, {"label", {{"en", "Note"}, {"fr", "Note"}}}}}}};
  Result<FormDef> plain = ParseForm(def);
  REQUIRE_MESSAGE(plain.ok(), plain.status().ToString());
  CHECK(FormGpsAccuracyMeters(*plain) == 10);
  def["gps_accuracy_m"] = 5;
  Result<FormDef> strict = ParseForm(def);
  REQUIRE_MESSAGE(strict.ok(), strict.status().ToString());
  CHECK(FormGpsAccuracyMeters(*strict) == 5.0);
  for (const nlohmann::json& bad : {nlohmann::json(0), nlohmann::json(-3), nlohmann::json(1001), nlohmann::json("5")}) {
    def["gps_accuracy_m"] = bad;
    Result<FormDef> r = ParseForm(def);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("gps_accuracy_m") != std::string::npos);
  }
}

}  // namespace
}  // namespace ccfield
