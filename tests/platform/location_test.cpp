// The Location seam (platform/location.h). The gpsd implementation is run
// for real against gpsfake (Debian's gpsd-clients) replaying the walk the
// project ships (tests/data/gps/walk.nmea, made by make_walk.py next to it):
// fixes arrive with their accuracy and satellites, the loss under the
// footbridge is seen as a lost fix, then the regain. Without gpsfake these
// tests say so and ctest marks them skipped (never a silent pass).
#include "ccfield/platform/location.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "ccfield/platform/env.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace ccfield {
namespace {

const char* const kWalk = CCFIELD_SOURCE_DIR "/tests/data/gps/walk.nmea";
// The walk ends on the demo site "Mto Ng'ombe channel – Uzuri footbridge".
constexpr double kSiteLat = -6.795812, kSiteLon = 39.246905;

std::string FindGpsfake() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    std::string p = std::string(dir) + "/gpsfake";
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

// Says why the test does not run; ctest's SKIP_REGULAR_EXPRESSION matches it.
void SkipNoGpsfake() {
  std::printf("SKIPPED: gpsfake is not installed (Debian package gpsd-clients; scripts/install-deps.sh installs it)\n");
  std::fflush(stdout);
  MESSAGE("SKIPPED: gpsfake is not installed");
}

std::string ReadAll(const std::string& path) {
  std::string error;
  return DefaultEnv()->ReadFile(path, &error).value_or("(" + error + ")");
}

// A TCP port on 127.0.0.1 that nobody listens on right now.
std::string FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  close(fd);
  return std::to_string(ntohs(a.sin_port));
}

// gpsfake (and the gpsd it starts) in a process group of its own, killed
// with the group when the object goes.
class Gpsfake {
 public:
  Gpsfake(const std::string& gpsfake, const std::string& port, const std::string& log, const std::string& out) {
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      setpgid(0, 0);
      const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      // -1: the log once; -c: 20 ms between sentences (the 46 s walk in about 6 s).
      execl(gpsfake.c_str(), "gpsfake", "-1", "-q", "-c", "0.02", "-P", port.c_str(), log.c_str(), nullptr);
      _exit(127);
    }
    setpgid(pid_, pid_);
  }
  ~Gpsfake() {
    kill(-pid_, SIGTERM);
    int st = 0;
    waitpid(pid_, &st, 0);
    std::error_code ec;
    std::filesystem::remove("/tmp/gpsfake-" + std::to_string(pid_) + ".sock", ec);
  }

 private:
  pid_t pid_ = -1;
};

// Every report the Location hands to its listener, in order.
struct Reports {
  std::mutex mu;
  std::vector<LocationStatus> all;
  void Add(const LocationStatus& s) {
    std::lock_guard<std::mutex> lock(mu);
    all.push_back(s);
  }
  std::vector<LocationStatus> Copy() {
    std::lock_guard<std::mutex> lock(mu);
    return all;
  }
  bool ReachedSite() {
    std::lock_guard<std::mutex> lock(mu);
    for (const LocationStatus& s : all) {
      if (s.latest.has_fix && std::abs(s.latest.lat - kSiteLat) < 1e-6 && std::abs(s.latest.lon - kSiteLon) < 1e-6) {
        return true;
      }
    }
    return false;
  }
};

