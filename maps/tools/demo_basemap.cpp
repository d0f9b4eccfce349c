// ccfield_demo_basemap: renders the demo's street sketch
// (data/demo/streets.geojson, drawn by the project) to PNG tiles and writes
// them as an MBTiles pack. Run by the build; the pack is compiled into the app
// (maps/src/demo_pack.cpp) and installed with the demo data.
//
//   ccfield_demo_basemap SKETCH.geojson OUT.mbtiles [FONT_DIR]
//   ccfield_demo_basemap --mosaic SKETCH.geojson FONT_DIR ZOOM OUT.png   (to look at one zoom)
//
// Labels need DejaVu Sans in FONT_DIR; without it the tiles have no labels.
#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "ccfield/maps/mbtiles_writer.h"
#include "ccfield/maps/web_mercator.h"
#include "sketch_style.h"

namespace ccfield::maps::sketch {
namespace {

// Zoom levels and the extent each covers: the whole sketch up to 15, the
// demo sites' quarter at 16 and 17 (that keeps the pack near 2 MB).
struct Extent {
  int min_zoom, max_zoom;
  double west, south, east, north;
};
constexpr Extent kExtents[] = {
    {11, 15, 39.215, -6.835, 39.305, -6.755},
    {16, 16, 39.232, -6.812, 39.282, -6.776},
    {17, 17, 39.243, -6.804, 39.270, -6.784},
};

std::vector<Feature> ReadSketch(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<Feature> out;
  for (const auto& f : doc.at("features")) {
    Feature feat;
    feat.kind = f.at("properties").at("kind").get<std::string>();
    feat.name = f.at("properties").value("name", "");
    const auto& g = f.at("geometry");
    const std::string type = g.at("type").get<std::string>();
    auto ring = [](const nlohmann::json& coords) {
      std::vector<LatLon> r;
      for (const auto& c : coords) r.push_back(LatLon{c.at(1).get<double>(), c.at(0).get<double>()});
      return r;
    };
    if (type == "Polygon") {
      for (const auto& r : g.at("coordinates")) feat.parts.push_back(ring(r));
      feat.area = true;
    } else if (type == "LineString") {
      feat.parts.push_back(ring(g.at("coordinates")));
    } else if (type == "Point") {
      feat.parts.push_back(ring(nlohmann::json::array({g.at("coordinates")})));
    } else {
      throw std::runtime_error("unsupported geometry " + type);
    }
    out.push_back(std::move(feat));
  }
  return out;
}

// The colours of `rgb` mapped to at most 256 (the most frequent ones, each
// other colour to its nearest among them: only anti-aliased edge pixels move)
// and every pixel's index into that palette.
void Quantize(const std::vector<uint8_t>& rgb, std::vector<uint8_t>* map, std::vector<uint8_t>* indices) {
  auto key = [&](size_t i) { return (uint32_t(rgb[i]) << 16) | (uint32_t(rgb[i + 1]) << 8) | rgb[i + 2]; };
  std::unordered_map<uint32_t, size_t> count;
  for (size_t i = 0; i < rgb.size(); i += 3) ++count[key(i)];
  std::vector<std::pair<size_t, uint32_t>> by_count;
  for (const auto& [c, n] : count) by_count.push_back({n, c});
  std::sort(by_count.begin(), by_count.end(), std::greater<>());
  if (by_count.size() > 256) by_count.resize(256);
  std::unordered_map<uint32_t, uint8_t> index;
  for (const auto& [n, c] : by_count) {
    index[c] = uint8_t(map->size() / 3);
    map->insert(map->end(), {uint8_t(c >> 16), uint8_t(c >> 8), uint8_t(c)});
  }
  for (const auto& [c, n] : count) {
    if (index.count(c)) continue;
    int best = 0, best_d = 1 << 30;
    for (size_t p = 0; p < map->size(); p += 3) {
      const int dr = int(c >> 16) - (*map)[p], dg = int((c >> 8) & 255) - (*map)[p + 1],
                db = int(c & 255) - (*map)[p + 2];
      const int d = dr * dr + dg * dg + db * db;
      if (d < best_d) best_d = d, best = int(p / 3);
    }
    index[c] = uint8_t(best);
  }
  indices->resize(rgb.size() / 3);
  for (size_t i = 0; i < indices->size(); ++i) (*indices)[i] = index[key(i * 3)];
}

// The canvas as an 8-bit palette PNG (libpng's simplified API: no longjmp).
std::string EncodePng(const Canvas& canvas) {
  std::vector<uint8_t> map, indices;
  Quantize(canvas.rgb(), &map, &indices);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(canvas.width());
  image.height = png_uint_32(canvas.height());
  image.format = PNG_FORMAT_RGB_COLORMAP;
  image.colormap_entries = png_uint_32(map.size() / 3);
  const void* pixels = indices.data();
  const void* cmap = map.data();
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels, 0, cmap)) {
    throw std::runtime_error(std::string("libpng: ") + image.message);
  }
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, pixels, 0, cmap)) {
    throw std::runtime_error(std::string("libpng: ") + image.message);
  }
  out.resize(size);
  return out;
}

std::string Bounds() {
  char text[96];
  const Extent& e = kExtents[0];
  std::snprintf(text, sizeof text, "%.3f,%.3f,%.3f,%.3f", e.west, e.south, e.east, e.north);
  return text;
}

