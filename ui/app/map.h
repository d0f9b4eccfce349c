#pragma once
// The map's basemaps on the app side (issue 13): the packs installed in the
// data folder and the off-thread tile loader over them. The window's tile
// textures (views/map_tiles.h) take decoded tiles from loader(); the App
// restarts the loader when packs are added or removed, and the textures see
// the new generation() and drop what they hold.
//
// Main thread only (the loader's own worker thread is behind TileLoader).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ccfield/maps/map_packs.h"
#include "ccfield/maps/tile_loader.h"

namespace ccfield::app {

class MapTiles {
 public:
  // `env` must outlive this; packs live in DATA/maps/. `wake` (may be
  // empty) is called on the loader's thread when a tile is ready.
  MapTiles(Env* env, std::string data_dir, std::function<void()> wake = {});

  maps::MapPacks& packs() { return packs_; }
  // Opens every installed pack and starts a new loader over them (the old
  // one is stopped first). Returns one sentence per pack that cannot be
  // opened (those are left out); no pack leaves loader() null.
  std::vector<std::string> Restart();
  // Stops the loader and closes the packs (before one is removed).
  void Stop() { loader_.reset(); }
  // The loader over the installed packs, null when none is installed.
  maps::TileLoader* loader() const { return loader_.get(); }
  // Bumped by every Restart: textures made from an older loader are stale.
  uint64_t generation() const { return generation_; }

 private:
  maps::MapPacks packs_;
  std::function<void()> wake_;
  std::unique_ptr<maps::TileLoader> loader_;
  uint64_t generation_ = 0;
};

}  // namespace ccfield::app
