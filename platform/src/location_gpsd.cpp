// The Location of a Linux device with a GNSS receiver behind gpsd: Debian's
// libgps on a reader thread of its own (gps_open, gps_stream with
// WATCH_ENABLE|WATCH_JSON, gps_waiting, gps_read). TPV reports carry the fix
// (mode, lat/lon, eph), SKY reports the satellites; both are handed to the
// listener as they come. While gpsd is not there the thread tries again every
// reconnect_ms, and Current() says plainly that there is no position source.
#include <gps.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <thread>
#include <utility>

#include "ccfield/platform/env.h"
#include "ccfield/platform/location.h"

namespace ccfield {
namespace {

// gps_waiting's timeout: how long Stop() may wait for the thread at most.
constexpr int kWaitMicros = 200'000;

// gpsd's horizontal error estimate: eph when it has one, else the two axes'.
double AccuracyOf(const gps_fix_t& f) {
  if (std::isfinite(f.eph) && f.eph >= 0) return f.eph;
  if (std::isfinite(f.epx) && std::isfinite(f.epy)) return std::sqrt(f.epx * f.epx + f.epy * f.epy);
  return -1;
}

class GpsdLocation final : public Location {
 public:
  explicit GpsdLocation(const GpsdOptions& o) : options_(o), env_(o.env ? o.env : DefaultEnv()) {
    status_.source = "gpsd " + Address();
    status_.unavailable_reason = "Waiting for gpsd at " + Address() + ".";
  }
  ~GpsdLocation() override { Stop(); }

  void Start() override {
    std::lock_guard<std::mutex> lock(thread_mu_);
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { Run(); });
  }

  void Stop() override {
    std::lock_guard<std::mutex> lock(thread_mu_);
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  LocationStatus Current() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

  void SetListener(std::function<void(const LocationStatus&)> listener) override {
    std::lock_guard<std::mutex> lock(mu_);
    listener_ = std::move(listener);
  }

 private:
  std::string Address() const {
    return options_.host.find(':') != std::string::npos ? "[" + options_.host + "]:" + options_.port
                                                        : options_.host + ":" + options_.port;
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }

  void Run() {
    auto data = std::make_unique<gps_data_t>();
    while (!Stopping()) {
      std::memset(data.get(), 0, sizeof(gps_data_t));
      if (gps_open(options_.host.c_str(), options_.port.c_str(), data.get()) != 0) {
        SetUnavailable("gpsd is not running at " + Address() + " (" + gps_errstr(errno) + ").");
        WaitBeforeRetry();
        continue;
      }
      if (gps_stream(data.get(), WATCH_ENABLE | WATCH_JSON, nullptr) != 0) {
        SetUnavailable("gpsd at " + Address() + " did not accept the request to report positions.");
        gps_close(data.get());
        WaitBeforeRetry();
        continue;
      }
      SetAvailable();
      Read(data.get());
      gps_close(data.get());
      if (!Stopping()) SetUnavailable("The connection to gpsd at " + Address() + " was lost.");
    }
  }

  // Reads reports until Stop() or until the connection breaks.
  void Read(gps_data_t* data) {
    while (!Stopping()) {
      errno = 0;  // gps_waiting leaves errno alone on a timeout and sets it on an error
      if (!gps_waiting(data, kWaitMicros)) {
        if (errno != 0 && errno != EINTR && errno != EAGAIN) return;  // the socket failed
        continue;
      }
      errno = 0;
      if (gps_read(data, nullptr, 0) < 0) return;  // gpsd closed the connection
      const gps_mask_t set = data->set;
      if ((set & (MODE_SET | SATELLITE_SET)) == 0) continue;
      OnReport(*data, (set & MODE_SET) != 0);
    }
  }

  void OnReport(const gps_data_t& data, bool is_tpv) {
    const int64_t now_ms = env_->MonoNanos() / 1'000'000;
    {
      std::lock_guard<std::mutex> lock(mu_);
      LocationFix& f = status_.latest;
      if (is_tpv) {
        f.has_fix = data.fix.mode >= MODE_2D && std::isfinite(data.fix.latitude) && std::isfinite(data.fix.longitude);
        f.lat = f.has_fix ? data.fix.latitude : 0;
        f.lon = f.has_fix ? data.fix.longitude : 0;
        f.accuracy_m = f.has_fix ? AccuracyOf(data.fix) : -1;
        f.receiver_time_ms = static_cast<int64_t>(data.fix.time.tv_sec) * 1000 + data.fix.time.tv_nsec / 1'000'000;
        f.received_mono_ms = now_ms;  // a SKY report brings satellites, not a newer fix
      }
      f.satellites_used = data.satellites_used > 0 ? data.satellites_used : 0;
      f.satellites_visible = data.satellites_visible > 0 ? data.satellites_visible : 0;
      if (f.has_fix) status_.last_fix = f;
      ++status_.reports;
    }
    Notify();
  }

  void SetAvailable() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_.available = true;
      status_.unavailable_reason.clear();
      ++status_.reports;
    }
    Notify();
  }

  void SetUnavailable(const std::string& reason) {
    bool changed = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      changed = status_.available || status_.unavailable_reason != reason;
      status_.available = false;
      status_.unavailable_reason = reason;
      status_.latest = {};
      if (changed) ++status_.reports;
    }
    if (!changed) return;
    env_->Log(LogLevel::kInfo, "location: " + reason);
    Notify();
  }

  void WaitBeforeRetry() {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(options_.reconnect_ms), [this] { return stop_; });
  }

  void Notify() {
    std::function<void(const LocationStatus&)> listener;
    LocationStatus now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      listener = listener_;
      now = status_;
    }
    if (listener) listener(now);
  }

  const GpsdOptions options_;
  Env* const env_;
  std::mutex thread_mu_;  // Start/Stop
  std::thread thread_;
  mutable std::mutex mu_;  // guards the four below
  std::condition_variable wake_;
  bool stop_ = false;
  LocationStatus status_;
  std::function<void(const LocationStatus&)> listener_;
};

}  // namespace

std::unique_ptr<Location> NewGpsdLocation(const GpsdOptions& options) {
  return std::make_unique<GpsdLocation>(options);
}

bool ParseGpsdAddress(const std::string& text, GpsdOptions* options, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error) *error = "\"" + text + "\" is not a gpsd address (" + why + "); write HOST:PORT, e.g. 127.0.0.1:2947.";
    return false;
  };
  std::string host = text, port = "2947";
  if (!text.empty() && text[0] == '[') {  // [::1]:2947
    const size_t close = text.find(']');
    if (close == std::string::npos) return fail("a '[' without ']'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return fail("something other than :PORT after ']'");
      port = text.substr(close + 2);
    }
  } else if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
    if (text.find(':') != colon) return fail("an IPv6 address needs [ ] around it");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return fail("no host");
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535) {
    return fail("the port must be a number from 1 to 65535");
  }
  options->host = host;
  options->port = port;
  return true;
}

}  // namespace ccfield
