// PhotoTextures: decoded photos uploaded as textures, LRU by bytes.
#include "views/photo_textures.h"

#include <algorithm>

namespace ccfield::views {

PhotoTextures::PhotoTextures(TextureMaker* maker, app::PhotoImages* images, size_t cap_bytes)
    : maker_(maker), images_(images), cap_(cap_bytes) {}

PhotoTextures::~PhotoTextures() {
  for (auto& [key, e] : entries_) {
    if (e.tex.id) maker_->Destroy(e.tex.id);
  }
}

void PhotoTextures::BeginFrame() {
  for (app::DecodedImage& img : images_->TakeReady()) {
    auto it = entries_.find(img.key);
    if (it == entries_.end()) continue;  // evicted while decoding
    Entry& e = it->second;
    if (img.dropped) {  // asked again when drawn again
      lru_.erase(e.lru);
      entries_.erase(it);
      continue;
    }
    e.tex.pending = false;
    e.tex.error = img.error;
    if (!img.error.empty()) continue;
    e.tex.id = maker_->Create(img.width, img.height, img.pixels.data(), &e.tex.error);
    if (!e.tex.id) continue;
    e.tex.width = img.width;
    e.tex.height = img.height;
    e.bytes = img.pixels.size();
    bytes_ += e.bytes;
  }
  // Least recently drawn first; the last frame's textures are presented
  // already, and this frame has drawn nothing yet.
  while (bytes_ > cap_ && lru_.size() > 1) {
    const std::string key = lru_.back();
    lru_.pop_back();
    auto it = entries_.find(key);
    if (it->second.tex.id) maker_->Destroy(it->second.tex.id);
    bytes_ -= it->second.bytes;
    entries_.erase(it);
  }
}

const PhotoTextures::Texture& PhotoTextures::Get(const std::string& key, const app::ImageRequest& request) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    lru_.push_front(key);
    Entry e;
    e.tex.pending = true;
    e.lru = lru_.begin();
    it = entries_.emplace(key, std::move(e)).first;
    images_->Request(request);
  } else if (it->second.lru != lru_.begin()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);  // drawn now
  }
  return it->second.tex;
}

const PhotoTextures::Texture& PhotoTextures::Blob(const std::string& hash, int max_edge) {
  max_edge = std::min(max_edge, maker_->MaxSize());
  const std::string key = "b" + std::to_string(max_edge) + ":" + hash;
  return Get(key, app::ImageRequest{key, hash, "", max_edge});
}

const PhotoTextures::Texture& PhotoTextures::File(const std::string& path, int max_edge) {
  max_edge = std::min(max_edge, maker_->MaxSize());
  const std::string key = "f" + std::to_string(max_edge) + ":" + path;
  return Get(key, app::ImageRequest{key, "", path, max_edge});
}

}  // namespace ccfield::views
