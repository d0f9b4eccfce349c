#pragma once
// Tiles read and decoded off the main thread: the map asks for the tiles it
// wants each frame and takes what is ready; the newest requests are served
// first and requests no longer wanted are dropped. Decoded tiles are RGBA.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ccfield/maps/mbtiles.h"
#include "ccfield/maps/web_mercator.h"

namespace ccfield::maps {

struct TileImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;  // width * height * 4 bytes, rows top to bottom
};

struct TileResult {
  TileKey key;
  bool missing = false;  // no pack has this tile (draw an ancestor overzoomed)
  std::string error;     // unreadable or undecodable tile ("" when fine)
  std::string pack_id;   // which pack served it
  TileImage image;       // when !missing and error is ""
};

class TileLoader {
 public:
  virtual ~TileLoader() = default;
  // Serves tiles from `packs` (in the order they were added): for each tile
  // the pack RankPacksForTile (map_packs.h) puts first among those holding
  // it; from a pack whose zooms stop below the tile's, the enlarged part of
  // its ancestor (the image is then smaller than a tile). Starts a
  // worker thread; the destructor stops and joins it.
  // `on_ready`, when set, is called on the worker thread after each result
  // is ready (the window wakes its event loop there; it must not touch UI state).
  static std::unique_ptr<TileLoader> Start(std::vector<std::unique_ptr<MbTiles>> packs,
                                           std::function<void()> on_ready = {});

  // Non-blocking. Asking again for a queued tile moves it to the front; a
  // tile being read or ready and not yet taken is not queued again.
  virtual void Request(TileKey key) = 0;
  // Drops queued requests for tiles not in `wanted` (e.g. panned away).
  virtual void KeepOnly(const std::vector<TileKey>& wanted) = 0;
  // What finished since the last call.
  virtual std::vector<TileResult> TakeReady() = 0;
  virtual const std::vector<PackInfo>& packs() const = 0;
};

}  // namespace ccfield::maps
