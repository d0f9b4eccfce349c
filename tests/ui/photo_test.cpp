// Photos in the App (issue 12), without a window: real JPEG files attached to
// a visit or a site become photo records with their states; files that are
// not usable photos are named in the message and nothing is committed;
// delete/restore and captions are ordinary commits; the picker lists the
// places and folders; a drop with nothing open says what to do.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "ccfield/core/blob_files.h"
#include "support/store_fixture.h"
#include "support/test_photos.h"
#include "text/bidi.h"
#include "text/i18n.h"
#include "ui/app_fixture.h"
#include "views/widgets.h"

namespace ccfield::view_test {
namespace {

// A test photo: four quadrants, red, blue, green and white (support/test_photos.h).
std::string Jpeg(int width, int height) {
  testing::TestJpegOptions o = testing::JpegOfSize(width, height);
  o.content = testing::TestContent::kQuadrants;
  return testing::MakeTestJpeg(o);
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  REQUIRE(out.good());
}

int64_t LastSeq(Store* store) {
  auto all = Unwrap(store->ChangesAfter(0, std::numeric_limits<int>::max()));
  return all.empty() ? 0 : all.back().seq;
}

void OpenVisit(AppFixture& fx, const std::string& id) {
  fx.app->Apply(app::OpenVisit{id});
  REQUIRE(fx.app->state().screen == app::Screen::kEditor);
  REQUIRE(fx.app->state().photos.parent_id == id);
}

// Opens a visit of the demo data in the editor.
std::string OpenFirstVisit(AppFixture& fx) {
  const std::vector<std::string> demo = Unwrap(fx.store()->DemoWorkspaceIds());
  ListQuery q;
  q.type = RecordType::kVisit;
  q.limit = 100;
  for (const Record& v : Unwrap(fx.store()->List(q))) {
    if (std::find(demo.begin(), demo.end(), v.Get("workspace_id")) == demo.end()) continue;
    OpenVisit(fx, v.id);
    return v.id;
  }
  FAIL("no demo visit");
  return "";
}

// A visit in a real workspace (demo photos never leave the device), opened in the editor.
std::string OpenRealVisit(AppFixture& fx) {
  // Newer than the demo visits: the first row of Visits.
  const testing::Seeded seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string visit =
      testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"started_at", "2026-12-06T09:00:00+03:00"}});
  OpenVisit(fx, visit);
  return visit;
}

std::vector<std::string> MessageLines(const std::string& message) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = message.find('\n', start)) != std::string::npos; start = nl + 1) {
    out.push_back(message.substr(start, nl - start));
  }
  out.push_back(message.substr(start));
  return out;
}

bool Logged(const std::string& label) {
  for (const auto& item : views::LastFrameItems()) {
    if (item.label == label) return true;
  }
  return false;
}

TEST_CASE("photos: JPEG files attached to the open visit become photo rows with their states") {
  AppFixture fx;
  const std::string visit = OpenRealVisit(fx);
  const std::string a = fx.dir.File("in/IMG_0001.jpg"), b = fx.dir.File("in/IMG_0002.jpg");
  WriteFile(a, Jpeg(640, 480));
  WriteFile(b, Jpeg(300, 900));

  fx.app->Apply(app::AttachPhotos{{a, b}});
  const app::AppState& s = fx.app->state();
  CHECK(s.message == "2 photos attached.");
  CHECK_FALSE(s.message_is_error);
  REQUIRE(s.photos.items.size() == 2);
  // Attached in the same instant: in either order.
  const bool in_order = s.photos.items[0].file_name == "IMG_0001.jpg";
  const app::PhotoItem& first = s.photos.items[in_order ? 0 : 1];
  const app::PhotoItem& second = s.photos.items[in_order ? 1 : 0];
  CHECK(first.file_name == "IMG_0001.jpg");
  CHECK(second.file_name == "IMG_0002.jpg");
  CHECK(first.width == 640);
  CHECK(first.height == 480);
  CHECK(second.width == 300);
  CHECK(second.height == 900);
  CHECK(first.have_thumb);
  CHECK(first.have_full);
  CHECK_FALSE(first.deleted);
  CHECK(IsBlobHash(first.thumb));
  CHECK(IsBlobHash(first.blob));
  // Taken here, nothing on a server yet.
  CHECK(first.state == PhotoState::kWaiting);
  CHECK(first.state_text == "waiting");
  CHECK_FALSE(first.can_download);

  // The records are in the store, under the visit, with their bytes.
  BlobFiles blobs(&fx.env, fx.store()->photos().BlobDir());
  auto rows = Unwrap(fx.store()->photos().Of(visit, false, blobs));
  REQUIRE(rows.size() == 2);
  CHECK(rows[in_order ? 0 : 1].record.id == first.id);
  CHECK(rows[0].record.Get("visit_id") == visit);
  CHECK(rows[1].record.Get("visit_id") == visit);
  CHECK(blobs.Has(first.thumb));
  CHECK(Unwrap(blobs.Read(first.blob)).substr(0, 2) == "\xFF\xD8");

  // A photo of demo data never leaves the device, and says so.
  OpenFirstVisit(fx);
  fx.app->Apply(app::AttachPhotos{{a}});
  REQUIRE(s.photos.items.size() == 1);
  CHECK(s.photos.items[0].state_text == "demo: kept on this device");
  CHECK_FALSE(s.photos.items[0].can_send_now);
}

