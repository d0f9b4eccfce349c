#pragma once
// Writes a raster MBTiles pack (spec 1.3: a `metadata` table, a `tiles`
// table with its unique index, rows in the TMS scheme). The project's own
// demo basemap is made with it (maps/tools/demo_basemap.cpp), and so are the
// packs of the tests and the map bench. Not for packs of the person's own:
// those come from QGIS or GDAL (docs/maps.md).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ccfield/core/sqlite_db.h"
#include "ccfield/core/sqlite_txn.h"
#include "ccfield/core/status.h"
#include "ccfield/maps/web_mercator.h"

namespace ccfield::maps {

class MbTilesWriter {
 public:
  // Creates `path` (replacing any file there) with `metadata` (name, format,
  // bounds, minzoom, maxzoom, attribution, ...) and opens one transaction
  // for the tiles.
  static Result<std::unique_ptr<MbTilesWriter>> Create(const std::string& path,
                                                       const std::map<std::string, std::string>& metadata);
  // Stores the encoded tile at `key` (XYZ; flipped to TMS here), replacing one there.
  Status Put(TileKey key, std::string_view bytes);
  // Commits and closes the file. REQUIRES: called once, last.
  Status Finish();

 private:
  MbTilesWriter(std::unique_ptr<sql::Db> db, sql::Txn txn) : db_(std::move(db)), txn_(std::move(txn)) {}
  std::unique_ptr<sql::Db> db_;
  std::optional<sql::Txn> txn_;
};

}  // namespace ccfield::maps
