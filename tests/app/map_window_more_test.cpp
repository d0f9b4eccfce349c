// More of the map in the real window (issue 13): the ccfield binary under the
// test's Xvfb with the software renderer, driven by UI scripts.
// - Settings → Basemaps → "Choose a file…": picking a real .mbtiles file in
//   the in-app file picker adds it (listed with its name, zooms, size and
//   attribution); picking a text file named .mbtiles says why and adds nothing.
// - A pinch (real SDL_MULTIGESTURE events) on the map zooms it in around the
//   fingers: the screenshot shows the next zoom level's tiles.
// - In Arabic, navigation is clicked by its stable id (#nav_sites) and the
//   map's buttons sit at the canvas's top-left instead of its top-right.
// The basemap is written here: every tile one flat colour of its own (red =
// x * 67 mod 256, green = y * 101 mod 256, blue = 100 + zoom), so a
// screenshot tells which tiles it shows.
#include <doctest/doctest.h>
#include <png.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app_process.h"
#include "app_test_util.h"
#include "ccfield/maps/mbtiles_writer.h"
#include "ccfield/maps/web_mercator.h"

namespace ccfield::testing {
namespace {

constexpr int kMinZoom = 9, kMaxZoom = 16;
constexpr int kBlueBase = 100;

std::string FlatPng(uint32_t rgb_colour) {
  std::vector<uint8_t> rgb(static_cast<size_t>(maps::kTileSize) * maps::kTileSize * 3);
  for (size_t i = 0; i < rgb.size(); i += 3) {
    rgb[i] = uint8_t(rgb_colour >> 16), rgb[i + 1] = uint8_t(rgb_colour >> 8), rgb[i + 2] = uint8_t(rgb_colour);
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = maps::kTileSize;
  image.height = maps::kTileSize;
  image.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  REQUIRE(png_image_write_to_memory(&image, nullptr, &size, 0, rgb.data(), 0, nullptr));
  std::string out(size, '\0');
  REQUIRE(png_image_write_to_memory(&image, out.data(), &size, 0, rgb.data(), 0, nullptr));
  out.resize(size);
  return out;
}

uint32_t TileColour(maps::TileKey k) {
  return (uint32_t((k.x * 67) & 255) << 16) | (uint32_t((k.y * 101) & 255) << 8) | uint32_t(kBlueBase + k.z);
}

struct Box {
  double south = 90, north = -90, west = 180, east = -180;
};

// The colour pack over `box`, zooms kMinZoom to kMaxZoom; *tiles gets every
// tile by colour.
void WriteColourPack(const std::string& path, const Box& box, std::map<uint32_t, maps::TileKey>* tiles) {
  auto writer = maps::MbTilesWriter::Create(path, {{"name", "Colour test"},
                                                   {"format", "png"},
                                                   {"minzoom", std::to_string(kMinZoom)},
                                                   {"maxzoom", std::to_string(kMaxZoom)},
                                                   {"attribution", "Test tiles"}});
  REQUIRE_MESSAGE(writer.ok(), writer.status().ToString());
  std::map<uint32_t, std::string> pngs;
  for (int z = kMinZoom; z <= kMaxZoom; ++z) {
    const maps::TileKey a = maps::TileAt(maps::LatLonToWorld({box.north, box.west}, z), z);
    const maps::TileKey b = maps::TileAt(maps::LatLonToWorld({box.south, box.east}, z), z);
    for (int y = a.y; y <= b.y; ++y) {
      for (int x = a.x; x <= b.x; ++x) {
        const uint32_t c = TileColour({z, x, y});
        REQUIRE(tiles->emplace(c, maps::TileKey{z, x, y}).second);
        auto it = pngs.find(c);
        if (it == pngs.end()) it = pngs.emplace(c, FlatPng(c)).first;
        REQUIRE((*writer)->Put({z, x, y}, it->second).ok());
      }
    }
  }
  REQUIRE((*writer)->Finish().ok());
}

// The sites of the workspace with the most sites (the map opens on them).
Box SitesBox(const std::string& data) {
  std::unique_ptr<Store> store = OpenAppStore(data);
  ListQuery q;
  q.type = RecordType::kSite;
  q.limit = 1000;
  std::map<std::string, Box> boxes;
  std::map<std::string, int> counts;
  for (const Record& r : store->List(q).value_or({})) {
    if (!r.Get("lat").is_number() || !r.Get("lon").is_number()) continue;
    const std::string ws = r.Get("workspace_id").get<std::string>();
    const double lat = r.Get("lat").get<double>(), lon = r.Get("lon").get<double>();
    Box& b = boxes[ws];
    b.south = std::min(b.south, lat), b.north = std::max(b.north, lat);
    b.west = std::min(b.west, lon), b.east = std::max(b.east, lon);
    ++counts[ws];
  }
  REQUIRE_FALSE(counts.empty());
  const auto biggest =
      std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) { return a.second < b.second; });
  return boxes[biggest->first];
}

// Runs the binary with `args` (not the window) and requires success.
void RunCli(const TempDir& dir, const std::string& data, std::vector<std::string> args, const std::string& log) {
  args.insert(args.begin(), {"--data", data});
  AppProcess cli(kAppBinary, args, dir.File(log));
  REQUIRE_MESSAGE(cli.Wait(kAppTimeout).ok(), cli.Describe());
}

// Runs the window with `script`, `env` added to its environment; requires a clean exit.
void RunWindow(const TempDir& dir, const std::string& data, const std::string& name,
               const std::vector<std::string>& script, const std::map<std::string, std::string>& env = {}) {
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, name + ".txt", script)), dir.File(name),
                 env);
  REQUIRE_MESSAGE(app.Wait(kAppTimeout).ok(), app.Describe());
  CHECK_MESSAGE(app.Stderr().find("ccfield:") == std::string::npos, app.Stderr());
}

