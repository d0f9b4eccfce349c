// Photos in the real window (the ccfield binary under the test's Xvfb): a
// JPEG file dropped on the window (an SDL_DROPFILE event pushed through SDL,
// as the desktop sends it) is attached to the visit open in the editor; its
// thumbnail shows in the strip with its state (the photo's colour is looked
// for in the screenshot); the viewer opens full size, zooms with the wheel and
// closes with Esc. A drop with no visit open attaches nothing. Both renderers:
// their texture code differs (SDL_UpdateTexture, glTexImage2D).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "app_process.h"
#include "app_test_util.h"
#include "ccfield/core/store.h"
#include "ccfield/core/uuid.h"
#include "ccfield/platform/env.h"
#include "support/store_fixture.h"
#include "support/test_photos.h"
#include "text/i18n.h"

namespace ccfield::testing {
namespace {

// The test photo: quadrants of pure red, blue and green (and white), colours
// no theme, button or badge of the window uses.
std::string QuadrantJpeg(int width, int height) {
  TestJpegOptions o = JpegOfSize(width, height);
  o.content = TestContent::kQuadrants;
  return MakeTestJpeg(o);
}

bool Near(uint32_t c, uint32_t want) {
  for (int shift : {16, 8, 0}) {
    const int d = static_cast<int>((c >> shift) & 255) - static_cast<int>((want >> shift) & 255);
    if (std::abs(d) > 24) return false;
  }
  return true;
}

// Pixels of the photo's red, blue and green quadrants.
size_t PhotoPixels(const Image& image) {
  size_t n = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const uint32_t c = image.Rgb(x, y);
      if (Near(c, 0xff0000) || Near(c, 0x0000ff) || Near(c, 0x00ff00)) ++n;
    }
  }
  return n;
}

void KeepShot(const std::string& path, const std::string& renderer) {
  const char* keep = std::getenv("CCFIELD_TEST_SHOTS");
  if (!keep || !std::filesystem::exists(path)) return;
  std::error_code ec;
  std::filesystem::copy_file(
      path, std::filesystem::path(keep) / (renderer + "_" + std::filesystem::path(path).filename().string()),
      std::filesystem::copy_options::overwrite_existing, ec);
}

size_t ShotPixels(const TempDir& dir, const std::string& name, const std::string& renderer) {
  KeepShot(dir.File(name), renderer);
  std::optional<Image> image = LoadPng(dir.File(name));
  REQUIRE_MESSAGE(image, name);
  CHECK(image->width == kAppWidth);
  CHECK(image->height == kAppHeight);
  return PhotoPixels(*image);
}

// Starts the app once so it creates its store (with the demo data), then adds
// a visit in a real workspace (demo photos never leave the device), newer
// than the demo visits: the first row of Visits.
std::string PrepareStore(const TempDir& dir, const std::string& data) {
  AppProcess first(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "first.txt", {"expect Home", "quit"})),
                   dir.File("first"));
  ExitStatus exit = first.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), first.Describe());
  std::unique_ptr<Store> store = OpenAppStore(data);
  FakeEnv env(dir.path());
  // Newer than the demo visits: the first row of Visits.
  const testing::Seeded seeded = testing::SeedSite(store.get(), &env);
  const std::string visit =
      testing::AddVisit(store.get(), &env, seeded.site_id, {{"started_at", "2026-12-06T09:00:00+03:00"}});
  return visit;
}

