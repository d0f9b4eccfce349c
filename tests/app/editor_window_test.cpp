// The editor in the real window (the ccfield binary under the test's Xvfb):
// a restored draft is tapped field after field, like a finger does it (press
// where the field was drawn, no hovering first), and every tap must land on
// the field aimed at: the script checks the focused widget after each tap,
// and the draft read back from the store must hold each text in its own field.
// And at 200 % text the navigation wraps, so Settings stays reachable.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "app_process.h"
#include "app_test_util.h"
#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"

namespace ccfield::testing {
namespace {

// Screenshots go away with the test's folder; with CCFIELD_TEST_SHOTS=DIR set
// they are copied there to be looked at.
void KeepShot(const std::string& path) {
  const char* keep = std::getenv("CCFIELD_TEST_SHOTS");
  if (!keep || !std::filesystem::exists(path)) return;
  std::error_code ec;
  std::filesystem::copy_file(path, std::filesystem::path(keep) / std::filesystem::path(path).filename(),
                             std::filesystem::copy_options::overwrite_existing, ec);
}

// Starts the app once on an empty folder so it creates its store with the demo data.
void FirstStart(const TempDir& dir, const std::string& data) {
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "first.txt", {"expect Home", "quit"})),
                 dir.File("first"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
}

}  // namespace

TEST_CASE("app window: taps on a restored draft land on the fields aimed at") {
  TempDir dir;
  const std::string data = dir.File("data");
  FirstStart(dir, data);

  // A crash-saved draft of a new drainage visit, as the editor writes it
  // (ui/app/editor.cpp), last typed in the notes: the app reopens it at start.
  std::string visit_id, site_id;
  {
    std::unique_ptr<Store> store = OpenAppStore(data);
    ListQuery q;
    q.type = RecordType::kSite;
    q.limit = 1;
    Result<std::vector<Record>> sites = store->List(q);
    REQUIRE(sites.ok());
    REQUIRE(!sites->empty());
    site_id = sites->front().id;
    FakeEnv env(dir.path());
    visit_id = NewUuid(&env);
    nlohmann::json values = {{"site_id", site_id},
                             {"form", "drainage_flood@1.0"},
                             {"status", "draft"},
                             {"started_at", "2026-11-20T09:15:00+03:00"},
                             {"answers", {{"asset_type", "culvert"}, {"depth_m", 0.4}}},
                             {"notes", "Water backs up into the lane"}};
    REQUIRE(store
                ->drafts().Save("visit:" + visit_id, {{"visit_id", visit_id},
                                                  {"is_new", true},
                                                  {"values", values},
                                                  {"site_name", sites->front().Title()},
                                                  {"last_field", "notes"}})
                .ok());
  }

  const std::vector<std::string> script = {
      // Restored: the editor holds unsaved edits, the notice says so.
      "expect Discard changes", "expect Dismiss", "shot " + dir.File("restored.png"),
      // Each tap presses where the field was drawn on the last frame.
      "tap Notes", "expect_focus Notes", "type , still rising",
      "tap number:gps_lat", "expect_focus number:gps_lat", "type -6.7959",
      "tap number:gps_lon", "expect_focus number:gps_lon", "type 39.2469",
      // Out of sight above: scrolled to with the wheel, then tapped.
      "tap number:answers.width_m", "expect_focus number:answers.width_m", "type 1,5",
      "tap Dismiss",
      "tap Notes", "expect_focus Notes", "type .",
      "shot " + dir.File("tapped.png"), "quit"};
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "taps.txt", script)), dir.File("taps"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  CHECK(LoadPng(dir.File("restored.png")));
  CHECK(LoadPng(dir.File("tapped.png")));
  KeepShot(dir.File("restored.png"));
  KeepShot(dir.File("tapped.png"));

  // What each tap typed is in the field it aimed at, and nowhere else.
  std::unique_ptr<Store> store = OpenAppStore(data);
  Result<std::vector<Draft>> drafts = store->drafts().List();
  REQUIRE(drafts.ok());
  REQUIRE(drafts->size() == 1);
  const nlohmann::json& v = drafts->front().body["values"];
  CHECK(v["notes"] == "Water backs up into the lane, still rising.");
  CHECK(v["gps_lat"] == -6.7959);
  CHECK(v["gps_lon"] == 39.2469);
  CHECK(v["answers"]["width_m"] == 1.5);
  CHECK(v["answers"]["depth_m"] == 0.4);
  CHECK(v["answers"]["asset_type"] == "culvert");
  CHECK(v["site_id"] == site_id);
}

TEST_CASE("app window: at 200 % text the navigation wraps and Settings stays reachable") {
  TempDir dir;
  const std::string data = dir.File("data");
  std::filesystem::create_directories(data);
  std::ofstream(data + "/ui-settings.json") << R"({"language": "en", "text_scale": 2.0, "theme": "light"})";
  const std::vector<std::string> script = {"expect Home", "shot " + dir.File("nav200.png"), "tap Settings",
                                           "expect Server address", "shot " + dir.File("settings200.png"), "quit"};
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "big.txt", script)), dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  std::optional<Image> settings = LoadPng(dir.File("settings200.png"));
  REQUIRE(settings);
  CHECK(settings->width == kAppWidth);
  CHECK(Analyse(*settings).distinct_colours >= 100);
  KeepShot(dir.File("nav200.png"));
  KeepShot(dir.File("settings200.png"));
}

}  // namespace ccfield::testing
