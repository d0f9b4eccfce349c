#pragma once
// The basemap packs installed in a data directory (DATA/maps/*.mbtiles):
// adding one (checked, then copied in atomically through Env), listing and
// removing them. `ccfield maps add|list|remove` and the window's Settings use it.
// Also the one rule for which pack serves a tile when several cover the view
// (RankPacksForTile; the tile loader follows it).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/maps/mbtiles.h"

namespace ccfield {
class Env;
}

namespace ccfield::maps {

// Which packs serve a tile at zoom `z`, best first. `packs` are in the order
// they were added (MapPacks::List, OpenAll). First the packs that hold zoom
// `z` (min_zoom <= z <= max_zoom), the most recently added first; then the
// packs whose zooms stop below `z`, to be enlarged (overzoom): the highest
// max_zoom first, ties the most recently added. Packs whose zooms start above
// `z` cannot serve it and are left out. A pack ranked first may still lack
// the tile (it covers another area): the next one is tried.
struct PackChoice {
  size_t pack = 0;  // index into `packs`
  int zoom = 0;     // read the tile's ancestor at this zoom (`z`: the tile itself)
  bool operator==(const PackChoice&) const = default;
};
std::vector<PackChoice> RankPacksForTile(const std::vector<PackInfo>& packs, int z);

class MapPacks {
 public:
  MapPacks(Env* env, std::string data_dir);

  // Checks `source` with MbTiles::Open, then copies it to DATA/maps/ID.mbtiles
  // (ID from the file name, made unique). Nothing is left behind on error
  // (disk full, unreadable source).
  Result<PackInfo> Add(const std::string& source);
  // Installs a pack given as bytes (the demo basemap) as DATA/maps/ID.mbtiles,
  // written atomically and checked like Add; replaces an installed `id`.
  Result<PackInfo> AddBytes(const std::string& id, std::string_view bytes);
  // Installed packs, in the order they were added (RankPacksForTile says which serves a tile).
  Result<std::vector<PackInfo>> List();
  Status Remove(const std::string& id);
  // Whether a pack with this id is installed.
  bool Has(const std::string& id) const;
  // DATA/maps: where the packs are.
  const std::string& dir() const { return dir_; }
  // Opens every installed pack (for TileLoader::Start); a pack that fails to
  // open is left out and its error is added to *errors.
  std::vector<std::unique_ptr<MbTiles>> OpenAll(std::vector<std::string>* errors);

 private:
  std::string PathOf(const std::string& id) const;
  Result<std::vector<std::string>> InstalledIds();
  Status Register(const std::string& id);  // appends id to the order file
  Status WriteOrder(const std::vector<std::string>& ids);
  Result<std::string> CopyIn(const std::string& source, const std::string& id, uint64_t bytes);

  Env* env_;
  std::string dir_;
};

}  // namespace ccfield::maps