TEST_CASE("photos: the workspace's photo size (from the server) is the long edge of what is attached next") {
  AppFixture fx;
  OpenRealVisit(fx);
  const std::string path = fx.dir.File("in/IMG_0003.jpg");
  WriteFile(path, Jpeg(2000, 1500));
  const std::string ws = Unwrap(fx.store()->Get(RecordType::kVisit, fx.app->state().photos.parent_id)).Get("workspace_id");
  REQUIRE_OK(fx.store()->photos().SetLongEdge(ws, 800));
  fx.app->Apply(app::AttachPhotos{{path}});
  REQUIRE(fx.app->state().photos.items.size() == 1);
  CHECK(fx.app->state().photos.items[0].width == 800);
  CHECK(fx.app->state().photos.items[0].height == 600);
}

TEST_CASE("photos: a file that is not a usable photo is named in the message and nothing is committed") {
  AppFixture fx;
  const std::string visit = OpenFirstVisit(fx);
  const std::string heic = fx.dir.File("in/IMG_2041.HEIC"), text = fx.dir.File("in/notes.txt");
  const std::string cut = fx.dir.File("in/cut.jpg");
  WriteFile(heic, std::string("\0\0\0\x18"
                              "ftypheic",
                              12) +
                      std::string(500, 'x'));
  WriteFile(text, "Drain blocked at the corner\n");
  const std::string jpeg = Jpeg(640, 480);
  WriteFile(cut, jpeg.substr(0, jpeg.size() / 3));
  const int64_t seq = LastSeq(fx.store());

  fx.app->Apply(app::AttachPhotos{{heic, text, cut, fx.dir.File("in/missing.jpg")}});
  const app::AppState& s = fx.app->state();
  CHECK(s.message_is_error);
  const std::vector<std::string> lines = MessageLines(s.message);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].rfind("IMG_2041.HEIC: ", 0) == 0);
  CHECK(lines[1].rfind("notes.txt: ", 0) == 0);
  CHECK(lines[2].rfind("cut.jpg: ", 0) == 0);
  CHECK(lines[3].rfind("missing.jpg: ", 0) == 0);
  CHECK(s.photos.items.empty());
  CHECK(LastSeq(fx.store()) == seq);
  BlobFiles blobs(&fx.env, fx.store()->photos().BlobDir());
  CHECK(Unwrap(fx.store()->photos().Of(visit, true, blobs)).empty());

  // One good file among bad ones: it is attached, and the bad one is still named.
  const std::string good = fx.dir.File("in/good.jpg");
  WriteFile(good, jpeg);
  fx.app->Apply(app::AttachPhotos{{good, text}});
  CHECK(s.message_is_error);
  REQUIRE(MessageLines(s.message).size() == 2);
  CHECK(MessageLines(s.message)[0] == "1 photo attached.");
  CHECK(MessageLines(s.message)[1].rfind("notes.txt: ", 0) == 0);
  CHECK(s.photos.items.size() == 1);
}

