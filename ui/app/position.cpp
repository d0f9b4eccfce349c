// "Use my position" in the visit editor and the site form (issue 13): the
// Location's reports go through a PositionTaker (core/position_taker.h) that
// waits for the form's accuracy, averages when asked, or takes a worse fix
// the person accepts. The own position for the map is kept current here too.
// Warnings (an old fix, a poor accuracy, far from the site) are shown, never
// enforced.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/app.h"
#include "text/i18n.h"

namespace ccfield::app {

using nlohmann::json;
using ui::tr;

namespace {

// "Average over 10 s" averages for this long.
constexpr int64_t kAverageMs = 10'000;

std::string CoordinateText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

// "43", "9.5": whole metres, one decimal below 10 m.
std::string MetresText(double m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, m < 10 ? "%.1f" : "%.0f", m);
  return buf;
}

// "5 s", "3 min".
std::string AgeText(int64_t ms) {
  const int64_t s = std::max<int64_t>(0, ms) / 1000;
  if (s < 120) return ui::Format(tr("{n} s"), {{"n", std::to_string(s)}});
  return ui::Format(tr("{n} min"), {{"n", std::to_string(s / 60)}});
}

// Why there is no position, in words for the person holding the tablet.
std::string UnavailableText(const LocationStatus& st) {
  if (st.source.rfind("gpsd ", 0) != 0) {
    return tr("This device has no position source. Type the position or pick it on the map.");
  }
  const std::string address = st.source.substr(5);
  return ui::Format(tr("No GPS: gpsd is not running at {address}. Connect a GPS receiver and start gpsd, or type the "
                       "position or pick it on the map."),
                    {{"address", address}});
}

int64_t NowMs(Env* env) { return env->MonoNanos() / 1'000'000; }

}  // namespace

// The warnings of a position that are not about the site: the caller words
// the distance (FarFromSiteText).
std::vector<std::string> PositionWarningTexts(double accuracy_m, int64_t fix_age_ms) {
  const PositionWarnings w = CheckPosition({0, 0}, accuracy_m, fix_age_ms, std::nullopt);
  std::vector<std::string> out;
  if (w.poor_accuracy) {
    out.push_back(ui::Format(tr("Accuracy ± {accuracy} m is worse than 50 m: the position may be off by that much."),
                             {{"accuracy", MetresText(accuracy_m)}}));
  }
  if (w.old_fix) {
    out.push_back(ui::Format(tr("The GPS fix was {age} old when it was taken: you may have moved since."),
                             {{"age", AgeText(fix_age_ms)}}));
  }
  return out;
}

void App::StartLocation() {
  if (!options_.location) options_.location = NewUnavailableLocation("");
  MainQueue* queue = queue_.get();
  // On the Location's thread: wake the loop; Tick reads the news (UpdatePosition).
  options_.location->SetListener([queue](const LocationStatus&) { queue->Post([] {}); });
  options_.location->Start();
  UpdatePosition();
}

void App::StopLocation() {
  if (!options_.location) return;
  options_.location->Stop();
  options_.location->SetListener({});
}

bool App::UpdatePosition() {
  if (!options_.location) return false;
  const LocationStatus st = options_.location->Current();
  const int64_t now = NowMs(options_.env);
  OwnPosition& own = state_.own_position;
  const OwnPosition before = own;
  own.has_fix = st.available && st.latest.has_fix;
  if (own.has_fix) {
    own.lat = st.latest.lat;
    own.lon = st.latest.lon;
    own.accuracy_m = std::max(0.0, st.latest.accuracy_m);
  }
  own.satellites = st.latest.satellites_used;
  own.age_ms = st.last_fix.received_mono_ms != 0 ? now - st.last_fix.received_mono_ms : 0;

  PositionTakingState& p = state_.position;
  if (p.active && !(p.for_site ? state_.site_form.open : state_.editor.open)) {
    taker_.Cancel();  // the form it was for was closed
    p.active = false;
  }
  // Only what is drawn counts as a change (the map's own position, the
  // waiting section): a fix that only grows older wakes nobody.
  bool changed = own.has_fix != before.has_fix || own.lat != before.lat || own.lon != before.lon ||
                 own.accuracy_m != before.accuracy_m;
  if (st.reports != location_reports_) {
    location_reports_ = st.reports;
    if (p.active) changed = true;
    if (taker_.Feed(st.latest, now)) {
      ApplyTakenPosition(*taker_.taken());
      return true;
    }
  }
  if (taker_.Tick(now)) {
    ApplyTakenPosition(*taker_.taken());
    return true;
  }
  if (p.active) {
    RefreshPositionLive(now);
    if (p.live + p.averaging != position_live_shown_) changed = true;
    position_live_shown_ = p.live + p.averaging;
  }
  return changed;
}

