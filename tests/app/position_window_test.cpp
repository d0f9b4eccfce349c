// "Use my position" in the real window (issue 13): the ccfield binary under
// the test's Xvfb, with `--gpsd` pointing at gpsfake replaying the shipped
// walk (tests/data/gps/walk.nmea) over and over. The visit editor waits for a
// fix of 10 m, takes it, and the saved visit has the GPS position with its
// source and accuracy; the screenshot is kept with CCFIELD_TEST_SHOTS=DIR.
// Without gpsd (nothing on the port) the position section says so plainly.
// Without gpsfake the first test says so and ctest marks it skipped.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "app_process.h"
#include "app_test_util.h"

namespace ccfield::testing {
namespace {

const char* const kWalk = CCFIELD_SOURCE_DIR "/tests/data/gps/walk.nmea";

void KeepShot(const std::string& path) {
  const char* keep = std::getenv("CCFIELD_TEST_SHOTS");
  if (!keep || !std::filesystem::exists(path)) return;
  std::error_code ec;
  std::filesystem::copy_file(path, std::filesystem::path(keep) / std::filesystem::path(path).filename(),
                             std::filesystem::copy_options::overwrite_existing, ec);
}

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

// Opens a new drainage visit on the demo's footbridge site (the walk ends there).
std::vector<std::string> OpenVisitSteps() {
  return {"expect Home", "click Sites",
          "wait 300",    "click Mto Ng'ombe channel",
          "wait 300",    "click Drainage & flood hotspot inspection",
          "wait 300",    "expect Use my position"};
}

TEST_CASE("position window: Use my position takes gpsd's fix from the replayed walk and saves it") {
  if (access("/usr/bin/gpsfake", X_OK) != 0) {
    std::printf("SKIPPED: gpsfake is not installed (Debian package gpsd-clients; scripts/install-deps.sh)\n");
    return;
  }
  TempDir dir;
  const std::string data = dir.File("data"), shot = dir.File("position_taken.png");
  const std::string port = FreePort();
  // gpsfake in a process group of its own; the log loops (no -1), 50 ms between sentences.
  const pid_t fake = fork();
  REQUIRE(fake >= 0);
  if (fake == 0) {
    setpgid(0, 0);
    const int fd = open(dir.File("gpsfake.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execl("/usr/bin/gpsfake", "gpsfake", "-q", "-c", "0.05", "-P", port.c_str(), kWalk, nullptr);
    _exit(127);
  }
  setpgid(fake, fake);
  struct KillFake {
    pid_t pid;
    ~KillFake() {
      kill(-pid, SIGTERM);
      int st = 0;
      waitpid(pid, &st, 0);
      std::error_code ec;
      std::filesystem::remove("/tmp/gpsfake-" + std::to_string(pid) + ".sock", ec);
    }
  } kill_fake{fake};

  // The walk loops about every 14 s; within 20 s a fresh fix of 10 m or better comes.
  std::vector<std::string> steps = OpenVisitSteps();
  for (const std::string& s :
       {std::string("click Use my position"), std::string("wait 20000"), std::string("expect position source"),
        "shot " + shot, std::string("click Save"), std::string("wait 500"), std::string("quit")}) {
    steps.push_back(s);
  }
  std::vector<std::string> args = WindowArgs(data, "software", WriteScript(dir, "gps.txt", steps));
  args.push_back("--gpsd");
  args.push_back("127.0.0.1:" + port);
  AppProcess app(kAppBinary, args, dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  KeepShot(shot);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());

  std::optional<Image> png = LoadPng(shot);
  REQUIRE(png);
  CHECK(Analyse(*png).content_share > 0.01);
  // The visit just saved: the newest one (the demo's are older), read from the file as written.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((data + "/ccfield.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT gps_source, gps_accuracy_m, gps_lat, gps_lon FROM visits "
                             "ORDER BY started_at DESC LIMIT 1",
                             -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const unsigned char* source = sqlite3_column_text(st, 0);
  CHECK(std::string(source ? reinterpret_cast<const char*>(source) : "") == "gps");
  CHECK(sqlite3_column_double(st, 1) > 0);
  CHECK(sqlite3_column_double(st, 1) <= 10);                        // the form's default threshold
  CHECK(std::abs(sqlite3_column_double(st, 2) - -6.7958) < 0.002);  // on the walk, near the site
  CHECK(std::abs(sqlite3_column_double(st, 3) - 39.2469) < 0.002);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_CASE("position window: without gpsd the position section says so plainly") {
  TempDir dir;
  const std::string data = dir.File("data"), shot = dir.File("position_no_gpsd.png");
  std::vector<std::string> steps = OpenVisitSteps();
  for (const std::string& s :
       {std::string("click Use my position"), std::string("wait 1500"), std::string("expect position unavailable"),
        std::string("wheel Pick on the map -1.5"), std::string("wait 300"), "shot " + shot, std::string("quit")}) {
    steps.push_back(s);
  }
  std::vector<std::string> args = WindowArgs(data, "software", WriteScript(dir, "nogps.txt", steps));
  args.push_back("--gpsd");
  args.push_back("127.0.0.1:" + FreePort());
  AppProcess app(kAppBinary, args, dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  KeepShot(shot);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  std::optional<Image> png = LoadPng(shot);
  REQUIRE(png);
}

}  // namespace
}  // namespace ccfield::testing