TEST_CASE("photos: delete and restore are ordinary commits, and the caption is an ordinary edit") {
  AppFixture fx;
  OpenFirstVisit(fx);
  const std::string a = fx.dir.File("in/a.jpg");
  WriteFile(a, Jpeg(320, 240));
  fx.app->Apply(app::AttachPhotos{{a}});
  REQUIRE(fx.app->state().photos.items.size() == 1);
  const std::string id = fx.app->state().photos.items[0].id;

  int64_t seq = LastSeq(fx.store());
  fx.app->Apply(app::DeletePhoto{id});
  CHECK(fx.app->state().message == "Photo deleted. It can be restored under the photos.");
  REQUIRE(fx.app->state().photos.items.size() == 1);
  CHECK(fx.app->state().photos.items[0].deleted);
  CHECK(Unwrap(fx.store()->Get(RecordType::kPhoto, id)).deleted);
  CHECK(LastSeq(fx.store()) > seq);

  seq = LastSeq(fx.store());
  fx.app->Apply(app::RestorePhoto{id});
  CHECK(fx.app->state().message == "Photo restored.");
  CHECK_FALSE(fx.app->state().photos.items[0].deleted);
  CHECK_FALSE(Unwrap(fx.store()->Get(RecordType::kPhoto, id)).deleted);
  CHECK(LastSeq(fx.store()) > seq);

  fx.app->Apply(app::SetPhotoCaption{id, "  Culvert inlet, north side "});
  CHECK(Unwrap(fx.store()->Get(RecordType::kPhoto, id)).Get("caption") == "Culvert inlet, north side");
  CHECK(fx.app->state().photos.items[0].caption == "Culvert inlet, north side");
  seq = LastSeq(fx.store());
  fx.app->Apply(app::SetPhotoCaption{id, "Culvert inlet, north side"});  // unchanged: nothing written
  CHECK(LastSeq(fx.store()) == seq);
  fx.app->Apply(app::SetPhotoCaption{id, ""});
  CHECK(Unwrap(fx.store()->Get(RecordType::kPhoto, id)).Get("caption").is_null());
}

TEST_CASE("photos: files dropped with no visit or site open are not attached, and the message says what to do") {
  AppFixture fx;
  const std::string a = fx.dir.File("in/a.jpg");
  WriteFile(a, Jpeg(320, 240));
  REQUIRE(fx.app->state().screen == app::Screen::kHome);
  const int64_t seq = LastSeq(fx.store());
  fx.app->Apply(app::AttachPhotos{{a}});
  CHECK(fx.app->state().message == "Open a visit to attach photos.");
  CHECK(fx.app->state().message_is_error);
  CHECK(LastSeq(fx.store()) == seq);
  CHECK(Unwrap(fx.store()->Count(RecordType::kPhoto)) == 0);
}

TEST_CASE("photos: a site shown on Sites takes the photos, and a new visit is saved before its first photo") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const std::string a = fx.dir.File("in/a.jpg");
  WriteFile(a, Jpeg(320, 240));
  const app::SiteItem& site = StartVisit(fx, h);
  const std::string site_id = site.id;
  REQUIRE(fx.editor().is_new);
  const std::string visit = fx.editor().visit_id;
  fx.app->Apply(app::AttachPhotos{{a}});
  CHECK_FALSE(fx.editor().is_new);
  CHECK(Unwrap(fx.store()->Get(RecordType::kVisit, visit)).id == visit);
  REQUIRE(fx.app->state().photos.items.size() == 1);

  fx.app->Apply(app::OpenSite{site_id});
  CHECK(fx.app->state().photos.parent_type == RecordType::kSite);
  CHECK(fx.app->state().photos.parent_id == site_id);
  CHECK(fx.app->state().photos.items.empty());  // the visit's photo is the visit's
  fx.app->Apply(app::AttachPhotos{{a}});
  REQUIRE(fx.app->state().photos.items.size() == 1);
  const Record photo = Unwrap(fx.store()->Get(RecordType::kPhoto, fx.app->state().photos.items[0].id));
  CHECK(photo.Get("site_id") == site_id);
}