TEST_CASE("gpsd location: the shipped walk through gpsfake gives fixes, a lost fix and the regain") {
  const std::string gpsfake = FindGpsfake();
  if (gpsfake.empty()) return SkipNoGpsfake();
  testing::TempDir dir;
  const std::string port = FreePort();
  GpsdOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.reconnect_ms = 100;
  std::unique_ptr<Location> loc = NewGpsdLocation(o);
  Reports reports;
  loc->SetListener([&](const LocationStatus& s) { reports.Add(s); });
  loc->Start();

  // Nobody listens yet: unavailable, in words that name the address.
  REQUIRE(
      testing::WaitFor([&] { return !loc->Current().unavailable_reason.empty() && loc->Current().reports > 0; }, 5000));
  LocationStatus before = loc->Current();
  CHECK_FALSE(before.available);
  CHECK(before.unavailable_reason.find("gpsd is not running at 127.0.0.1:" + port) != std::string::npos);

  // gpsd comes (through gpsfake): the Location connects by itself and the walk plays.
  Gpsfake fake(gpsfake, port, kWalk, dir.File("gpsfake.log"));
  REQUIRE_MESSAGE(testing::WaitFor([&] { return reports.ReachedSite(); }, 60'000),
                  "the walk's last fix never came; gpsfake said: " << ReadAll(dir.File("gpsfake.log")));
  loc->Stop();
  const std::vector<LocationStatus> all = reports.Copy();

  bool saw_poor = false, saw_good = false, saw_loss = false, saw_regain = false;
  int most_used = 0, most_visible = 0;
  double regain_accuracy = -1;
  for (const LocationStatus& s : all) {
    if (!s.available) continue;
    const LocationFix& f = s.latest;
    most_used = std::max(most_used, f.satellites_used);
    most_visible = std::max(most_visible, f.satellites_visible);
    if (f.has_fix) {
      CHECK(std::abs(f.lat - kSiteLat) < 0.002);  // the walk stays within ~200 m of the site
      CHECK(std::abs(f.lon - kSiteLon) < 0.002);
      if (f.accuracy_m > 50) saw_poor = true;
      if (f.accuracy_m > 0 && f.accuracy_m <= 10) saw_good = true;
      if (saw_loss && !saw_regain) {
        saw_regain = true;
        regain_accuracy = f.accuracy_m;
      }
    } else if (saw_good && f.receiver_time_ms != 0) {
      saw_loss = true;            // a report without a fix after good ones: the footbridge
      CHECK(s.last_fix.has_fix);  // the last fix is kept, for its age
      CHECK(s.last_fix.accuracy_m > 0);
    }
  }
  CHECK(saw_poor);  // the cold start: HDOP 3.5, gpsd's 66.5 m
  CHECK(saw_good);  // open sky: HDOP 0.4, 7.6 m
  CHECK(saw_loss);
  CHECK(saw_regain);
  CHECK(regain_accuracy == doctest::Approx(30.4).epsilon(0.01));  // regained at HDOP 1.6
  CHECK(most_used == 10);
  CHECK(most_visible == 12);
  const LocationStatus last = loc->Current();
  CHECK(last.available);
  CHECK(last.last_fix.accuracy_m == doctest::Approx(7.6).epsilon(0.01));
  CHECK(last.source == "gpsd 127.0.0.1:" + port);
}

TEST_CASE("gpsd location: gpsd going away is reported as unavailable, not as an old position") {
  const std::string gpsfake = FindGpsfake();
  if (gpsfake.empty()) return SkipNoGpsfake();
  testing::TempDir dir;
  const std::string port = FreePort();
  GpsdOptions o;
  o.port = port;
  o.reconnect_ms = 100;
  std::unique_ptr<Location> loc = NewGpsdLocation(o);
  Reports reports;
  loc->SetListener([&](const LocationStatus& s) { reports.Add(s); });
  {
    Gpsfake fake(gpsfake, port, kWalk, dir.File("gpsfake.log"));
    loc->Start();
    REQUIRE(testing::WaitFor([&] { return loc->Current().latest.has_fix; }, 60'000));
  }  // gpsfake and its gpsd are killed here
  REQUIRE(testing::WaitFor([&] { return !loc->Current().available; }, 10'000));
  const LocationStatus s = loc->Current();
  CHECK_FALSE(s.latest.has_fix);
  CHECK(s.last_fix.has_fix);  // still known, with its age
  CHECK_FALSE(s.unavailable_reason.empty());
}

TEST_CASE("location: the unavailable one says why and never has a fix") {
  std::unique_ptr<Location> loc = NewUnavailableLocation("This device has no GPS.");
  loc->Start();
  const LocationStatus s = loc->Current();
  CHECK_FALSE(s.available);
  CHECK(s.unavailable_reason == "This device has no GPS.");
  CHECK_FALSE(s.latest.has_fix);
  loc->Stop();
}

TEST_CASE("location: the fake reports what the test pushes, stamped with the env's clock") {
  testing::TempDir dir;
  FakeEnv env(dir.path());
  FakeLocation loc(&env);
  int calls = 0;
  loc.SetListener([&](const LocationStatus&) { ++calls; });
  loc.Start();
  CHECK(loc.started());
  loc.PushFix(-6.79, 39.24, 12.5, 7);
  LocationStatus s = loc.Current();
  CHECK(s.latest.has_fix);
  CHECK(s.latest.accuracy_m == 12.5);
  CHECK(s.latest.satellites_used == 7);
  CHECK(s.latest.received_mono_ms == env.MonoNanos() / 1'000'000);
  env.Advance(3000);
  loc.PushNoFix(5);
  s = loc.Current();
  CHECK_FALSE(s.latest.has_fix);
  CHECK(s.last_fix.has_fix);
  CHECK(s.latest.received_mono_ms - s.last_fix.received_mono_ms == 3000);
  loc.SetAvailable(false, "gone");
  CHECK_FALSE(loc.Current().available);
  CHECK(loc.Current().unavailable_reason == "gone");
  CHECK(calls == 3);
  CHECK(loc.Current().reports == 3);
}

TEST_CASE("location: gpsd addresses are read as HOST:PORT") {
  GpsdOptions o;
  std::string error;
  REQUIRE(ParseGpsdAddress("127.0.0.1:2948", &o, &error));
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == "2948");
  REQUIRE(ParseGpsdAddress("gps.local", &o, &error));
  CHECK(o.host == "gps.local");
  CHECK(o.port == "2947");
  REQUIRE(ParseGpsdAddress("[::1]:3000", &o, &error));
  CHECK(o.host == "::1");
  CHECK(o.port == "3000");
  for (const char* bad : {"", ":2947", "host:", "host:70000", "host:abc", "::1:2947", "[::1"}) {
    error.clear();
    CHECK_FALSE(ParseGpsdAddress(bad, &o, &error));
    CHECK(error.find("is not a gpsd address") != std::string::npos);
  }
}

}  // namespace
}  // namespace ccfield
