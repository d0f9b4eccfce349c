#pragma once
// Location: the seam through which the device learns where it is (issue 13,
// "Positions"). One small interface, one implementation per source: gpsd for
// Linux laptops and tablets with a USB or Bluetooth GNSS receiver
// (location_gpsd.cpp, Debian's libgps), "not available" where there is none
// (location_none.cpp), and a fake whose fixes the test pushes
// (location_fake.cpp). Android and Windows plug their own in here.
//
// A Location only reports; what a position is good enough for (the form's
// accuracy threshold, averaging, warnings) is core/position_taker.h.
//
// Thread-safety: every method may be called from any thread. The listener
// runs on the implementation's own thread (gpsd: its reader thread; the
// fake: the thread that pushes), never while a lock of the Location is held.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace ccfield {

class Env;

// One report from the receiver: a position fix, or the news that there is none.
struct LocationFix {
  bool has_fix = false;     // a 2D or 3D fix: lat/lon are valid
  double lat = 0, lon = 0;  // degrees (WGS84)
  // Horizontal accuracy in metres as the receiver estimates it (gpsd's
  // "eph", about 95 % confidence); < 0 when unknown.
  double accuracy_m = -1;
  int satellites_used = 0;       // in the solution; 0 when not reported
  int satellites_visible = 0;    // in view
  int64_t receiver_time_ms = 0;  // the fix's own UTC time (ms since the epoch); 0 when unknown
  // When this report reached the device: Env::MonoNanos() / 1e6 of the
  // Location's Env. Ages are measured from here, not from receiver_time_ms:
  // a receiver's clock, or a replayed log, may be far from the device's.
  int64_t received_mono_ms = 0;
};

// What the Location knows now.
struct LocationStatus {
  // A receiver (or gpsd) is reachable. False: `unavailable_reason` says why,
  // in words for the person holding the device.
  bool available = false;
  std::string unavailable_reason;
  std::string source;  // "gpsd 127.0.0.1:2947", "fake", "none"
  // The latest report (has_fix false while the receiver has no fix).
  LocationFix latest;
  // The latest report that had a fix (kept while the fix is lost, for its age).
  LocationFix last_fix;
  uint64_t reports = 0;  // bumped with every report and every change of availability
};

class Location {
 public:
  virtual ~Location() = default;

  // Starts listening (gpsd: connects from a thread of its own, and keeps
  // reconnecting every second while gpsd is not there). Never blocks.
  // Idempotent.
  virtual void Start() = 0;
  // Stops listening; joins the thread. Current() keeps the last values.
  // Idempotent; the destructor stops too.
  virtual void Stop() = 0;

  virtual LocationStatus Current() const = 0;

  // Called after every report and every change of availability, on the
  // Location's thread (see the top of this file): wake the UI from here,
  // do not draw. Set it before Start(); an empty function clears it.
  virtual void SetListener(std::function<void(const LocationStatus&)> listener) = 0;
};

// gpsd over TCP (gps_open, gps_stream WATCH_ENABLE|WATCH_JSON, gps_read on
// its own thread). `env` stamps the reports (MonoNanos) and logs why a
// connection failed, once per new reason; it must outlive the Location.
struct GpsdOptions {
  std::string host = "127.0.0.1";
  std::string port = "2947";
  Env* env = nullptr;       // null: DefaultEnv()
  int reconnect_ms = 1000;  // between attempts while gpsd is not there
};
std::unique_ptr<Location> NewGpsdLocation(const GpsdOptions& options);

// Parses "HOST:PORT" (or "HOST", port 2947; "[::1]:2947" for IPv6) into
// `options`. False with a sentence in `*error` when it is not that shape.
bool ParseGpsdAddress(const std::string& text, GpsdOptions* options, std::string* error);

// No way to know the position on this device: always unavailable, with
// `reason` (a sentence for the person) as the reason.
std::unique_ptr<Location> NewUnavailableLocation(std::string reason);

// A fake for tests: reports are pushed by the test and handed to the listener
// on the pushing thread. Received times come from `env` (a FakeEnv with a
// settable clock), which must outlive the fake.
class FakeLocation final : public Location {
 public:
  explicit FakeLocation(Env* env);

  void Start() override;
  void Stop() override;
  LocationStatus Current() const override;
  void SetListener(std::function<void(const LocationStatus&)> listener) override;

  // A fix at (lat, lon) with this accuracy and satellites, received now.
  void PushFix(double lat, double lon, double accuracy_m, int satellites = 8);
  // The receiver reports that it has no fix (keeps the last fix for its age).
  void PushNoFix(int satellites_visible = 0);
  // gpsd went away (or came back): available false with `reason`, or true.
  void SetAvailable(bool available, std::string reason = "");
  bool started() const;

 private:
  void Report(const LocationFix& fix);
  void Notify();
  Env* env_;
  mutable std::mutex mu_;  // guards the three below
  LocationStatus status_;
  bool started_ = false;
  std::function<void(const LocationStatus&)> listener_;
};

}  // namespace ccfield