TEST_CASE("photos: the picker lists the places, folders and image files, and attaches the picked ones") {
  AppFixture fx;
  OpenFirstVisit(fx);
  const std::string home = fx.dir.File("home");
  WriteFile(home + "/Pictures/Trip/IMG_1.jpg", Jpeg(200, 100));
  WriteFile(home + "/Pictures/Trip/IMG_2.JPG", Jpeg(100, 200));
  WriteFile(home + "/Pictures/Trip/readme.txt", "not a photo");
  WriteFile(home + "/Pictures/Trip/.hidden.jpg", "hidden");
  WriteFile(home + "/Downloads/x.pdf", "pdf");
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  setenv("HOME", home.c_str(), 1);

  fx.app->Apply(app::OpenPhotoPicker{});
  const app::PhotoPickerState& p = fx.app->state().photos.picker;
  CHECK(p.open);
  REQUIRE(p.places.size() >= 2);
  CHECK(p.places[0].name == "Pictures");
  CHECK(p.places[0].path == home + "/Pictures");
  CHECK(p.places[1].name == "Downloads");  // no DCIM folder here
  fx.app->Apply(app::PickerOpenFolder{home + "/Pictures"});
  REQUIRE(p.entries.size() == 1);
  CHECK(p.entries[0].name == "Trip");
  CHECK(p.entries[0].folder);
  fx.app->Apply(app::PickerOpenFolder{home + "/Pictures/Trip"});
  REQUIRE(p.entries.size() == 2);
  CHECK(p.entries[0].name == "IMG_1.jpg");
  CHECK(p.entries[1].name == "IMG_2.JPG");
  fx.app->Apply(app::PickerToggle{p.entries[0].path});
  fx.app->Apply(app::PickerToggle{p.entries[1].path});
  fx.app->Apply(app::PickerToggle{p.entries[0].path});  // unpicked again
  fx.app->Apply(app::PickerToggle{p.entries[0].path});
  CHECK(p.selected == std::vector<std::string>{home + "/Pictures/Trip/IMG_2.JPG", home + "/Pictures/Trip/IMG_1.jpg"});
  fx.app->Apply(app::PickerAttach{});
  if (old_home) setenv("HOME", saved.c_str(), 1);
  CHECK_FALSE(fx.app->state().photos.picker.open);
  CHECK(fx.app->state().message == "2 photos attached.");
  REQUIRE(fx.app->state().photos.items.size() == 2);
  CHECK(fx.app->state().photos.items[0].file_name == "IMG_2.JPG");
}

TEST_CASE("photos: the photo settings are saved and read back, and the data use is shown") {
  AppFixture fx;
  PhotoSettings s;
  s.rule = PhotoRule::kThumbnails;
  s.monthly_cap_mb = 250;
  s.keep_originals = true;
  fx.app->Apply(app::SavePhotoSettings{s});
  const PhotoSettings stored = Unwrap(fx.store()->photos().Settings());
  CHECK(stored.rule == PhotoRule::kThumbnails);
  CHECK(stored.monthly_cap_mb == 250);
  CHECK(stored.keep_originals);
  CHECK(fx.app->state().photo_data.settings.monthly_cap_mb == 250);
  s.monthly_cap_mb = -5;  // typed below zero: no cap
  fx.app->Apply(app::SavePhotoSettings{s});
  CHECK(Unwrap(fx.store()->photos().Settings()).monthly_cap_mb == 0);

  REQUIRE(fx.store()->photos().AddUsage(UsageKind::kPhotos, 2'500'000, 0).ok());
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Sync");
  h.Run(d);
  h.Frame();
  CHECK(fx.app->state().photo_data.usage.photos_up == 2'500'000);
  views::UiDriver settings;
  settings.Click("Settings");
  settings.Click("Never by themselves");
  h.Run(settings);
  CHECK(Unwrap(fx.store()->photos().Settings()).rule == PhotoRule::kNever);
}

