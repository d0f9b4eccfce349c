#include "ccfield/core/position_taker.h"

#include <algorithm>

namespace ccfield {
namespace {

bool MeetsThreshold(const LocationFix& f, double threshold_m) {
  return f.has_fix && f.accuracy_m >= 0 && f.accuracy_m <= threshold_m;
}

}  // namespace

double FormGpsAccuracyMeters(const FormDef& form) {
  const nlohmann::json& acc = form.source.is_object() ? form.source.value("gps_accuracy_m", nlohmann::json()) : nullptr;
  return acc.is_number() && acc.get<double>() > 0 ? acc.get<double>() : kDefaultGpsAccuracyMeters;
}

void PositionTaker::Begin(const Options& options, int64_t /*now_ms*/) {
  *this = PositionTaker();
  options_ = options;
  if (options_.threshold_m <= 0) options_.threshold_m = kDefaultGpsAccuracyMeters;
  waiting_ = true;
}

void PositionTaker::Cancel() {
  waiting_ = false;
  average_end_ms_ = 0;
  samples_.clear();
}

bool PositionTaker::Feed(const LocationFix& report, int64_t now_ms) {
  if (!waiting_) return false;
  satellites_ = report.satellites_used;
  if (!report.has_fix) {
    fix_lost_ = true;
    return Tick(now_ms);
  }
  fix_lost_ = false;
  // The same fix again (gpsd repeats a fix with the satellite report, and
  // sometimes reports an epoch twice): counted once.
  if (last_fix_ && (last_fix_->received_mono_ms == report.received_mono_ms ||
                    (report.receiver_time_ms != 0 && last_fix_->receiver_time_ms == report.receiver_time_ms &&
                     last_fix_->lat == report.lat && last_fix_->lon == report.lon))) {
    return Tick(now_ms);
  }
  last_fix_ = report;
  const bool good = MeetsThreshold(report, options_.threshold_m);
  if (average_end_ms_ != 0) {
    // Inside the window only fixes that reach the threshold count.
    if (good && report.received_mono_ms < average_end_ms_) samples_.push_back(report);
    return Tick(now_ms);
  }
  if (!good || now_ms - report.received_mono_ms > kFreshFixMillis) return false;
  if (options_.average_ms > 0) {
    average_end_ms_ = report.received_mono_ms + options_.average_ms;
    samples_ = {report};
    return Tick(now_ms);
  }
  taken_ = TakenPosition{report.lat, report.lon, report.accuracy_m, now_ms - report.received_mono_ms, 1, false};
  waiting_ = false;
  return true;
}

bool PositionTaker::Tick(int64_t now_ms) {
  if (!waiting_ || average_end_ms_ == 0 || now_ms < average_end_ms_) return false;
  return TakeAverage(now_ms);
}

bool PositionTaker::Accept(int64_t now_ms) {
  if (!waiting_) return false;
  if (!samples_.empty()) return TakeAverage(now_ms);
  if (!last_fix_) return false;
  const LocationFix& f = *last_fix_;
  taken_ = TakenPosition{
      f.lat, f.lon, f.accuracy_m, now_ms - f.received_mono_ms, 1, !MeetsThreshold(f, options_.threshold_m)};
  waiting_ = false;
  return true;
}

// The fixes of the window, each weighted by 1/accuracy²: a 3 m fix counts
// more than a 9 m one. The accuracy claimed is the best single fix's: the
// errors of consecutive fixes are correlated, so averaging is not credited
// with more than that.
bool PositionTaker::TakeAverage(int64_t now_ms) {
  if (samples_.empty()) return false;
  double sw = 0, lat = 0, lon = 0, best = samples_.front().accuracy_m;
  int64_t newest = samples_.front().received_mono_ms;
  for (const LocationFix& s : samples_) {
    const double a = std::max(s.accuracy_m, 0.5);
    const double w = 1 / (a * a);
    sw += w;
    lat += w * s.lat;
    lon += w * s.lon;
    best = std::min(best, s.accuracy_m);
    newest = std::max(newest, s.received_mono_ms);
  }
  taken_ = TakenPosition{lat / sw, lon / sw, best, now_ms - newest, static_cast<int>(samples_.size()), false};
  waiting_ = false;
  average_end_ms_ = 0;
  samples_.clear();
  return true;
}

PositionTaker::Live PositionTaker::LiveAt(int64_t now_ms) const {
  Live l;
  l.waiting = waiting_;
  l.satellites = satellites_;
  l.fix_lost = fix_lost_;
  if (last_fix_) {
    l.has_fix = true;
    l.accuracy_m = last_fix_->accuracy_m;
    l.age_ms = std::max<int64_t>(0, now_ms - last_fix_->received_mono_ms);
  }
  if (waiting_ && average_end_ms_ != 0) {
    l.averaging = true;
    l.average_left_ms = std::max<int64_t>(0, average_end_ms_ - now_ms);
    l.averaged = static_cast<int>(samples_.size());
  }
  return l;
}

PositionWarnings CheckPosition(LatLon position, double accuracy_m, int64_t fix_age_ms, std::optional<LatLon> site) {
  PositionWarnings w;
  if (site) {
    w.distance_to_site_m = DistanceMeters(position, *site);
    w.far_from_site = w.distance_to_site_m > kVisitFarFromSiteMeters;
  }
  w.old_fix = fix_age_ms > kOldFixMillis;
  w.poor_accuracy = accuracy_m > kPoorAccuracyMeters;
  return w;
}

}  // namespace ccfield