void WriteLanguage(const std::string& data, const std::string& language) {
  std::filesystem::create_directories(data);
  std::ofstream(data + "/ui-settings.json") << "{\"language\": \"" << language << "\"}\n";
}

// A data folder with the demo data and the colour pack as its only basemap
// (added with `ccfield maps add`, the demo's own pack removed).
struct ColourMap {
  TempDir dir;
  std::string data = dir.File("data");
  std::map<uint32_t, maps::TileKey> tiles;

  explicit ColourMap(const std::string& language = "en") {
    WriteLanguage(data, language);
    RunWindow(dir, data, "first", {"wait 100", "quit"});  // the demo data and its basemap
    const Box sites = SitesBox(data);
    const Box pack{sites.south - 0.04, sites.north + 0.04, sites.west - 0.06, sites.east + 0.06};
    REQUIRE(pack.east - pack.west < 0.5);  // one town: a few thousand tiles at most
    std::filesystem::remove_all(data + "/maps");
    WriteColourPack(dir.File("colours.mbtiles"), pack, &tiles);
    RunCli(dir, data, {"maps", "add", dir.File("colours.mbtiles")}, "add");
  }

  // The tile pixels of a screenshot: their bounding box (the canvas) and
  // the zoom most of them come from.
  struct Shot {
    Image image;
    int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
    int zoom = -1;
    const std::map<uint32_t, maps::TileKey>* tiles = nullptr;
    bool IsTile(int x, int y) const { return tiles->count(image.Rgb(x, y)) > 0; }
    // The tile at the canvas's centre.
    std::optional<maps::TileKey> Centre() const {
      auto it = tiles->find(image.Rgb((x0 + x1) / 2, (y0 + y1) / 2));
      if (it == tiles->end()) return std::nullopt;
      return it->second;
    }
  };

  Shot Load(const std::string& path) const {
    if (const char* keep = std::getenv("CCFIELD_TEST_SHOTS")) {
      std::error_code ec;
      std::filesystem::copy_file(
          path, std::filesystem::path(keep) / ("more_" + std::filesystem::path(path).filename().string()),
          std::filesystem::copy_options::overwrite_existing, ec);
    }
    std::optional<Image> image = LoadPng(path);
    REQUIRE_MESSAGE(image, path);
    Shot s;
    s.image = *image;
    s.tiles = &tiles;
    std::map<int, size_t> per_zoom;
    for (int y = 0; y < image->height; ++y) {
      for (int x = 0; x < image->width; ++x) {
        if (!s.IsTile(x, y)) continue;
        s.x0 = std::min(s.x0, x), s.y0 = std::min(s.y0, y), s.x1 = std::max(s.x1, x), s.y1 = std::max(s.y1, y);
        ++per_zoom[int(image->Rgb(x, y) & 255) - kBlueBase];
      }
    }
    REQUIRE_MESSAGE(s.x1 > s.x0 + 200, (std::string("no basemap tiles in ") + path));
    s.zoom =
        std::max_element(per_zoom.begin(), per_zoom.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
    return s;
  }
};

// A real pack of one tile (zoom 12) named and attributed like a town's.
void WriteWardPack(const std::string& path) {
  auto w = maps::MbTilesWriter::Create(path, {{"name", "Ward 4 streets"},
                                              {"format", "png"},
                                              {"minzoom", "12"},
                                              {"maxzoom", "12"},
                                              {"attribution", "Ward 4 survey team"}});
  REQUIRE(w.ok());
  REQUIRE((*w)->Put({12, 2494, 2125}, FlatPng(0x336699)).ok());
  REQUIRE((*w)->Finish().ok());
}

std::vector<std::string> InstalledPacks(const std::string& data) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data + "/maps", ec)) {
    if (e.path().extension() == ".mbtiles") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE(
    "app window: Settings → Basemaps → Choose a file adds a picked pack, and refuses a text file named .mbtiles") {
  TempDir dir;
  const std::string data = dir.File("data"), home = dir.File("home");
  std::filesystem::create_directories(home + "/Downloads");
  WriteWardPack(home + "/Downloads/Ward 4.mbtiles");
  std::ofstream(home + "/Downloads/notes.mbtiles") << "Pumps to check on Monday: 3, 7 and 12.\n";
  std::ofstream(home + "/Downloads/notes.txt") << "not a map\n";
  const std::map<std::string, std::string> env = {{"HOME", home}};
  RunWindow(dir, data, "first", {"wait 100", "quit"}, env);
  std::filesystem::remove_all(data + "/maps");  // the demo's pack: only what is picked here

  // The text file: the picker says why, in the window; nothing is installed.
  const std::string notes = home + "/Downloads/notes.mbtiles";
  RunWindow(dir, data, "bad",
            {"expect Home", "click #nav_settings", "click Choose a file…", "click Downloads",
             "expect file:Ward 4.mbtiles", "click file:notes.mbtiles",
             "expect picker error:" + notes + " is not a map pack: MBTiles packs are SQLite files",
             "shot " + dir.File("bad.png"), "click #picker_cancel",
             "expect basemap message:" + notes + " is not a map pack", "quit"},
            env);
  CHECK(InstalledPacks(data).empty());

  // The real pack: added, the picker closes, the list shows it.
  char size[32];
  std::snprintf(size, sizeof size, "%.0f kB",
                static_cast<double>(std::filesystem::file_size(home + "/Downloads/Ward 4.mbtiles")) / 1024);
  RunWindow(dir, data, "good",
            {"expect Home", "click #nav_settings", "click Choose a file…", "click Downloads",
             "click file:Ward 4.mbtiles", "expect basemap:Ward 4 streets",
             "expect basemap details:zoom 12 to 12 · " + std::string(size) + " · Ward 4 survey team",
             "expect basemap message:Basemap added: Ward 4 streets", "shot " + dir.File("good.png"), "quit"},
            env);
  CHECK(InstalledPacks(data) == std::vector<std::string>{"Ward-4.mbtiles"});
  // The same file as `ccfield maps add` installs: the bytes picked.
  std::ifstream a(home + "/Downloads/Ward 4.mbtiles", std::ios::binary),
      b(data + "/maps/Ward-4.mbtiles", std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(a), {}) == std::string(std::istreambuf_iterator<char>(b), {}));
}