TEST_CASE("photos: the editor shows the strip with each photo's state, and a tap opens the viewer") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenRealVisit(fx);
  const std::string a = fx.dir.File("in/a.jpg"), b = fx.dir.File("in/b.jpg");
  WriteFile(a, Jpeg(320, 240));
  WriteFile(b, Jpeg(320, 240));
  fx.app->Apply(app::AttachPhotos{{a, b}});
  h.Frame();
  h.Frame();
  CHECK(Logged("Add photos…"));
  CHECK(Logged("photo state:waiting"));
  // No camera on the desktop: the button is greyed (not in the log: it cannot be tapped) and says why.
  CHECK_FALSE(Logged("Camera"));
  CHECK(fx.app->state().photos.camera_note ==
        "This device has no camera ccfield can use; attach photos from files instead.");
  views::UiDriver d;
  d.Click("photo 2");
  d.Expect("viewer photo");
  h.Run(d);
  CHECK(h.ui.viewer.photo_id == fx.app->state().photos.items[1].id);
  views::UiDriver keys;
  keys.Key("left");
  keys.Wait(50);
  h.Run(keys);
  CHECK(h.ui.viewer.photo_id == fx.app->state().photos.items[0].id);
  views::UiDriver del;
  del.Click("Delete photo");
  h.Run(del);
  CHECK(fx.app->state().photos.items.back().deleted);
  views::UiDriver close;
  close.Click("Close photo");
  h.Run(close);
  CHECK(h.ui.viewer.photo_id.empty());
  h.Frame();
  CHECK(Logged("Restore"));
}

TEST_CASE("photos: the picker is driven by taps: a place, a folder, a file, Attach") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenRealVisit(fx);
  const std::string home = fx.dir.File("home");
  WriteFile(home + "/Pictures/Trip/IMG_1.jpg", Jpeg(200, 100));
  WriteFile(home + "/Pictures/Trip/IMG_2.jpg", Jpeg(200, 100));
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  setenv("HOME", home.c_str(), 1);
  views::UiDriver d;
  d.Click("Add photos…");
  d.Click("Pictures");
  d.Click("folder:Trip");
  d.Click("file:IMG_2.jpg");
  d.Click("Attach picked photos (1)");
  h.Run(d);
  if (old_home) setenv("HOME", saved.c_str(), 1);
  CHECK_FALSE(fx.app->state().photos.picker.open);
  REQUIRE(fx.app->state().photos.items.size() == 1);
  CHECK(fx.app->state().photos.items[0].file_name == "IMG_2.jpg");
}

TEST_CASE("photos: the viewer zooms with the wheel around the pointer and Esc closes it") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenRealVisit(fx);
  const std::string a = fx.dir.File("in/a.jpg");
  WriteFile(a, Jpeg(320, 240));
  fx.app->Apply(app::AttachPhotos{{a}});
  views::UiDriver d;
  d.Click("photo 1");
  d.Expect("viewer photo");
  d.Wheel("viewer photo", 2);
  h.Run(d);
  h.Frame();
  CHECK(h.ui.viewer.zoom == doctest::Approx(1.5625));
  views::UiDriver fit;
  fit.Click("Fit");
  h.Run(fit);
  CHECK(h.ui.viewer.zoom == 1.0f);
  CHECK(h.ui.viewer.pan_x == 0.0f);
  views::UiDriver esc;
  esc.Key("escape");
  esc.Wait(50);
  h.Run(esc);
  CHECK(h.ui.viewer.photo_id.empty());
}

TEST_CASE("photos: in Arabic the states and the strip's words follow the language") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenRealVisit(fx);
  const std::string a = fx.dir.File("in/a.jpg");
  WriteFile(a, Jpeg(320, 240));
  fx.app->Apply(app::AttachPhotos{{a}});
  fx.app->Apply(app::SetLanguage{"ar"});
  h.Frame();
  h.Frame();
  REQUIRE(fx.app->state().photos.items.size() == 1);
  // Right-to-left catalogs hold display-ready (shaped, visual-order) lines.
  const std::string waiting = ui::tr("waiting");
  CHECK(waiting == ui::VisualLine("في الانتظار"));
  CHECK(fx.app->state().photos.items[0].state_text == waiting);
  CHECK(Logged("photo state:" + waiting));
  CHECK(Logged(ui::tr("Add photos…")));
  fx.app->Apply(app::SetLanguage{"en"});
}

}  // namespace
}  // namespace ccfield::view_test
