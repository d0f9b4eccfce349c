// The tile worker; see ccfield/maps/tile_loader.h. One thread reads and
// decodes one tile at a time, newest request first: when the person pans,
// what is on screen now is served before what was on screen a moment ago.
#include "ccfield/maps/tile_loader.h"

#include <algorithm>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "ccfield/maps/map_packs.h"
#include "ccfield/media/image_decode.h"

namespace ccfield::maps {
namespace {

// A queue longer than this loses its oldest requests (a fast zoom or pan
// asks for far more tiles than are ever shown).
constexpr size_t kMaxQueued = 512;
// A pack is enlarged by at most this many zoom levels (a 256-pixel tile's part is then 4 pixels wide).
constexpr int kMaxOverzoom = 6;

media::PhotoLimits TileLimits() {
  media::PhotoLimits limits;
  limits.max_file_bytes = 8 << 20;
  limits.max_pixels = 1024 * 1024;  // up to 1024 x 1024 tiles (high-density packs use 512)
  return limits;
}

class WorkerTileLoader final : public TileLoader {
 public:
  WorkerTileLoader(std::vector<std::unique_ptr<MbTiles>> packs, std::function<void()> on_ready)
      : packs_(std::move(packs)), on_ready_(std::move(on_ready)) {
    for (const auto& p : packs_) infos_.push_back(p->info());
    thread_ = std::thread([this] { Run(); });
  }

  ~WorkerTileLoader() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void Request(TileKey key) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (busy_.count(key)) return;
      auto it = where_.find(key);
      if (it != where_.end()) {
        queue_.splice(queue_.begin(), queue_, it->second);  // to the front
        return;
      }
      queue_.push_front(key);
      where_[key] = queue_.begin();
      if (queue_.size() > kMaxQueued) {
        where_.erase(queue_.back());
        queue_.pop_back();
      }
    }
    cv_.notify_one();
  }

  void KeepOnly(const std::vector<TileKey>& wanted) override {
    std::unordered_set<TileKey, TileKeyHash> keep(wanted.begin(), wanted.end());
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (keep.count(*it)) {
        ++it;
      } else {
        where_.erase(*it);
        it = queue_.erase(it);
      }
    }
  }

  std::vector<TileResult> TakeReady() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<TileResult> out;
    out.swap(ready_);
    for (const TileResult& r : out) busy_.erase(r.key);
    return out;
  }

  const std::vector<PackInfo>& packs() const override { return infos_; }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      TileKey key = queue_.front();
      queue_.pop_front();
      where_.erase(key);
      busy_.insert(key);
      lock.unlock();
      TileResult result = Load(key);
      lock.lock();
      ready_.push_back(std::move(result));
      if (on_ready_) {
        lock.unlock();
        on_ready_();
        lock.lock();
      }
    }
  }

  // Reads `key` from the best pack that has it (RankPacksForTile, map_packs.h)
  // and decodes it; from a pack that stops below key.z, the part of its
  // deepest ancestor tile that covers `key`. Runs unlocked (the packs guard
  // their own connections).
  TileResult Load(TileKey key) {
    TileResult r;
    r.key = key;
    for (const PackChoice& choice : RankPacksForTile(infos_, key.z)) {
      const PackInfo& info = infos_[choice.pack];
      const TilePart part = AncestorPart(key, choice.zoom);
      if (key.z - choice.zoom > kMaxOverzoom) continue;  // a few pixels of it at most
      Result<std::optional<std::string>> bytes = packs_[choice.pack]->ReadTile(part.tile);
      if (!bytes.ok()) {
        r.pack_id = info.id;
        r.error = bytes.status().message();
        return r;
      }
      if (!*bytes) continue;
      r.pack_id = info.id;
      Result<media::RgbaImage> image = media::DecodeImageToRgba(**bytes, TileLimits());
      if (!image.ok()) {
        r.error = "tile " + std::to_string(part.tile.z) + "/" + std::to_string(part.tile.x) + "/" +
                  std::to_string(part.tile.y) + " of " + info.name + " cannot be drawn: " + image.status().message();
        return r;
      }
      r.image = Crop(*image, part);
      return r;
    }
    r.missing = true;
    return r;
  }

  // The part of a decoded tile that `part` names (all of it for the tile itself).
  static TileImage Crop(media::RgbaImage& image, const TilePart& part) {
    TileImage out;
    if (part.u0 == 0 && part.v0 == 0 && part.u1 == 1 && part.v1 == 1) {
      out.width = image.width;
      out.height = image.height;
      out.rgba = std::move(image.pixels);
      return out;
    }
    const int x0 = static_cast<int>(part.u0 * image.width), x1 = static_cast<int>(part.u1 * image.width);
    const int y0 = static_cast<int>(part.v0 * image.height), y1 = static_cast<int>(part.v1 * image.height);
    out.width = std::max(1, x1 - x0);
    out.height = std::max(1, y1 - y0);
    out.rgba.resize(static_cast<size_t>(out.width) * out.height * 4);
    for (int y = 0; y < out.height; ++y) {
      const uint8_t* from = image.pixels.data() + (static_cast<size_t>(y0 + y) * image.width + x0) * 4;
      const size_t row = static_cast<size_t>(out.width) * 4;
      std::copy(from, from + row, out.rgba.data() + static_cast<size_t>(y) * row);
    }
    return out;
  }

  const std::vector<std::unique_ptr<MbTiles>> packs_;
  std::vector<PackInfo> infos_;
  const std::function<void()> on_ready_;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  bool stop_ = false;
  std::list<TileKey> queue_;  // front: the newest request
  std::unordered_map<TileKey, std::list<TileKey>::iterator, TileKeyHash> where_;
  std::unordered_set<TileKey, TileKeyHash> busy_;  // being read, or ready and not taken
  std::vector<TileResult> ready_;

  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace

std::unique_ptr<TileLoader> TileLoader::Start(std::vector<std::unique_ptr<MbTiles>> packs,
                                              std::function<void()> on_ready) {
  return std::make_unique<WorkerTileLoader>(std::move(packs), std::move(on_ready));
}

}  // namespace ccfield::maps
