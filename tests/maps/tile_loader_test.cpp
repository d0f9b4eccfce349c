// TileLoader over real packs written by the test: decoded pixels the right
// way up (PNG and JPEG), newest request first, moved to the front when asked
// again, KeepOnly, missing tiles, bad tile bytes as an error result, the
// pack chosen per tile when several cover it (RankPacksForTile), overzoom
// from a pack that stops below the tile's zoom. The order test holds the worker in a gate wrapped
// around a real pack, so what it reads next is decided by the queue alone.
#include "ccfield/maps/tile_loader.h"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "maps/test_packs.h"
#include "support/status_checks.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace doctest {
template <>
struct StringMaker<ccfield::maps::TileKey> {
  static String convert(const ccfield::maps::TileKey& k) {
    return (std::to_string(k.z) + "/" + std::to_string(k.x) + "/" + std::to_string(k.y)).c_str();
  }
};
}  // namespace doctest

namespace ccfield::maps {
namespace {

using testing::TempDir;
using testing::Unwrap;

constexpr int kWaitMs = 20'000;  // a fail-safe against a hang, not a speed check

std::unique_ptr<MbTiles> OpenPack(const TempDir& dir, const std::string& name, const testing::RawPack& raw) {
  testing::WriteRawPack(dir.File(name), raw);
  return Unwrap(MbTiles::Open(dir.File(name)));
}

// Takes results until `n` have come (or the fail-safe passes).
std::vector<TileResult> TakeN(TileLoader* loader, size_t n) {
  std::vector<TileResult> all;
  testing::WaitFor(
      [&] {
        for (TileResult& r : loader->TakeReady()) all.push_back(std::move(r));
        return all.size() >= n;
      },
      kWaitMs);
  return all;
}

std::array<int, 4> Pixel(const TileImage& im, int x, int y) {
  const uint8_t* p = &im.rgba[(size_t(y) * im.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

// A real pack whose reads wait at a gate, recording the order of the keys read.
class GatedPack final : public MbTiles {
 public:
  explicit GatedPack(std::unique_ptr<MbTiles> real) : real_(std::move(real)) {}
  const PackInfo& info() const override { return real_->info(); }
  Status CheckIntegrity() override { return real_->CheckIntegrity(); }
  Result<std::optional<std::string>> ReadTile(TileKey key) override {
    std::unique_lock<std::mutex> lock(mu_);
    read_.push_back(key);
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    return real_->ReadTile(key);
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  size_t reads() {
    std::lock_guard<std::mutex> lock(mu_);
    return read_.size();
  }
  std::vector<TileKey> read() {
    std::lock_guard<std::mutex> lock(mu_);
    return read_;
  }

 private:
  std::unique_ptr<MbTiles> real_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  std::vector<TileKey> read_;
};

TEST_CASE("tiles come back decoded to RGBA the right way up, PNG and JPEG") {
  TempDir dir;
  testing::RawPack raw = testing::PngPack({{3, 2, 1}});
  raw.tiles.push_back({3, 5, 1, testing::QuadrantJpeg()});  // a JPEG in a PNG pack still decodes
  std::vector<std::unique_ptr<MbTiles>> packs;
  packs.push_back(OpenPack(dir, "q.mbtiles", raw));
  std::atomic<int> woken{0};
  auto loader = TileLoader::Start(std::move(packs), [&] { ++woken; });
  REQUIRE(loader->packs().size() == 1);
  CHECK(loader->packs()[0].id == "q");
  loader->Request({3, 2, 1});
  loader->Request({3, 5, 8 - 1 - 1});
  std::vector<TileResult> got = TakeN(loader.get(), 2);
  REQUIRE(got.size() == 2);
  CHECK(woken.load() == 2);
  for (const TileResult& r : got) {
    INFO("tile " << r.key.x);
    CHECK(r.error == "");
    CHECK_FALSE(r.missing);
    CHECK(r.pack_id == "q");
    REQUIRE(r.image.width == 256);
    REQUIRE(r.image.height == 256);
    REQUIRE(r.image.rgba.size() == 256u * 256u * 4u);
    auto near = [](std::array<int, 4> got_px, std::array<int, 4> want) {
      for (int i = 0; i < 4; ++i) {
        if (std::abs(got_px[i] - want[i]) > 12) return false;
      }
      return true;
    };
    CHECK(near(Pixel(r.image, 10, 10), {255, 0, 0, 255}));        // top-left red
    CHECK(near(Pixel(r.image, 245, 10), {0, 0, 255, 255}));       // top-right blue
    CHECK(near(Pixel(r.image, 10, 245), {0, 255, 0, 255}));       // bottom-left green
    CHECK(near(Pixel(r.image, 245, 245), {255, 255, 255, 255}));  // bottom-right white
  }
}

TEST_CASE("the newest request is served first, a repeated one moves up, KeepOnly drops the rest") {
  TempDir dir;
  const TileKey a{5, 1, 1}, b{5, 2, 2}, c{5, 3, 3}, d{5, 4, 4};
  auto gated = std::make_unique<GatedPack>(OpenPack(dir, "g.mbtiles", testing::PngPack({a, b, c, d})));
  GatedPack* gate = gated.get();
  std::vector<std::unique_ptr<MbTiles>> packs;
  packs.push_back(std::move(gated));
  auto loader = TileLoader::Start(std::move(packs));
  loader->Request(a);
  REQUIRE(testing::WaitFor([&] { return gate->reads() == 1; }, kWaitMs));  // the worker holds a at the gate
  loader->Request(b);
  loader->Request(c);
  loader->Request(d);           // queue, newest first: d c b
  loader->Request(b);           // b c... moved: b d c
  loader->Request(a);           // a is being read: not queued again
  loader->KeepOnly({a, b, d});  // c is no longer wanted
  gate->Open();
  std::vector<TileResult> got = TakeN(loader.get(), 3);
  REQUIRE(got.size() == 3);
  CHECK(gate->read() == std::vector<TileKey>{a, b, d});
  CHECK(got[0].key == a);
  CHECK(got[1].key == b);
  CHECK(got[2].key == d);
  // Nothing else arrives: c was dropped and a was not read twice.
  loader->Request({5, 9, 9});
  std::vector<TileResult> last = TakeN(loader.get(), 1);
  REQUIRE(last.size() == 1);
  CHECK(last[0].key == TileKey{5, 9, 9});
  CHECK(gate->read().size() == 4);
}

TEST_CASE("a missing tile, bad tile bytes and a tile only in the second pack") {
  TempDir dir;
  testing::RawPack first = testing::PngPack({{4, 1, 1}}, "First");
  first.tiles.push_back({4, 2, 16 - 1 - 2, "these bytes are not an image"});
  std::string cut = testing::QuadrantPng();
  first.tiles.push_back({4, 3, 16 - 1 - 3, cut.substr(0, cut.size() / 2)});
  testing::RawPack second = testing::PngPack({{4, 1, 1}, {4, 7, 7}}, "Second");
  std::vector<std::unique_ptr<MbTiles>> packs;
  packs.push_back(OpenPack(dir, "first.mbtiles", first));
  packs.push_back(OpenPack(dir, "second.mbtiles", second));
  auto loader = TileLoader::Start(std::move(packs));
  for (TileKey k :
       {TileKey{4, 1, 1}, TileKey{4, 2, 2}, TileKey{4, 3, 3}, TileKey{4, 7, 7}, TileKey{4, 8, 8}, TileKey{9, 0, 0}}) {
    loader->Request(k);
  }
  std::vector<TileResult> got = TakeN(loader.get(), 6);
  REQUIRE(got.size() == 6);
  std::unordered_map<TileKey, TileResult, TileKeyHash> by_key;
  for (TileResult& r : got) by_key[r.key] = std::move(r);
  CHECK(by_key[{4, 1, 1}].pack_id == "second");  // in both, at their zooms: the most recently added wins
  CHECK(by_key[{4, 1, 1}].image.width == 256);
  CHECK(by_key[{4, 7, 7}].pack_id == "second");
  CHECK(by_key[{4, 7, 7}].error == "");
  CHECK(by_key[{4, 8, 8}].missing);
  CHECK(by_key[{4, 8, 8}].error == "");
  CHECK(by_key[{9, 0, 0}].missing);  // outside every pack's zooms
  for (TileKey bad : {TileKey{4, 2, 2}, TileKey{4, 3, 3}}) {
    const TileResult& r = by_key[bad];
    INFO(r.error);
    CHECK_FALSE(r.missing);
    CHECK(r.pack_id == "first");
    CHECK(r.error.find("of First cannot be drawn") != std::string::npos);
    CHECK(r.image.rgba.empty());
  }
}

TEST_CASE("a loader with work queued stops promptly when destroyed") {
  TempDir dir;
  std::vector<TileKey> keys;
  for (int x = 0; x < 64; ++x) keys.push_back({6, x, 0});
  std::vector<std::unique_ptr<MbTiles>> packs;
  packs.push_back(OpenPack(dir, "p.mbtiles", testing::PngPack(keys)));
  auto loader = TileLoader::Start(std::move(packs));
  for (TileKey k : keys) loader->Request(k);
  loader.reset();  // joins; the queued work is dropped
  CHECK(loader == nullptr);
}

}  // namespace
}  // namespace ccfield::maps

namespace ccfield::maps {
namespace {

TEST_CASE("several packs: each tile comes from the pack whose zooms serve it best, overzoomed when none has it") {
  TempDir dir;
  // Added in this order: a region (zooms 10 to 12), a town (10 to 11), a district (14 only);
  // a pack's zooms are those of its tiles.
  const TileKey region10{10, 600, 500}, region12{12, 2400, 2000};
  std::vector<std::unique_ptr<MbTiles>> packs;
  packs.push_back(OpenPack(dir, "region.mbtiles", testing::PngPack({region10, region12}, "Region")));
  packs.push_back(OpenPack(dir, "town.mbtiles", testing::PngPack({region10, {11, 1200, 1000}}, "Town")));
  packs.push_back(OpenPack(dir, "district.mbtiles", testing::PngPack({{14, 9600, 8000}}, "District")));
  auto loader = TileLoader::Start(std::move(packs));
  // 14/9601/8001 is outside the district: the region's 12/2400/2000 (its
  // deepest zoom, above the town's 11) enlarged: its quarter at (1, 1) of 4 x 4.
  const TileKey over{14, 9601, 8001};
  for (TileKey k : {region10, region12, TileKey{11, 1200, 1000}, TileKey{14, 9600, 8000}, over}) loader->Request(k);
  std::vector<TileResult> got = TakeN(loader.get(), 5);
  REQUIRE(got.size() == 5);
  std::unordered_map<TileKey, TileResult, TileKeyHash> by_key;
  for (TileResult& r : got) by_key[r.key] = std::move(r);
  CHECK(by_key[region10].pack_id == "town");  // both hold zoom 10: the most recently added
  CHECK(by_key[region12].pack_id == "region");  // only the region holds zoom 12
  CHECK(by_key[{11, 1200, 1000}].pack_id == "town");
  CHECK(by_key[{14, 9600, 8000}].pack_id == "district");
  CHECK(by_key[{14, 9600, 8000}].image.width == 256);
  const TileResult& r = by_key[over];
  INFO(r.error);
  CHECK_FALSE(r.missing);
  CHECK(r.pack_id == "region");
  REQUIRE(r.image.width == 64);
  REQUIRE(r.image.height == 64);
  REQUIRE(r.image.rgba.size() == 64u * 64 * 4);
  // The 4 x 4 part at column 1, row 1 lies in the quadrant tile's top-left (red) quarter.
  const std::array<int, 4> px = Pixel(r.image, 32, 32);
  CHECK(px[0] > 200);
  CHECK(px[1] < 60);
  CHECK(px[2] < 60);
}

}  // namespace
}  // namespace ccfield::maps
