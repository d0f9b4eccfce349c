// The basemap's tile textures (map_tiles.h).
#include "views/map_tiles.h"

#include <string>

namespace ccfield::views {

namespace {

// Decoded tiles nobody wants any more are dropped once this many wait.
constexpr size_t kMaxWaiting = 32;

// Most basemap tiles have no transparent pixel: drawn without blending, they
// cost the software renderer a copy instead of a blend per pixel.
bool AllOpaque(const std::vector<uint8_t>& rgba) {
  for (size_t i = 3; i < rgba.size(); i += 4) {
    if (rgba[i] != 255) return false;
  }
  return true;
}

}  // namespace

MapTextures::MapTextures(TextureMaker* maker, app::MapTiles* tiles, size_t cap_bytes)
    : maker_(maker), tiles_(tiles), cap_(cap_bytes), generation_(tiles->generation()) {}

MapTextures::~MapTextures() { Clear(); }

const std::vector<maps::PackInfo>& MapTextures::packs() const {
  static const std::vector<maps::PackInfo> kNone;
  return tiles_->loader() ? tiles_->loader()->packs() : kNone;
}

void MapTextures::Clear() {
  for (auto& [key, e] : entries_) maker_->Destroy(e.id);
  entries_.clear();
  lru_.clear();
  missing_.clear();
  requested_.clear();
  ready_.clear();
  wanted_.clear();
  wanted_set_.clear();
  bytes_ = 0;
}

void MapTextures::BeginFrame() {
  ++frame_;
  uploads_ = 0;
  if (tiles_->generation() != generation_) {  // packs added or removed: a new loader
    Clear();
    generation_ = tiles_->generation();
  }
  maps::TileLoader* loader = tiles_->loader();
  if (!loader) return;
  // A tile stays in requested_ until it is uploaded (or dropped), so Want
  // does not ask again for one waiting here.
  for (maps::TileResult& r : loader->TakeReady()) {
    if (r.missing || !r.error.empty() || r.image.rgba.empty()) {
      requested_.erase(r.key);
      missing_.insert(r.key);  // an ancestor is drawn enlarged instead
      continue;
    }
    ready_.push_back(std::move(r));
  }
  while (!ready_.empty() && uploads_ < kUploadsPerFrame) {
    maps::TileResult r = std::move(ready_.front());
    ready_.pop_front();
    requested_.erase(r.key);
    if (entries_.count(r.key)) continue;
    if (!wanted_set_.count(r.key) && ready_.size() >= kMaxWaiting) continue;  // panned away long ago
    Upload(r);
  }
  Evict();
}

void MapTextures::Upload(maps::TileResult& r) {
  std::string error;
  const int w = r.image.width, h = r.image.height;
  const uint8_t* px = r.image.rgba.data();
  ImTextureID id = AllOpaque(r.image.rgba) ? maker_->CreateOpaque(w, h, px, &error) : maker_->Create(w, h, px, &error);
  ++uploads_;
  if (!id) {
    missing_.insert(r.key);
    return;
  }
  lru_.push_front(r.key);
  Entry& e = entries_[r.key];
  e.id = id;
  e.bytes = static_cast<size_t>(r.image.width) * static_cast<size_t>(r.image.height) * 4;
  e.drawn_frame = frame_;
  e.lru = lru_.begin();
  bytes_ += e.bytes;
}

void MapTextures::Evict() {
  while (bytes_ > cap_ && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    lru_.pop_back();
    if (it == entries_.end()) continue;
    maker_->Destroy(it->second.id);
    bytes_ -= it->second.bytes;
    entries_.erase(it);
  }
}

ImTextureID MapTextures::Get(maps::TileKey key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  Entry& e = it->second;
  if (e.drawn_frame != frame_) {
    lru_.splice(lru_.begin(), lru_, e.lru);
    e.drawn_frame = frame_;
  }
  return e.id;
}

void MapTextures::Want(const std::vector<maps::TileKey>& keys) {
  maps::TileLoader* loader = tiles_->loader();
  if (!loader) return;
  if (keys != wanted_) {
    loader->KeepOnly(keys);
    wanted_ = keys;
    wanted_set_ = {keys.begin(), keys.end()};
    for (auto it = requested_.begin(); it != requested_.end();) {
      it = wanted_set_.count(*it) ? std::next(it) : requested_.erase(it);
    }
  }
  // The loader serves the newest request first: ask in reverse, so the most
  // wanted tile (the first) is read first.
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    if (entries_.count(*it) || missing_.count(*it) || requested_.count(*it)) continue;
    loader->Request(*it);
    requested_.insert(*it);
  }
}

}  // namespace ccfield::views