void App::RefreshPositionLive(int64_t now_ms) {
  PositionTakingState& p = state_.position;
  const LocationStatus st = options_.location->Current();
  p.available = st.available;
  p.unavailable = st.available ? "" : UnavailableText(st);
  const PositionTaker::Live l = taker_.LiveAt(now_ms);
  const std::string acc = l.accuracy_m >= 0 ? MetresText(l.accuracy_m) : "?";
  if (!st.available) {
    p.live.clear();
  } else if (!l.has_fix) {
    p.live =
        ui::Format(tr("Waiting for a fix… ({satellites} satellites)"), {{"satellites", std::to_string(l.satellites)}});
  } else if (l.fix_lost) {
    p.live = ui::Format(tr("Fix lost: the last one was ± {accuracy} m, {age} ago"),
                        {{"accuracy", acc}, {"age", AgeText(l.age_ms)}});
  } else {
    p.live = ui::Format(tr("Accuracy ± {accuracy} m · {satellites} satellites · fix {age} old"),
                        {{"accuracy", acc}, {"satellites", std::to_string(l.satellites)}, {"age", AgeText(l.age_ms)}});
  }
  p.averaging = l.averaging ? ui::Format(tr("Averaging: {seconds} s left, {n} fixes"),
                                         {{"seconds", std::to_string((l.average_left_ms + 999) / 1000)},
                                          {"n", std::to_string(l.averaged)}})
                            : "";
  p.can_accept = l.has_fix;
  p.accept_label = l.accuracy_m >= 0 ? ui::Format(tr("Use this position anyway (± {accuracy} m)"), {{"accuracy", acc}})
                                     : std::string(tr("Use this position anyway"));
}

void App::Handle(const UseMyPosition& c) {
  if (c.for_site ? !state_.site_form.open : !state_.editor.open) return;
  PositionTakingState& p = state_.position;
  const bool average = p.average;
  p = {};
  p.active = true;
  p.for_site = c.for_site;
  p.average = average;
  const FormDef* form = c.for_site ? nullptr : state_.editor.form;
  p.threshold_m = form ? FormGpsAccuracyMeters(*form) : kDefaultGpsAccuracyMeters;
  const int64_t now = NowMs(options_.env);
  taker_.Begin({p.threshold_m, average ? kAverageMs : 0}, now);
  // A fix already there (and fresh and good enough) is taken at once.
  const LocationStatus st = options_.location->Current();
  location_reports_ = st.reports;
  if (taker_.Feed(st.latest, now)) return ApplyTakenPosition(*taker_.taken());
  RefreshPositionLive(now);
  position_live_shown_ = p.live + p.averaging;
}

void App::Handle(const SetPositionAveraging& c) {
  state_.position.average = c.on;
  if (state_.position.active) Handle(UseMyPosition{state_.position.for_site});  // start again with the new choice
}

void App::Handle(const AcceptPosition&) {
  if (state_.position.active && taker_.Accept(NowMs(options_.env))) ApplyTakenPosition(*taker_.taken());
}

void App::Handle(const CancelPosition&) {
  taker_.Cancel();
  state_.position.active = false;
}

void App::ApplyTakenPosition(const TakenPosition& t) {
  PositionTakingState& p = state_.position;
  p.active = false;
  const std::string acc = t.accuracy_m >= 0 ? MetresText(t.accuracy_m) : "?";
  if (p.for_site) {
    SiteFormState& f = state_.site_form;
    if (!f.open) return;
    f.lat = CoordinateText(t.lat);
    f.lon = CoordinateText(t.lon);
    f.errors.erase("lat");
    f.errors.erase("lon");
    f.position_note = t.fixes > 1 ? ui::Format(tr("From the GPS, ± {accuracy} m, the average of {n} fixes"),
                                               {{"accuracy", acc}, {"n", std::to_string(t.fixes)}})
                                  : ui::Format(tr("From the GPS, ± {accuracy} m"), {{"accuracy", acc}});
    f.position_warnings = PositionWarningTexts(t.accuracy_m, t.fix_age_ms);
    return;
  }
  if (!state_.editor.open) return;
  state_.editor.fix_age_ms = t.fix_age_ms;
  setting_position_ = true;
  EditVisitField("gps_lat", t.lat);
  EditVisitField("gps_lon", t.lon);
  EditVisitField("gps_accuracy_m", t.accuracy_m >= 0 ? json(std::round(t.accuracy_m * 10) / 10) : json());
  EditVisitField("gps_source", "gps");
  setting_position_ = false;
}

void App::Handle(const SetPositionFromMap& c) {
  state_.map.picking = false;
  if (state_.site_form.open) {
    SiteFormState& f = state_.site_form;
    f.lat = CoordinateText(c.lat);
    f.lon = CoordinateText(c.lon);
    f.errors.erase("lat");
    f.errors.erase("lon");
    f.position_note = tr("Picked on the map");
    f.position_warnings.clear();
    state_.screen = f.for_visit ? Screen::kHome : Screen::kSites;
    return;
  }
  if (!state_.editor.open) return;
  state_.editor.fix_age_ms = -1;
  setting_position_ = true;
  EditVisitField("gps_lat", c.lat);
  EditVisitField("gps_lon", c.lon);
  EditVisitField("gps_accuracy_m", json());
  EditVisitField("gps_source", "map_pick");
  setting_position_ = false;
  state_.screen = Screen::kEditor;
}

}  // namespace ccfield::app
