// The map in the real window (issue 13): the ccfield binary under the test's
// Xvfb with the software renderer. A basemap pack written here, every tile a
// flat colour of its own (red = x mod 256, green = y mod 256, blue = 100 +
// zoom), is added through Settings → Basemaps; on Sites the screenshot shows
// the tile that holds the sites' centre at the canvas's centre, with markers
// drawn over the tiles; a drag moves that tile with the finger; the wheel
// brings the next zoom level's tiles; a long-press opens "New site here".
#include <doctest/doctest.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
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

std::string FlatPng(uint8_t r, uint8_t g, uint8_t b) {
  std::vector<uint8_t> rgb(static_cast<size_t>(maps::kTileSize) * maps::kTileSize * 3);
  for (size_t i = 0; i < rgb.size(); i += 3) rgb[i] = r, rgb[i + 1] = g, rgb[i + 2] = b;
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

// A tile's colour as the pack stores it (0xRRGGBB): neighbours differ
// plainly (odd multipliers: unique within 256 columns and rows).
uint32_t TileColour(maps::TileKey k) {
  return (uint32_t((k.x * 67) & 255) << 16) | (uint32_t((k.y * 101) & 255) << 8) | uint32_t(kBlueBase + k.z);
}
// Every tile the pack holds, by colour.
std::map<uint32_t, maps::TileKey> g_tiles;
bool IsTileColour(uint32_t c) { return g_tiles.count(c) > 0; }

struct Box {
  double south = 90, north = -90, west = 180, east = -180;
};

// The pack: every tile from kMinZoom to kMaxZoom over `box`.
void WritePack(const std::string& path, const Box& box) {
  auto writer =
      maps::MbTilesWriter::Create(path, {{"name", "Colour test"},
                                         {"format", "png"},
                                         {"minzoom", std::to_string(kMinZoom)},
                                         {"maxzoom", std::to_string(kMaxZoom)},
                                         {"attribution", "Test tiles"},
                                         {"bounds", std::to_string(box.west) + "," + std::to_string(box.south) + "," +
                                                        std::to_string(box.east) + "," + std::to_string(box.north)}});
  REQUIRE_MESSAGE(writer.ok(), writer.status().ToString());
  std::map<uint32_t, std::string> pngs;
  for (int z = kMinZoom; z <= kMaxZoom; ++z) {
    const maps::TileKey a = maps::TileAt(maps::LatLonToWorld({box.north, box.west}, z), z);
    const maps::TileKey b = maps::TileAt(maps::LatLonToWorld({box.south, box.east}, z), z);
    for (int y = a.y; y <= b.y; ++y) {
      for (int x = a.x; x <= b.x; ++x) {
        const uint32_t c = TileColour({z, x, y});
        REQUIRE(g_tiles.emplace(c, maps::TileKey{z, x, y}).second);
        auto it = pngs.find(c);
        if (it == pngs.end()) it = pngs.emplace(c, FlatPng(uint8_t(c >> 16), uint8_t(c >> 8), uint8_t(c))).first;
        REQUIRE((*writer)->Put({z, x, y}, it->second).ok());
      }
    }
  }
  REQUIRE((*writer)->Finish().ok());
}

struct Shot {
  Image image;
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;  // the tiles' bounding box: the canvas
  std::map<int, size_t> zooms;                       // tile pixels per zoom level
  int cx() const { return (x0 + x1) / 2; }
  int cy() const { return (y0 + y1) / 2; }
  int zoom() const {
    return std::max_element(zooms.begin(), zooms.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
  }
  // The tile colours within `r` pixels of (x, y).
  std::set<uint32_t> ColoursNear(int x, int y, int r) const {
    std::set<uint32_t> out;
    for (int yy = y - r; yy <= y + r; ++yy) {
      for (int xx = x - r; xx <= x + r; ++xx) {
        if (xx < 0 || yy < 0 || xx >= image.width || yy >= image.height) continue;
        if (uint32_t c = image.Rgb(xx, yy); IsTileColour(c)) out.insert(c);
      }
    }
    return out;
  }
};

std::string Describe(const std::set<uint32_t>& colours) {
  std::string out;
  for (uint32_t c : colours) {
    const maps::TileKey k = g_tiles.at(c);
    out += " " + std::to_string(k.z) + "/" + std::to_string(k.x) + "/" + std::to_string(k.y);
  }
  return out;
}

Shot Load(const std::string& path) {
  if (const char* keep = std::getenv("CCFIELD_TEST_SHOTS")) {  // to look at them
    std::error_code ec;
    std::filesystem::copy_file(path,
                               std::filesystem::path(keep) / ("map_" + std::filesystem::path(path).filename().string()),
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  std::optional<Image> image = LoadPng(path);
  REQUIRE_MESSAGE(image, path);
  Shot s;
  s.image = *image;
  for (int y = 0; y < image->height; ++y) {
    for (int x = 0; x < image->width; ++x) {
      const uint32_t c = image->Rgb(x, y);
      if (!IsTileColour(c)) continue;
      s.x0 = std::min(s.x0, x), s.y0 = std::min(s.y0, y), s.x1 = std::max(s.x1, x), s.y1 = std::max(s.y1, y);
      ++s.zooms[int(c & 255) - kBlueBase];
    }
  }
  REQUIRE_MESSAGE(s.x1 > s.x0 + 200, (std::string("no basemap tiles in ") + path));
  return s;
}

// Marker pixels (today's condition colours, and grey for never rated) inside the canvas.
size_t MarkerPixels(const Shot& s) {
  const uint32_t colours[] = {0x1e963c, 0xc8aa00, 0xe66e00, 0xd21414, 0x787878};
  size_t n = 0;
  for (int y = s.y0; y <= s.y1; ++y) {
    for (int x = s.x0; x <= s.x1; ++x) n += std::count(std::begin(colours), std::end(colours), s.image.Rgb(x, y));
  }
  return n;
}

TEST_CASE("app window: the map draws the basemap's tiles under the markers, and pans and zooms them") {
  TempDir dir;
  const std::string data = dir.File("data");
  g_tiles.clear();
  AppProcess first(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "first.txt", {"expect Home", "quit"})),
                   dir.File("first"));
  REQUIRE_MESSAGE(first.Wait(kAppTimeout).ok(), first.Describe());
  // The map opens on the workspace with the most sites (all demo here).
  Box sites;
  {
    std::unique_ptr<Store> store = OpenAppStore(data);
    ListQuery q;
    q.type = RecordType::kSite;
    q.limit = 1000;
    std::map<std::string, std::vector<std::pair<double, double>>> per_workspace;
    for (const Record& r : store->List(q).value_or({})) {
      if (!r.Get("lat").is_number() || !r.Get("lon").is_number()) continue;
      per_workspace[r.Get("workspace_id").get<std::string>()].emplace_back(r.Get("lat").get<double>(),
                                                                           r.Get("lon").get<double>());
    }
    REQUIRE_FALSE(per_workspace.empty());
    const auto& biggest = *std::max_element(per_workspace.begin(), per_workspace.end(),
                                            [](auto& a, auto& b) { return a.second.size() < b.second.size(); });
    for (const auto& [lat, lon] : biggest.second) {
      sites.south = std::min(sites.south, lat), sites.north = std::max(sites.north, lat);
      sites.west = std::min(sites.west, lon), sites.east = std::max(sites.east, lon);
    }
  }
  REQUIRE(sites.north >= sites.south);
  const Box pack{sites.south - 0.04, sites.north + 0.04, sites.west - 0.06, sites.east + 0.06};
  REQUIRE(pack.east - pack.west < 0.5);  // one town: a few thousand tiles at most
  WritePack(dir.File("colours.mbtiles"), pack);

  std::vector<std::string> script = {"expect Home", "click Settings"};
  // The demo basemap (installed with the demo data) was added first and would
  // win: it goes, through Settings too.
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data + "/maps", ec)) {
    if (e.path().extension() == ".mbtiles")
      script.insert(script.end(), {"click Remove", "click Yes, remove it", "wait 200"});
  }
  script.insert(
      script.end(),
      {"click Path of an .mbtiles file", "type " + dir.File("colours.mbtiles"), "click Add basemap", "wait 300",
       "click Sites", "expect map_canvas", "wait 2500", "shot " + dir.File("a.png"), "drag map_canvas 0 0 200 0",
       "wait 2000", "shot " + dir.File("b.png"), "wheel map_canvas 2", "wait 2500", "shot " + dir.File("c.png"),
       "hold map_canvas -250 -60 900", "click New site here", "expect Site name", "quit"});
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "map.txt", script)), dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  CHECK_MESSAGE(app.Stderr().find("ccfield:") == std::string::npos, app.Stderr());

  // Opened on the sites: the tile holding their centre is at the canvas's centre.
  const Shot a = Load(dir.File("a.png"));
  const int z = a.zoom();
  CHECK(z > kMinZoom);
  const maps::WorldPoint sw = maps::LatLonToWorld({sites.south, sites.west}, z);
  const maps::WorldPoint ne = maps::LatLonToWorld({sites.north, sites.east}, z);
  const maps::TileKey centre = maps::TileAt({(sw.x + ne.x) / 2, (sw.y + ne.y) / 2}, z);
  const std::set<uint32_t> at_centre = a.ColoursNear(a.cx(), a.cy(), 12);
  CHECK_MESSAGE(at_centre.count(TileColour(centre)),
                "centre tile " << centre.x << "," << centre.y << " at zoom " << z << "; found" << Describe(at_centre)
                               << " canvas " << a.x0 << "," << a.y0 << " - " << a.x1 << "," << a.y1);
  CHECK(a.x1 - a.x0 > 500);  // the canvas is covered
  CHECK(MarkerPixels(a) > 100);

  // Dragged 200 px to the right: what was at the centre is 200 px right of it.
  const Shot b = Load(dir.File("b.png"));
  CHECK(b.zoom() == z);
  CHECK(b.ColoursNear(b.cx() + 200, b.cy(), 12).count(TileColour(centre)));
  std::set<uint32_t> tiles_a, tiles_b;
  for (int x = a.x0; x <= a.x1; x += 8) tiles_a.insert(a.image.Rgb(x, a.cy()));
  for (int x = b.x0; x <= b.x1; x += 8) tiles_b.insert(b.image.Rgb(x, b.cy()));
  CHECK(tiles_a != tiles_b);

  // One wheel step of 2 notches: one zoom level closer, the children of the tile at the centre.
  const Shot c = Load(dir.File("c.png"));
  CHECK(c.zoom() == z + 1);
  bool child = false;
  for (uint32_t parent : b.ColoursNear(b.cx(), b.cy(), 12)) {
    const maps::TileKey p = g_tiles.at(parent);
    for (uint32_t col : c.ColoursNear(c.cx(), c.cy(), 12)) {
      const maps::TileKey k = g_tiles.at(col);
      child |= k.z == p.z + 1 && k.x / 2 == p.x && k.y / 2 == p.y;
    }
  }
  CHECK(child);
}

}  // namespace
}  // namespace ccfield::testing