// OUT.mbtiles.h: a #define of the pack's FNV-1a hash. demo_pack.cpp includes
// it, so that a compiler cache (which cannot see into .incbin) recompiles it
// whenever the pack changes.
void WriteHashHeader(const std::string& pack) {
  std::ifstream in(pack, std::ios::binary);
  uint64_t h = 1469598103934665603ull;
  for (char c; in.get(c);) h = (h ^ uint8_t(c)) * 1099511628211ull;
  std::ofstream out(pack + ".h");
  out << "// Generated by ccfield_demo_basemap; do not edit.\n#define CCFIELD_DEMO_PACK_HASH \"" << std::hex << h
      << "\"\n";
  if (!out) throw std::runtime_error("cannot write " + pack + ".h");
}

// The extent covering zoom `z`.
const Extent& ExtentAt(int z) {
  for (const Extent& e : kExtents) {
    if (z >= e.min_zoom && z <= e.max_zoom) return e;
  }
  throw std::runtime_error("zoom " + std::to_string(z) + " is not rendered");
}

// `--mosaic Z OUT.png`: zoom Z's tiles side by side in one PNG, to look at.
int Mosaic(const std::vector<Feature>& features, Fonts& fonts, int z, const std::string& out) {
  const Extent& e = ExtentAt(z);
  const TileKey nw = TileAt(LatLonToWorld(LatLon{e.north, e.west}, z), z);
  const TileKey se = TileAt(LatLonToWorld(LatLon{e.south, e.east}, z), z);
  const int cols = se.x - nw.x + 1, rows = se.y - nw.y + 1, w = cols * kTileSize;
  std::vector<uint8_t> rgb(size_t(w) * rows * kTileSize * 3);
  for (int ty = 0; ty < rows; ++ty) {
    for (int tx = 0; tx < cols; ++tx) {
      const Canvas c = RenderTile(features, fonts, TileKey{z, nw.x + tx, nw.y + ty});
      for (int y = 0; y < kTileSize; ++y) {
        std::copy_n(&c.rgb()[size_t(y) * kTileSize * 3], kTileSize * 3,
                    &rgb[(size_t(ty * kTileSize + y) * w + size_t(tx) * kTileSize) * 3]);
      }
    }
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(w);
  image.height = png_uint_32(rows * kTileSize);
  image.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&image, out.c_str(), 0, rgb.data(), 0, nullptr)) {
    throw std::runtime_error(std::string("libpng: ") + image.message);
  }
  std::printf("zoom %d: %dx%d tiles in %s\n", z, cols, rows, out.c_str());
  return 0;
}

int Run(int argc, char** argv) {
  if (argc == 6 && std::string(argv[1]) == "--mosaic") {
    Fonts fonts = LoadFonts(argv[3]);
    return Mosaic(ReadSketch(argv[2]), fonts, std::atoi(argv[4]), argv[5]);
  }
  if (argc < 3) {
    std::cerr << "usage: ccfield_demo_basemap SKETCH.geojson OUT.mbtiles [FONT_DIR]\n";
    return 2;
  }
  const std::vector<Feature> features = ReadSketch(argv[1]);
  Fonts fonts = LoadFonts(argc > 3 ? argv[3] : "/usr/share/fonts/truetype/dejavu");
  if (!fonts.regular) std::cerr << "ccfield_demo_basemap: DejaVu Sans not found; the tiles will have no labels\n";
  const std::string out = argv[2];
  const std::string tmp = out + ".tmp";
  auto writer = MbTilesWriter::Create(
      tmp, {{"name", "Dar es Salaam (demo street sketch)"},
            {"description", "Kinondoni, Dar es Salaam: a simplified street sketch drawn for the ccfield demo"},
            {"attribution", "Demo sketch by the ccfield project (not a survey)"},
            {"format", "png"},
            {"type", "baselayer"},
            {"version", "1"},
            {"bounds", Bounds()},
            {"center", "39.2530,-6.7930,15"},
            {"minzoom", "11"},
            {"maxzoom", "17"}});
  if (!writer.ok()) throw std::runtime_error(writer.status().ToString());
  size_t tiles = 0, bytes = 0;
  for (const Extent& e : kExtents) {
    for (int z = e.min_zoom; z <= e.max_zoom; ++z) {
      const TileKey nw = TileAt(LatLonToWorld(LatLon{e.north, e.west}, z), z);
      const TileKey se = TileAt(LatLonToWorld(LatLon{e.south, e.east}, z), z);
      size_t zt = 0, zb = 0;
      for (int ty = nw.y; ty <= se.y; ++ty) {
        for (int tx = nw.x; tx <= se.x; ++tx) {
          const std::string png = EncodePng(RenderTile(features, fonts, TileKey{z, tx, ty}));
          Status st = (*writer)->Put(TileKey{z, tx, ty}, png);
          if (!st.ok()) throw std::runtime_error(st.ToString());
          ++zt, zb += png.size();
        }
      }
      std::printf("zoom %2d: %4zu tiles, %7zu bytes\n", z, zt, zb);
      tiles += zt, bytes += zb;
    }
  }
  Status st = (*writer)->Finish();
  if (!st.ok()) throw std::runtime_error(st.ToString());
  if (std::rename(tmp.c_str(), out.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp);
  WriteHashHeader(out);
  std::printf("%zu tiles, %zu bytes of PNG, written to %s\n", tiles, bytes, out.c_str());
  return 0;
}

}  // namespace
}  // namespace ccfield::maps::sketch

int main(int argc, char** argv) {
  try {
    return ccfield::maps::sketch::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ccfield_demo_basemap: " << e.what() << "\n";
    return 1;
  }
}
