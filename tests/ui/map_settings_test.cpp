// Settings → Basemaps in the window, headless and driven like a person
// (issue 13): a corrupt file is refused with a sentence naming it and
// nothing is installed; a real pack is added, listed with its zooms and
// attribution and drawn from on the map; removing it asks first.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "ccfield/maps/mbtiles_writer.h"
#include "support/test_photos.h"
#include "ui/app_fixture.h"
#include "ui/headless.h"

namespace ccfield::view_test {
namespace {

void AddThroughSettings(HeadlessUi& h, const std::string& path) {
  views::UiDriver d;
  d.Click("Settings");
  d.Click("Path of an .mbtiles file");
  d.Type(path);
  d.Click("Add basemap");
  h.Run(d);
}

size_t InstalledFiles(const std::string& data_dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/maps", ec)) n += e.is_regular_file();
  return n;
}

TEST_CASE("map settings: a corrupt pack is refused with a clear sentence and nothing is installed") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const size_t before = fx.app->state().map.packs.size();
  const size_t files_before = InstalledFiles(fx.dir.path());
  const std::string path = fx.dir.File("streets.mbtiles");
  {
    std::ofstream out(path, std::ios::binary);
    out << "SQLite format 3" << std::string(5000, '\x7f');  // a header, then garbage
  }
  AddThroughSettings(h, path);
  const app::MapState& m = fx.app->state().map;
  CHECK(m.pack_message_is_error);
  CHECK_MESSAGE(m.pack_message.find("streets.mbtiles") != std::string::npos, m.pack_message);
  CHECK(m.packs.size() == before);
  CHECK(InstalledFiles(fx.dir.path()) == files_before);
}

TEST_CASE("map settings: a pack is added and listed, then removed after the question") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  // Leave only our pack: the demo basemap may have come with the demo data.
  for (const maps::PackInfo& p : std::vector<maps::PackInfo>(fx.app->state().map.packs)) {
    fx.app->Apply(app::RemoveMapPack{p.id});
  }
  REQUIRE(fx.app->state().map.packs.empty());
  const std::string path = fx.dir.File("Ward 4.mbtiles");
  {
    auto w = maps::MbTilesWriter::Create(path, {{"name", "Ward 4 streets"},
                                                {"format", "png"},
                                                {"minzoom", "12"},
                                                {"maxzoom", "12"},
                                                {"attribution", "Ward 4 survey team"}});
    REQUIRE(w.ok());
    testing::TestPngOptions o;
    o.width = o.height = 256;
    REQUIRE((*w)->Put({12, 2494, 2125}, testing::MakeTestPng(o)).ok());
    REQUIRE((*w)->Finish().ok());
  }
  AddThroughSettings(h, path);
  const app::MapState& m = fx.app->state().map;
  CHECK_FALSE(m.pack_message_is_error);
  REQUIRE(m.packs.size() == 1);
  CHECK(m.packs[0].name == "Ward 4 streets");
  CHECK(m.packs[0].min_zoom == 12);
  CHECK(m.packs[0].max_zoom == 12);
  CHECK(m.packs[0].attribution == "Ward 4 survey team");
  CHECK(fx.app->map_tiles()->loader() != nullptr);
  views::UiDriver d;
  d.Click("Remove");
  d.Click("Keep it");
  h.Run(d);
  CHECK(fx.app->state().map.packs.size() == 1);
  views::UiDriver yes;
  yes.Click("Remove");
  yes.Click("Yes, remove it");
  h.Run(yes);
  CHECK(fx.app->state().map.packs.empty());
  CHECK(fx.app->map_tiles()->loader() == nullptr);
  CHECK(InstalledFiles(fx.dir.path()) <= 1);  // at most the order file
}

TEST_CASE("map settings: Choose a file lists folders and .mbtiles files only, over Downloads, Documents and home") {
  AppFixture fx;
  const std::string home = fx.dir.File("home");
  std::filesystem::create_directories(home + "/Downloads/Maps");
  std::filesystem::create_directories(home + "/Documents");
  for (const char* name : {"/Downloads/town.MBTiles", "/Downloads/notes.txt", "/Downloads/photo.jpg",
                           "/Downloads/.hidden.mbtiles"}) {
    std::ofstream(home + name) << "x";
  }
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  setenv("HOME", home.c_str(), 1);
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Settings");
  d.Click("Choose a file…");
  d.Click("Downloads");
  d.Expect("file:town.MBTiles");
  h.Run(d);
  if (old_home) setenv("HOME", saved.c_str(), 1);
  const app::FilePickerState& p = fx.app->state().photos.picker;
  CHECK(p.open);
  CHECK(p.purpose == app::FilePickerState::Purpose::kBasemap);
  REQUIRE(p.places.size() >= 3);
  CHECK(p.places[0].path == home + "/Downloads");
  CHECK(p.places[1].path == home + "/Documents");
  CHECK(p.places[2].name == "Home folder");
  CHECK(p.places[2].path == home);
  CHECK(p.dir == home + "/Downloads");
  REQUIRE(p.entries.size() == 2);  // the folder, then the pack; no text, photo or hidden file
  CHECK(p.entries[0].name == "Maps");
  CHECK(p.entries[0].folder);
  CHECK(p.entries[1].name == "town.MBTiles");
  CHECK(testing::CommandsOf<app::OpenBasemapPicker>(h.applied()).size() == 1);
}

}  // namespace
}  // namespace ccfield::view_test
