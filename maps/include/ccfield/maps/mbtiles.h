#pragma once
// One MBTiles raster pack (an SQLite file of PNG or JPEG tiles, spec 1.3):
// opened read-only and checked, its metadata, and its tiles by XYZ key.
// Safe to call from several threads (one connection behind a mutex).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ccfield/core/status.h"
#include "ccfield/maps/web_mercator.h"

namespace ccfield::maps {

struct PackInfo {
  std::string id;           // the installed file's stem: stable, used by `maps remove`
  std::string path;         // where the file is
  std::string name;         // metadata "name" (the file name when absent)
  std::string description;  // metadata "description"
  std::string attribution;  // metadata "attribution": shown on the map
  std::string format;       // "png" or "jpg"
  int min_zoom = 0, max_zoom = 0;
  bool has_bounds = false;  // metadata "bounds" (west,south,east,north)
  double west = -180, south = -85, east = 180, north = 85;
  int64_t tile_count = 0;
  int64_t file_bytes = 0;
  // MapPacks::List only: why an installed file cannot be used ("" when it
  // can), so that a damaged pack is still listed and can be removed.
  std::string problem;
};

// MBTiles stores rows bottom-up (TMS): the row of `key` in the file.
inline int TmsRow(TileKey key) { return (1 << key.z) - 1 - key.y; }

class MbTiles {
 public:
  virtual ~MbTiles() = default;
  // Opens and checks `path`: an SQLite file with a `tiles` table or view
  // (zoom_level, tile_column, tile_row, tile_data) and usually a `metadata`
  // table (when it is missing, the format is read from the first tile), a
  // raster format we can draw. Anything else (not SQLite, corrupt, vector
  // tiles, no tiles) is a clear error naming the file. Reads the schema, the
  // metadata and the tile count only: fast on a large pack.
  static Result<std::unique_ptr<MbTiles>> Open(const std::string& path);

  // Reads every page of the file (SQLite's quick_check): a cut or damaged
  // pack is found before it is installed. Seconds on a large pack.
  virtual Status CheckIntegrity() = 0;

  virtual const PackInfo& info() const = 0;
  // The encoded tile (PNG/JPEG bytes), std::nullopt when the pack has none
  // there; an error when the file cannot be read.
  virtual Result<std::optional<std::string>> ReadTile(TileKey key) = 0;
};

}  // namespace ccfield::maps
