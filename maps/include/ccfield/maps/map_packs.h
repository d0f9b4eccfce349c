#pragma once
// The basemap packs installed in a data directory (DATA/maps/*.mbtiles):
// adding one (checked, then copied in atomically through Env), listing and
// removing them. `ccfield maps add|list|remove` and the window's Settings use it.
#include <string>
#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/maps/mbtiles.h"

namespace ccfield {
class Env;
}

namespace ccfield::maps {

class MapPacks {
 public:
  MapPacks(Env* env, std::string data_dir);

  // Checks `source` with MbTiles::Open, then copies it to DATA/maps/ID.mbtiles
  // (ID from the file name, made unique). Nothing is left behind on error
  // (disk full, unreadable source).
  Result<PackInfo> Add(const std::string& source);
  // Installed packs, in the order they were added (first wins for a tile).
  Result<std::vector<PackInfo>> List();
  Status Remove(const std::string& id);
  // Opens every installed pack (for TileLoader::Start); a pack that fails to
  // open is left out and its error is added to *errors.
  std::vector<std::unique_ptr<MbTiles>> OpenAll(std::vector<std::string>* errors);

 private:
  Env* env_;
  std::string dir_;
};

}  // namespace ccfield::maps