TEST_CASE("app window: a pinch on the map zooms it in around the fingers") {
  ColourMap m;
  RunWindow(m.dir, m.data, "pinch",
            {"expect Home", "click #nav_sites", "expect map_canvas", "wait 2500", "shot " + m.dir.File("a.png"),
             "pinch map_canvas 0.5", "wait 2500", "shot " + m.dir.File("b.png"), "quit"});
  const ColourMap::Shot a = m.Load(m.dir.File("a.png"));
  const ColourMap::Shot b = m.Load(m.dir.File("b.png"));
  // Five events of 0.1: the zoom grows by log2(1.3^5), about 1.9 levels.
  CHECK(b.zoom > a.zoom);
  CHECK(b.zoom - a.zoom <= 2);
  // Around the fingers (the canvas's centre): the tile there now lies inside the one there before.
  const std::optional<maps::TileKey> before = a.Centre(), after = b.Centre();
  REQUIRE(before);
  REQUIRE(after);
  const int dz = after->z - before->z;
  REQUIRE(dz > 0);
  CHECK((after->x >> dz) == before->x);
  CHECK((after->y >> dz) == before->y);
}

// Pixels in the top band of the canvas (where the map's buttons are) that
// are not tiles, in its left and right quarters.
std::pair<size_t, size_t> ButtonPixels(const ColourMap::Shot& s) {
  size_t left = 0, right = 0;
  const int quarter = (s.x1 - s.x0) / 4;
  for (int y = s.y0 + 10; y < s.y0 + 30; ++y) {
    for (int x = s.x0; x <= s.x0 + quarter; ++x) left += !s.IsTile(x, y);
    for (int x = s.x1 - quarter; x <= s.x1; ++x) right += !s.IsTile(x, y);
  }
  return {left, right};
}

TEST_CASE("app window: in Arabic, Sites is opened by its id and the map's buttons are at the left") {
  ColourMap m("ar");
  const std::vector<std::string> script = {"expect #nav_home",
                                           "click #nav_sites",
                                           "expect map_canvas",
                                           "expect +",
                                           "wait 2500",
                                           "shot " + m.dir.File("ar.png"),
                                           "quit"};
  RunWindow(m.dir, m.data, "ar", script);
  WriteLanguage(m.data, "en");
  RunWindow(
      m.dir, m.data, "en",
      {"expect Home", "click #nav_sites", "expect map_canvas", "wait 2500", "shot " + m.dir.File("en.png"), "quit"});
  const ColourMap::Shot ar = m.Load(m.dir.File("ar.png")), en = m.Load(m.dir.File("en.png"));
  const auto [en_left, en_right] = ButtonPixels(en);
  const auto [ar_left, ar_right] = ButtonPixels(ar);
  INFO("English left " << en_left << " right " << en_right << "; Arabic left " << ar_left << " right " << ar_right);
  CHECK(en_right > 500);
  CHECK(en_right > 4 * en_left);
  CHECK(ar_left > 500);
  CHECK(ar_left > 4 * ar_right);
  // The map itself is not mirrored: east stays east, the same tiles at the canvas's centre.
  CHECK(ar.Centre() == en.Centre());
}

}  // namespace
}  // namespace ccfield::testing
