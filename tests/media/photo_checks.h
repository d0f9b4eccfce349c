#pragma once
// What the photo codec tests look at in an output: its pixels (decoded with
// the module's own DecodeJpegToRgba, itself checked against known content),
// the colour at a quadrant's centre, and the JPEG's marker segments.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/media/photo_codec.h"
#include "support/status_checks.h"
#include "test_photos.h"

namespace ccfield::testing {

// The RGB at (x, y) of an RGBA image.
inline std::array<uint8_t, 3> PixelAt(const media::RgbaImage& image, int x, int y) {
  const size_t at = (size_t(y) * image.width + x) * 4;
  return {image.pixels[at], image.pixels[at + 1], image.pixels[at + 2]};
}

inline bool Near(const std::array<uint8_t, 3>& a, const std::array<uint8_t, 3>& b, int tolerance = 24) {
  for (int c = 0; c < 3; ++c) {
    if (std::abs(int(a[c]) - int(b[c])) > tolerance) return false;
  }
  return true;
}

inline std::string Show(const std::array<uint8_t, 3>& p) {
  return std::to_string(p[0]) + "," + std::to_string(p[1]) + "," + std::to_string(p[2]);
}

// The colours at the centres of the four quadrants: top-left, top-right, bottom-left, bottom-right.
inline std::array<std::array<uint8_t, 3>, 4> QuadrantColours(std::string_view jpeg) {
  media::RgbaImage image = Unwrap(media::DecodeJpegToRgba(jpeg, 100000));
  const int w = image.width, h = image.height;
  return {PixelAt(image, w / 4, h / 4), PixelAt(image, 3 * w / 4, h / 4), PixelAt(image, w / 4, 3 * h / 4),
          PixelAt(image, 3 * w / 4, 3 * h / 4)};
}

// The marker bytes (0xE0 for APP0, 0xDA for SOS, ...) of the segments before
// the first scan, in order; the walk stops at the first SOS.
inline std::vector<int> MarkersBeforeScan(std::string_view jpeg) {
  std::vector<int> markers;
  size_t at = 2;
  while (at + 4 <= jpeg.size() && uint8_t(jpeg[at]) == 0xFF) {
    const int marker = uint8_t(jpeg[at + 1]);
    markers.push_back(marker);
    if (marker == 0xDA) break;
    at += 2 + ((uint8_t(jpeg[at + 2]) << 8) | uint8_t(jpeg[at + 3]));
  }
  return markers;
}

// No EXIF or other metadata: only JFIF (APP0), tables, a baseline SOF0 and
// the scan; no APP1 and no "Exif" anywhere in the bytes.
inline void CheckBareBaselineJpeg(std::string_view jpeg) {
  REQUIRE(jpeg.size() > 4);
  CHECK(jpeg.substr(0, 2) == "\xFF\xD8");
  CHECK(jpeg.substr(jpeg.size() - 2) == "\xFF\xD9");
  CHECK(jpeg.find("\xFF\xE1") == std::string_view::npos);
  CHECK(jpeg.find("Exif") == std::string_view::npos);
  std::vector<int> markers = MarkersBeforeScan(jpeg);
  REQUIRE(!markers.empty());
  CHECK(markers.back() == 0xDA);
  for (int m : markers) {
    CAPTURE(m);
    CHECK((m == 0xE0 || m == 0xDB || m == 0xC0 || m == 0xC4 || m == 0xDA));
  }
}

}  // namespace ccfield::testing
