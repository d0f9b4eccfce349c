#pragma once
// PositionTaker: "Use my position" as pure logic (issue 13, "Positions").
// Fed the Location's reports (platform/location.h) and the monotonic time, it
// decides when a fix is good enough to take: when its accuracy reaches the
// threshold (the form's "gps_accuracy_m", default 10 m), when the person
// accepts a worse one explicitly, or at the end of an averaging window (as
// ODK's accuracy threshold and averaging do). It also says what the screen
// shows while waiting (accuracy, satellites, fix age) and which warnings a
// position deserves. Warnings are values to show, never reasons to refuse a
// save. No clock, thread or I/O here: the caller passes the time.
//
// Thread-safety: none; one taker per editor, used on the main thread.

#include <cstdint>
#include <optional>
#include <vector>

#include "ccfield/core/forms.h"
#include "ccfield/core/geo.h"
#include "ccfield/platform/location.h"

namespace ccfield {

// The accuracy "Use my position" waits for when the form sets none.
inline constexpr double kDefaultGpsAccuracyMeters = 10;
// A fix worse than this is worth a warning.
inline constexpr double kPoorAccuracyMeters = 50;
// A fix older than this (when taken) is worth a warning.
inline constexpr int64_t kOldFixMillis = 2 * 60 * 1000;
// The accuracy a form's visits wait for: its optional "gps_accuracy_m"
// (checked by ParseForm: above 0, at most 1000), else kDefaultGpsAccuracyMeters.
double FormGpsAccuracyMeters(const FormDef& form);

// A fix is taken by itself only while it is fresher than this; older ones
// only when the person accepts them.
inline constexpr int64_t kFreshFixMillis = 10 * 1000;

// A position the taker took.
struct TakenPosition {
  double lat = 0, lon = 0;
  double accuracy_m = -1;       // < 0: unknown
  int64_t fix_age_ms = 0;       // how old the (newest) fix was when taken
  int fixes = 1;                // fixes averaged (1 without averaging)
  bool accepted_worse = false;  // the person took it before it reached the threshold
};

class PositionTaker {
 public:
  struct Options {
    double threshold_m = kDefaultGpsAccuracyMeters;  // > 0
    int64_t average_ms = 0;                          // > 0: average the fixes that reach the threshold over this long
  };

  // What the screen shows while waiting.
  struct Live {
    bool waiting = false;    // Begin() called, nothing taken or cancelled since
    bool has_fix = false;    // a fix was seen since Begin() (it may be lost now)
    bool fix_lost = false;   // the latest report had no fix
    double accuracy_m = -1;  // of the latest fix; < 0 unknown
    int satellites = 0;      // used in the latest report
    int64_t age_ms = 0;      // of the latest fix, at `now_ms`
    bool averaging = false;  // inside the averaging window
    int64_t average_left_ms = 0;
    int averaged = 0;  // fixes collected in the window so far
  };

  // Starts waiting for a position; forgets any earlier one.
  void Begin(const Options& options, int64_t now_ms);
  // Stops waiting without taking anything.
  void Cancel();

  // One report of the Location. True when it made the taker take a position.
  bool Feed(const LocationFix& report, int64_t now_ms);
  // Time passes: ends an averaging window. True when that took a position.
  bool Tick(int64_t now_ms);
  // "Use this position anyway": takes the average so far, else the latest
  // fix whatever its accuracy or age. False (nothing taken) without any fix.
  bool Accept(int64_t now_ms);

  Live LiveAt(int64_t now_ms) const;
  bool waiting() const { return waiting_; }
  const Options& options() const { return options_; }
  // The position taken since the last Begin(), if any.
  const std::optional<TakenPosition>& taken() const { return taken_; }

 private:
  bool TakeAverage(int64_t now_ms);
  Options options_;
  bool waiting_ = false;
  std::optional<LocationFix> last_fix_;  // the newest report with a fix since Begin()
  bool fix_lost_ = false;
  int satellites_ = 0;
  int64_t average_end_ms_ = 0;  // 0: not averaging
  std::vector<LocationFix> samples_;
  std::optional<TakenPosition> taken_;
};

// The warnings a position deserves, as values the screen words.
struct PositionWarnings {
  bool far_from_site = false;      // more than kVisitFarFromSiteMeters from the site
  double distance_to_site_m = -1;  // < 0: no site position
  bool old_fix = false;            // the fix was older than kOldFixMillis when taken
  bool poor_accuracy = false;      // accuracy worse than kPoorAccuracyMeters
  bool any() const { return far_from_site || old_fix || poor_accuracy; }
};
// `accuracy_m` < 0 and `fix_age_ms` < 0 mean unknown (no warning); `site`
// nullopt means the site has no position (no distance).
PositionWarnings CheckPosition(LatLon position, double accuracy_m, int64_t fix_age_ms, std::optional<LatLon> site);

}  // namespace ccfield
