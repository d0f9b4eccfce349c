#pragma once
// MBTiles files for the maps tests, written with plain SQL (not with
// MbTilesWriter, so that the reader's TMS row flip is checked against rows
// the test placed itself), and tile images from the shared photo generator.
#include <map>
#include <string>
#include <vector>

#include "ccfield/maps/web_mercator.h"

namespace ccfield::testing {

// One row of the `tiles` table, its row in the TMS scheme as stored.
struct RawTile {
  int z = 0, x = 0, tms_row = 0;
  std::string bytes;
};

struct RawPack {
  std::map<std::string, std::string> metadata;  // no `metadata` table when `no_metadata`
  bool no_metadata = false;
  bool tiles_as_view = false;  // the deduplicated layout: map + images tables behind a `tiles` view
  std::vector<RawTile> tiles;
};

// Writes `pack` to `path` (replacing it); aborts the test on an SQLite error.
void WriteRawPack(const std::string& path, const RawPack& pack);

// A 256 x 256 PNG with flat quadrants (top-left red, top-right blue,
// bottom-left green, bottom-right white): which way up it came out shows.
std::string QuadrantPng();
// A 256 x 256 JPEG of the same quadrants.
std::string QuadrantJpeg();
// A pack of the quadrant PNG at the XYZ `keys`, metadata name/format/attribution.
RawPack PngPack(const std::vector<maps::TileKey>& keys, const std::string& name = "Test city");

}  // namespace ccfield::testing
