// The Location of a device with no way to know its position, and the fake
// whose reports tests push (platform/include/ccfield/platform/location.h).
#include <utility>

#include "ccfield/platform/env.h"
#include "ccfield/platform/location.h"

namespace ccfield {
namespace {

class UnavailableLocation final : public Location {
 public:
  explicit UnavailableLocation(std::string reason) {
    status_.available = false;
    status_.unavailable_reason = std::move(reason);
    status_.source = "none";
  }
  void Start() override {}
  void Stop() override {}
  LocationStatus Current() const override { return status_; }
  void SetListener(std::function<void(const LocationStatus&)>) override {}

 private:
  LocationStatus status_;
};

}  // namespace

std::unique_ptr<Location> NewUnavailableLocation(std::string reason) {
  return std::make_unique<UnavailableLocation>(std::move(reason));
}

// ---- FakeLocation ----

FakeLocation::FakeLocation(Env* env) : env_(env) {
  status_.available = true;
  status_.source = "fake";
}

void FakeLocation::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  started_ = true;
}

void FakeLocation::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  started_ = false;
}

bool FakeLocation::started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

LocationStatus FakeLocation::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void FakeLocation::SetListener(std::function<void(const LocationStatus&)> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = std::move(listener);
}

void FakeLocation::PushFix(double lat, double lon, double accuracy_m, int satellites) {
  LocationFix f;
  f.has_fix = true;
  f.lat = lat;
  f.lon = lon;
  f.accuracy_m = accuracy_m;
  f.satellites_used = satellites;
  f.satellites_visible = satellites + 2;
  f.receiver_time_ms = env_->WallMillis();
  Report(f);
}

void FakeLocation::PushNoFix(int satellites_visible) {
  LocationFix f;
  f.satellites_visible = satellites_visible;
  f.receiver_time_ms = env_->WallMillis();
  Report(f);
}

void FakeLocation::SetAvailable(bool available, std::string reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_.available = available;
    status_.unavailable_reason = available ? "" : std::move(reason);
    if (!available) status_.latest = {};
    ++status_.reports;
  }
  Notify();
}

void FakeLocation::Report(const LocationFix& fix) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_.latest = fix;
    status_.latest.received_mono_ms = env_->MonoNanos() / 1'000'000;
    if (fix.has_fix) status_.last_fix = status_.latest;
    status_.available = true;
    status_.unavailable_reason.clear();
    ++status_.reports;
  }
  Notify();
}

void FakeLocation::Notify() {
  std::function<void(const LocationStatus&)> listener;
  LocationStatus now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    listener = listener_;
    now = status_;
  }
  if (listener) listener(now);
}

}  // namespace ccfield
