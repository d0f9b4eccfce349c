// The app as a person sees it: the real ccfield binary opens its window on a
// fresh data folder (the demo data loads), a UI script walks every main
// screen and screenshots it, and the screenshots are decoded and judged:
// the window's size, not blank, the navigation bar on top (catches frames
// read back upside down), and each screen different from the others.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app_process.h"
#include "app_test_util.h"
#include "text/i18n.h"

namespace ccfield::testing {
namespace {

// One stop of the tour: the steps that reach the screen, then a screenshot.
struct Stop {
  std::string name;
  std::vector<std::string> steps;
};

const std::vector<Stop> kTour = {
    {"home", {"expect Home"}},
    // A site selected: the map with its marker and the site's details.
    {"sites", {"click Sites", "click Mto Ng'ombe channel", "expect Site history"}},
    {"visits", {"click Visits", "expect Search visits", "expect row:"}},
    // The newest visit from the list, in the editor.
    {"editor", {"click row:", "expect Save as complete"}},
    {"library", {"click Close", "click Projects & practices", "expect Search good practices"}},
    {"conflicts", {"click Conflicts"}},
    {"sync", {"click Sync", "expect Sync now"}},
    {"settings", {"click Settings", "expect Server address"}},
    // Issue 9: the site form, and the new-visit flow's site picker (nearest first).
    {"site_form", {"click Sites", "click New site", "expect Site name", "click Site name", "type Pump house"}},
    {"new_visit", {"click Home", "click New visit", "expect A place not in the list"}},
};

void TourMainScreens(const std::string& renderer, const std::map<std::string, std::string>& env = {}) {
  TempDir dir;
  std::vector<std::string> script;
  for (const Stop& stop : kTour) {
    script.insert(script.end(), stop.steps.begin(), stop.steps.end());
    script.push_back("shot " + dir.File(stop.name + ".png"));
  }
  script.push_back("quit");

  AppProcess app(kAppBinary, WindowArgs(dir.File("data"), renderer, WriteScript(dir, "tour.txt", script)),
                 dir.File("app"), env);
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  // The app prefixes its own complaints (a missing font, a failed draft
  // save) with "ccfield:"; a clean tour has none.
  CHECK_MESSAGE(app.Stderr().find("ccfield:") == std::string::npos, app.Stderr());

  if (const char* keep = std::getenv("CCFIELD_SHOTS")) {  // kept for a person to look at
    for (const Stop& stop : kTour) {
      std::error_code ec;
      std::filesystem::copy_file(dir.File(stop.name + ".png"), std::string(keep) + "/" + renderer + "_" + stop.name + ".png",
                                 std::filesystem::copy_options::overwrite_existing, ec);
    }
  }
  std::vector<std::pair<std::string, Image>> shots;
  for (const Stop& stop : kTour) {
    CAPTURE(stop.name);
    std::optional<Image> image = LoadPng(dir.File(stop.name + ".png"));
    REQUIRE_MESSAGE(image, "no decodable screenshot ", dir.File(stop.name + ".png"));
    CHECK(image->width == kAppWidth);
    CHECK(image->height == kAppHeight);
    const ImageStats s = Analyse(*image);
    char background[8];
    std::snprintf(background, sizeof background, "#%06x", s.background);
    INFO("distinct colours ", s.distinct_colours, ", background ", background, ", content share ", s.content_share,
         ", top band content share ", s.top_band_content_share);
    // Measured with both renderers: 590-1000 colours (anti-aliased text in
    // several scripts, rounded buttons); a blank frame has one or two.
    CHECK(s.distinct_colours >= 200);
    // The emptiest screens (Conflicts, Sync) have ~4.5% content, the map 50%.
    CHECK(s.content_share >= 0.02);
    // The navigation buttons fill ~40% of the top 60 rows of every screen;
    // a frame read back upside down would put the (empty) bottom there.
    CHECK(s.top_band_content_share >= 0.2);
    shots.emplace_back(stop.name, std::move(*image));
  }
  // Every screen looks different from every other one (the two emptiest,
  // Conflicts and Sync, differ in ~2% of pixels: heading, text and the
  // highlighted navigation button; most pairs in 10-50%).
  for (size_t i = 0; i < shots.size(); ++i) {
    for (size_t j = i + 1; j < shots.size(); ++j) {
      const double share = DifferentShare(shots[i].second, shots[j].second);
      CHECK_MESSAGE(share >= 0.008, shots[i].first, " and ", shots[j].first, " differ in only ", share * 100,
                    "% of pixels");
    }
  }
}

// A data directory under `dir` whose window starts in Arabic.
void ArabicDataDir(const TempDir& dir) {
  std::filesystem::create_directories(dir.File("data"));
  std::FILE* f = std::fopen(dir.File("data/ui-settings.json").c_str(), "w");
  REQUIRE(f);
  std::fputs("{\"language\": \"ar\"}\n", f);
  std::fclose(f);
}

}  // namespace

TEST_CASE("app window: in Arabic, Home shows the visits by state and the site form is laid out right to left") {
  TempDir dir;
  ArabicDataDir(dir);
  // Labels as the window draws them: translated, shaped and in display order.
  REQUIRE(ui::SetLanguage("ar").empty());
  const std::vector<std::string> script = {"expect " + std::string(ui::tr("New visit")),
                                           "shot " + dir.File("home_ar.png"),
                                           "click " + std::string(ui::tr("Sites")),
                                           "click " + std::string(ui::tr("New site")),
                                           "expect " + std::string(ui::tr("Site name")),
                                           "shot " + dir.File("site_form_ar.png"),
                                           "quit"};
  (void)ui::SetLanguage("en");
  AppProcess app(kAppBinary, WindowArgs(dir.File("data"), "software", WriteScript(dir, "ar.txt", script)),
                 dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  std::optional<Image> home = LoadPng(dir.File("home_ar.png")), form = LoadPng(dir.File("site_form_ar.png"));
  REQUIRE(home);
  REQUIRE(form);
  CHECK(Analyse(*home).distinct_colours >= 200);
  CHECK(DifferentShare(*home, *form) >= 0.05);
  // Kept for a person to look at (CCFIELD_SHOTS=dir).
  if (const char* keep = std::getenv("CCFIELD_SHOTS")) {
    for (const char* name : {"home_ar.png", "site_form_ar.png"}) {
      std::error_code ec;
      std::filesystem::copy_file(dir.File(name), std::string(keep) + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing, ec);
    }
  }
}

TEST_CASE(
    "app window: starts on the demo data, shows the main screens, screenshots are not blank, exits cleanly "
    "(software renderer)") {
  TourMainScreens("software");
}

TEST_CASE(
    "app window: starts on the demo data, shows the main screens, screenshots are not blank, exits cleanly "
    "(OpenGL 3)") {
  // Xvfb has no GPU: Mesa's llvmpipe draws.
  TourMainScreens("opengl3", {{"LIBGL_ALWAYS_SOFTWARE", "1"}});
}

TEST_CASE("app window: a script names Arabic buttons as a person reads them (logical order), and they are found") {
  TempDir dir;
  ArabicDataDir(dir);
  // As typed from data/i18n/ar.json ("Sites", "New site", "Site name"): the
  // window draws them shaped and in display order, which differs.
  const std::vector<std::string> script = {"click المواقع", "click موقع جديد", "expect اسم الموقع",
                                           "shot " + dir.File("site_form_ar.png"), "quit"};
  AppProcess app(kAppBinary, WindowArgs(dir.File("data"), "software", WriteScript(dir, "ar_logical.txt", script)),
                 dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  CHECK(LoadPng(dir.File("site_form_ar.png")).has_value());
}

TEST_CASE("app window: a malformed script exits with code 2 and names the line") {
  TempDir dir;
  {
    AppProcess app(
        kAppBinary,
        WindowArgs(dir.File("data"), "software", WriteScript(dir, "bad.txt", {"expect Home", "frobnicate Sites"})),
        dir.File("bad"));
    ExitStatus exit = app.Wait(kAppTimeout);
    CHECK_MESSAGE((exit.exited && exit.code == 2), app.Describe());
    CHECK_MESSAGE(app.Stderr().find("script line 2: unknown step") != std::string::npos, app.Stderr());
  }
  {
    AppProcess app(kAppBinary, WindowArgs(dir.File("data"), "software", WriteScript(dir, "num.txt", {"wait soon"})),
                   dir.File("num"));
    ExitStatus exit = app.Wait(kAppTimeout);
    CHECK_MESSAGE((exit.exited && exit.code == 2), app.Describe());
    CHECK_MESSAGE(app.Stderr().find("script line 1: bad number") != std::string::npos, app.Stderr());
  }
  {
    AppProcess app(kAppBinary, WindowArgs(dir.File("data"), "software", dir.File("missing.txt")), dir.File("missing"));
    ExitStatus exit = app.Wait(kAppTimeout);
    CHECK_MESSAGE((exit.exited && exit.code == 2), app.Describe());
    CHECK_MESSAGE(app.Stderr().find("cannot read " + dir.File("missing.txt")) != std::string::npos, app.Stderr());
  }
  // The script is checked before anything else: no window, no data folder.
  CHECK_FALSE(std::filesystem::exists(dir.File("data")));
}

TEST_CASE("app window: clicking a missing label exits with code 3 and names the label") {
  TempDir dir;
  AppProcess app(kAppBinary,
                 WindowArgs(dir.File("data"), "software",
                            WriteScript(dir, "missing.txt", {"click Sites", "click No such button", "quit"})),
                 dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  CHECK_MESSAGE((exit.exited && exit.code == 3), app.Describe());
  CHECK_MESSAGE(app.Stderr().find("no widget labelled \"No such button\"") != std::string::npos, app.Stderr());
}

}  // namespace ccfield::testing
