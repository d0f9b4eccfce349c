// The streaming area-average downscaler and the long-edge fit (media/src/box_scaler.h):
// exact averages over the area each output pixel covers, not a nearest pixel.
#include "box_scaler.h"

#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

using ccfield::media::ApplyOrientation;
using ccfield::media::BoxScaler;
using ccfield::media::FitLongEdge;
using ccfield::media::RgbImage;
using ccfield::media::ShrinkToFit;

namespace {

// A one-channel-looking image: every pixel's R = G = B = values[i].
RgbImage Grey(int width, int height, const std::vector<int>& values) {
  RgbImage image;
  image.width = width, image.height = height;
  for (int v : values) image.rgb.insert(image.rgb.end(), 3, uint8_t(v));
  return image;
}

std::vector<int> Reds(const RgbImage& image) {
  std::vector<int> out;
  for (std::size_t i = 0; i < image.rgb.size(); i += 3) out.push_back(image.rgb[i]);
  return out;
}

}  // namespace

TEST_CASE("FitLongEdge rounds to the nearest pixel and never enlarges") {
  int w = 0, h = 0;
  FitLongEdge(4000, 3000, 1600, &w, &h);
  CHECK((w == 1600 && h == 1200));
  FitLongEdge(3000, 4000, 1600, &w, &h);
  CHECK((w == 1200 && h == 1600));
  FitLongEdge(1000, 800, 256, &w, &h);
  CHECK((w == 256 && h == 205));
  FitLongEdge(1000, 800, 1600, &w, &h);
  CHECK((w == 1000 && h == 800));
  FitLongEdge(65000, 1, 100, &w, &h);
  CHECK((w == 100 && h == 1));
}

TEST_CASE("BoxScaler averages the covered area with fractional edges") {
  // 3 -> 2 columns: [0, 1.5) and [1.5, 3): (0 + 90 / 2) / 1.5 = 30, (90 / 2 + 180) / 1.5 = 150.
  CHECK(Reds(ShrinkToFit(Grey(3, 1, {0, 90, 180}), 2)) == std::vector<int>{30, 150});
  // 4x2 -> 2x1: each output pixel is the mean of a 2x2 block.
  CHECK(Reds(ShrinkToFit(Grey(4, 2, {0, 40, 100, 100, 80, 120, 200, 0}), 2)) == std::vector<int>{60, 100});
  // A 1-pixel checkerboard shrunk by 2 is flat grey, where nearest-neighbour would give black or white.
  std::vector<int> checker;
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) checker.push_back((x + y) % 2 ? 255 : 0);
  }
  for (int v : Reds(ShrinkToFit(Grey(8, 8, checker), 4))) CHECK(v == 128);
  // 3 rows -> 2: the middle row is shared half and half.
  RgbImage tall = ShrinkToFit(Grey(2, 3, {0, 0, 90, 90, 180, 180}), 2);  // 2x3 -> 1x2 (1.33 rounds to 1)
  CHECK(tall.width == 1);
  CHECK(Reds(tall) == std::vector<int>{30, 150});
}

TEST_CASE("BoxScaler ignores rows past the input and reports completion") {
  BoxScaler scaler(2, 2, 1, 1);
  const uint8_t row[6] = {10, 20, 30, 50, 60, 70};
  scaler.PushRow(row);
  CHECK_FALSE(scaler.complete());
  scaler.PushRow(row);
  CHECK(scaler.complete());
  scaler.PushRow(row);
  RgbImage out = scaler.Take();
  CHECK(out.rgb == std::vector<uint8_t>{30, 40, 50});
}

TEST_CASE("ApplyOrientation maps a 2x1 image for every orientation") {
  const RgbImage image = Grey(2, 1, {1, 2});
  CHECK(Reds(ApplyOrientation(image, 1)) == std::vector<int>{1, 2});
  CHECK(Reds(ApplyOrientation(image, 2)) == std::vector<int>{2, 1});
  CHECK(Reds(ApplyOrientation(image, 3)) == std::vector<int>{2, 1});
  CHECK(Reds(ApplyOrientation(image, 4)) == std::vector<int>{1, 2});
  for (int o : {5, 6, 7, 8}) {
    RgbImage turned = ApplyOrientation(image, o);
    CHECK(turned.width == 1);
    CHECK(turned.height == 2);
  }
  CHECK(Reds(ApplyOrientation(image, 5)) == std::vector<int>{1, 2});  // transpose: left becomes top
  CHECK(Reds(ApplyOrientation(image, 6)) == std::vector<int>{1, 2});  // 90 clockwise: left becomes top
  CHECK(Reds(ApplyOrientation(image, 8)) == std::vector<int>{2, 1});  // 90 anticlockwise: right becomes top
  CHECK(Reds(ApplyOrientation(image, 7)) == std::vector<int>{2, 1});
}
