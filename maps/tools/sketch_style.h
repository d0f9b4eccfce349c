#pragma once
// How the demo street sketch looks: colours, widths per zoom, draw order and
// labels, turning the sketch's features into one tile's pixels. Build-time
// tool code (ccfield_demo_basemap).
#include <memory>
#include <string>
#include <vector>

#include "ccfield/core/geo.h"
#include "ccfield/maps/web_mercator.h"
#include "sketch_raster.h"
#include "sketch_text.h"

namespace ccfield::maps::sketch {

// One feature of streets.geojson: `kind` says how it is drawn (water,
// wetland, residential, park, cemetery, market, school, river, stream, trunk,
// primary, secondary, tertiary, residential_street, path, place,
// place_small, water_label).
struct Feature {
  std::string kind, name;
  bool area = false;                       // a polygon (parts: outer ring, then holes)
  std::vector<std::vector<LatLon>> parts;  // a line or a point: one part
};

struct Fonts {
  std::unique_ptr<Font> regular, bold, italic;
};
// DejaVu Sans (regular, bold, oblique) from `dir`; missing faces stay null.
Fonts LoadFonts(const std::string& dir);

// The 256 x 256 tile `key`.
Canvas RenderTile(const std::vector<Feature>& features, Fonts& fonts, TileKey key);

}  // namespace ccfield::maps::sketch
