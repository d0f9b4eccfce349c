// The photo textures cache (views/photo_textures.h) over the real decoding
// thread (app::PhotoImages) and real blobs: an image is asked for, decoded
// off the main thread, handed over through the MainQueue and uploaded; the
// least recently drawn textures go first when the byte cap is passed, and
// never while a frame may still name them. The renderer is the one thing
// stood in for: a TextureMaker that keeps the pixels it was given.
#include "views/photo_textures.h"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <thread>

#include "app/main_queue.h"
#include "app/photos.h"
#include "ccfield/core/blob_files.h"
#include "ccfield/platform/env.h"
#include "support/temp_dir.h"
#include "support/test_photos.h"

namespace ccfield::view_test {
namespace {

// A test photo: four quadrants, red, blue, green and white (support/test_photos.h).
std::string Jpeg(int width, int height) {
  testing::TestJpegOptions o = testing::JpegOfSize(width, height);
  o.content = testing::TestContent::kQuadrants;
  return testing::MakeTestJpeg(o);
}

class KeptTextures final : public views::TextureMaker {
 public:
  ImTextureID Create(int width, int height, const uint8_t* rgba, std::string*) override {
    const intptr_t id = ++next_;
    live[id] = std::vector<uint8_t>(rgba, rgba + static_cast<size_t>(width) * height * 4);
    return reinterpret_cast<ImTextureID>(id);
  }
  void Destroy(ImTextureID t) override { live.erase(reinterpret_cast<intptr_t>(t)); }
  int MaxSize() const override { return 4096; }
  std::map<intptr_t, std::vector<uint8_t>> live;

 private:
  intptr_t next_ = 0;
};

// Frames (drain + BeginFrame) until `done`; false after 20 s (a wedged thread).
template <typename F>
bool FramesUntil(app::MainQueue& queue, views::PhotoTextures& cache, F done) {
  for (int i = 0; i < 2000; ++i) {
    queue.Drain();
    cache.BeginFrame();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST_CASE("photo textures: decoded off the main thread, uploaded, least recently drawn freed past the cap") {
  testing::TempDir dir;
  FakeEnv env(dir.path());
  BlobFiles blobs(&env, dir.File("blobs"));
  const std::string red = blobs.Put(Jpeg(200, 100)).value();
  const std::string blue = blobs.Put(Jpeg(100, 200)).value();
  app::MainQueue queue;
  app::PhotoImages images(&env, dir.File("blobs"), &queue);
  KeptTextures maker;
  // Room for one 200x100 image (80 000 bytes) and not two.
  views::PhotoTextures cache(&maker, &images, 120'000);

  const views::PhotoTextures::Texture* t = &cache.Blob(red, 256);
  CHECK(t->pending);
  CHECK(t->id == nullptr);
  REQUIRE(FramesUntil(queue, cache, [&] { return cache.Blob(red, 256).id != nullptr; }));
  t = &cache.Blob(red, 256);
  CHECK(t->width == 200);
  CHECK(t->height == 100);
  REQUIRE(maker.live.size() == 1);
  const std::vector<uint8_t>& px = maker.live.begin()->second;
  REQUIRE(px.size() == 200u * 100 * 4);
  CHECK(px[0] > 230);  // red, as decoded
  CHECK(px[1] < 30);
  CHECK(px[2] < 30);
  CHECK(px[3] == 255);
  CHECK(cache.bytes() == 80'000);

  // A second image passes the cap: the red one, drawn longer ago, goes at the next frame start.
  REQUIRE(FramesUntil(queue, cache, [&] { return cache.Blob(blue, 256).id != nullptr; }));
  cache.BeginFrame();
  CHECK(maker.live.size() == 1);
  CHECK(cache.count() == 1);
  CHECK(cache.bytes() == 80'000);
  CHECK(cache.Blob(blue, 256).id != nullptr);
  // Asked for again, the red one is decoded again.
  CHECK(cache.Blob(red, 256).pending);

  // A blob that is not a photo: the reason, no texture.
  const std::string text = blobs.Put("not a photo at all").value();
  REQUIRE(FramesUntil(queue, cache, [&] { return !cache.Blob(text, 256).pending; }));
  CHECK(cache.Blob(text, 256).id == nullptr);
  CHECK_FALSE(cache.Blob(text, 256).error.empty());
  // Shrunk to the long edge asked for.
  REQUIRE(FramesUntil(queue, cache, [&] { return cache.Blob(red, 50).id != nullptr; }));
  CHECK(cache.Blob(red, 50).width == 50);
  CHECK(cache.Blob(red, 50).height == 25);
  images.Stop();
}

}  // namespace
}  // namespace ccfield::view_test