void DropAndView(const std::string& renderer, const std::map<std::string, std::string>& env = {}) {
  TempDir dir;
  const std::string data = dir.File("data");
  const std::string visit = PrepareStore(dir, data);
  const std::string photo = dir.File("IMG_2041.jpg");
  {
    std::ofstream out(photo, std::ios::binary);
    out << QuadrantJpeg(800, 600);
  }
  const std::vector<std::string> script = {
      "expect Home",
      // Nothing open: nothing is attached (the notice says to open a visit).
      "drop " + photo, "wait 200",
      // The newest visit in the editor, then the file dropped on the window.
      "click Visits", "click row:", "expect Save as complete", "drop " + photo, "wait 300", "expect photo 1",
      "expect photo state:waiting",
      // Scroll the strip into view (a click scrolls to its target), then leave the box.
      "click caption 1", "key escape", "wait 500", "shot " + dir.File("strip.png"),
      // The viewer: fitted, then zoomed around the pointer, then closed with Esc.
      "click photo 1", "expect viewer photo", "wait 500", "shot " + dir.File("viewer.png"), "wheel viewer photo 3",
      "wait 200", "shot " + dir.File("zoomed.png"), "key escape", "wait 100", "expect Add photos…",
      "shot " + dir.File("closed.png"), "quit"};
  AppProcess app(kAppBinary, WindowArgs(data, renderer, WriteScript(dir, "photos.txt", script)), dir.File("app"), env);
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  CHECK_MESSAGE(app.Stderr().find("ccfield:") == std::string::npos, app.Stderr());

  // The thumbnail (126 x 94 px, three quarters of them red, blue or green) is in the strip.
  const size_t strip = ShotPixels(dir, "strip.png", renderer);
  CHECK(strip > 5000);
  CHECK(strip < 12000);
  // The viewer shows it large; zoomed in, it covers more of the window.
  const size_t viewer = ShotPixels(dir, "viewer.png", renderer);
  CHECK(viewer > 150000);
  const size_t zoomed = ShotPixels(dir, "zoomed.png", renderer);
  CHECK(zoomed > viewer + viewer / 10);
  // Closed: the strip again.
  const size_t closed = ShotPixels(dir, "closed.png", renderer);
  CHECK(closed > 5000);
  CHECK(closed < 12000);

  // One photo in the store (the drop on Home attached nothing), on a visit.
  std::unique_ptr<Store> store = OpenAppStore(data);
  ListQuery q;
  q.type = RecordType::kPhoto;
  q.limit = 10;
  Result<std::vector<Record>> photos = store->List(q);
  REQUIRE(photos.ok());
  REQUIRE(photos->size() == 1);
  const Record& p = photos->front();
  CHECK(p.Get("file_name") == "IMG_2041.jpg");
  CHECK(p.Get("width") == 800);
  CHECK(p.Get("visit_id") == visit);
}

}  // namespace

TEST_CASE("app window: a dropped photo shows in the strip and the viewer (software renderer)") {
  DropAndView("software");
}

TEST_CASE("app window: a dropped photo shows in the strip and the viewer (OpenGL 3)") {
  DropAndView("opengl3", {{"LIBGL_ALWAYS_SOFTWARE", "1"}});
}

TEST_CASE("app window: in Arabic, a demo visit's dropped photo shows with its state in the strip") {
  TempDir dir;
  std::filesystem::create_directories(dir.File("data"));
  {
    std::ofstream settings(dir.File("data/ui-settings.json"));
    settings << "{\"language\": \"ar\"}\n";
    std::ofstream out(dir.File("IMG_7.jpg"), std::ios::binary);
    out << QuadrantJpeg(600, 800);
  }
  // Labels as the window draws them: translated, shaped and in display order.
  REQUIRE(ui::SetLanguage("ar").empty());
  const std::vector<std::string> script = {"expect " + std::string(ui::tr("New visit")),
                                           "click " + std::string(ui::tr("Visits")),
                                           "click row:",
                                           "expect " + std::string(ui::tr("Save as complete")),
                                           "drop " + dir.File("IMG_7.jpg"),
                                           "wait 300",
                                           "expect photo state:" + std::string(ui::tr("demo: kept on this device")),
                                           "click caption 1",
                                           "key escape",
                                           "wait 500",
                                           "shot " + dir.File("strip_ar.png"),
                                           "quit"};
  (void)ui::SetLanguage("en");
  AppProcess app(kAppBinary, WindowArgs(dir.File("data"), "software", WriteScript(dir, "ar.txt", script)),
                 dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  // A portrait photo in its 126 px box: 94 x 126 px, three quarters red, blue or green.
  const size_t strip = ShotPixels(dir, "strip_ar.png", "software");
  CHECK(strip > 5000);
  CHECK(strip < 12000);
}

}  // namespace ccfield::testing
