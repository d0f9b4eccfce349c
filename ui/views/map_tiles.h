#pragma once
// MapTextures: the basemap's tiles on screen as renderer textures (issue 13).
// Tiles are read and decoded by the App's TileLoader (app/map.h) on its
// worker; here, once per frame, finished tiles are uploaded (a few per frame,
// so panning stays smooth) and kept in a cache bounded by bytes (the least
// recently drawn goes first). Tiles the packs do not have are remembered, so
// the map draws an ancestor enlarged instead of asking again.
//
// Main thread only. Textures are destroyed only in BeginFrame, before the
// frame's draw lists can name them.
#include <imgui.h>

#include <cstdint>
#include <deque>
#include <list>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/map.h"
#include "views/photo_textures.h"

namespace ccfield::views {

class MapTextures {
 public:
  static constexpr size_t kDefaultCapBytes = 24u << 20;
  static constexpr int kUploadsPerFrame = 4;

  // `maker` and `tiles` must outlive this.
  MapTextures(TextureMaker* maker, app::MapTiles* tiles, size_t cap_bytes = kDefaultCapBytes);
  ~MapTextures();
  MapTextures(const MapTextures&) = delete;
  MapTextures& operator=(const MapTextures&) = delete;

  // Once per frame, before drawing: drops everything when the packs changed,
  // takes what the loader finished, uploads up to kUploadsPerFrame tiles and
  // frees the least recently drawn textures beyond the cap.
  void BeginFrame();

  // True when a pack is installed (there are tiles to draw).
  bool has_packs() const { return tiles_->loader() != nullptr; }
  const std::vector<maps::PackInfo>& packs() const;
  // The tile's texture, or null when it is not loaded; marks it drawn.
  ImTextureID Get(maps::TileKey key);
  // The packs have no such tile (or it cannot be decoded).
  bool Missing(maps::TileKey key) const { return missing_.count(key) > 0; }
  // The tiles this frame needs, most wanted first: those neither loaded nor
  // asked for are requested; queued requests for others are dropped.
  void Want(const std::vector<maps::TileKey>& keys);
  // Tiles asked for and not yet uploaded: the map keeps drawing frames.
  bool busy() const { return !requested_.empty() || !ready_.empty(); }

  int uploads_last_frame() const { return uploads_; }
  size_t bytes() const { return bytes_; }
  size_t count() const { return entries_.size(); }

 private:
  struct Entry {
    ImTextureID id = nullptr;
    size_t bytes = 0;
    uint64_t drawn_frame = 0;
    std::list<maps::TileKey>::iterator lru;  // position in lru_ (front: drawn last)
  };
  void Clear();
  void Upload(maps::TileResult& r);
  void Evict();

  TextureMaker* maker_;
  app::MapTiles* tiles_;
  size_t cap_;
  uint64_t generation_ = 0;
  uint64_t frame_ = 0;
  size_t bytes_ = 0;
  int uploads_ = 0;
  std::unordered_map<maps::TileKey, Entry, maps::TileKeyHash> entries_;
  std::list<maps::TileKey> lru_;
  std::unordered_set<maps::TileKey, maps::TileKeyHash> missing_;
  std::unordered_set<maps::TileKey, maps::TileKeyHash> requested_;
  std::deque<maps::TileResult> ready_;  // decoded, waiting for their upload
  std::vector<maps::TileKey> wanted_;   // last frame's, to notice when it changes
  std::unordered_set<maps::TileKey, maps::TileKeyHash> wanted_set_;
};

}  // namespace ccfield::views
