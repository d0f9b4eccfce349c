#pragma once
// Real photo files for tests and benches, written with libjpeg, libpng and
// libexif: JPEGs (baseline, progressive, grey, CMYK/YCCK) with optional EXIF
// (orientation, time, GPS, make/model, a huge maker note), and PNGs in every
// colour type. Two kinds of content: "realistic" (smooth gradients, shapes,
// grain and seeded noise: a 4000x3000 JPEG at quality 92 is ~3.5 MB, like a
// phone photo) and "quadrants" (flat red / blue / green / white quarters, so
// a test can see where each corner went). Generators abort on misuse.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccfield::testing {

enum class TestContent {
  kRealistic,
  kQuadrants,  // top-left red, top-right blue, bottom-left green, bottom-right white
};

// The quadrant colours, as stored (before any EXIF orientation).
inline constexpr std::array<uint8_t, 3> kTestRed{255, 0, 0};
inline constexpr std::array<uint8_t, 3> kTestBlue{0, 0, 255};
inline constexpr std::array<uint8_t, 3> kTestGreen{0, 255, 0};
inline constexpr std::array<uint8_t, 3> kTestWhite{255, 255, 255};

// What MakeTestExif writes; fields left empty are not written.
struct TestExif {
  std::optional<int> orientation;                   // IFD0 Orientation (SHORT)
  std::optional<std::string> date_time_original;    // "2026:10:14 08:05:00"
  std::optional<std::string> offset_time_original;  // "+03:00"
  // GPS: degrees/minutes/seconds with N/S and E/W refs from the sign.
  std::optional<double> lat, lon, altitude_m;
  std::string make, model;
  size_t maker_note_bytes = 0;    // a MakerNote of this many bytes (a "huge EXIF")
  size_t user_comment_bytes = 0;  // a UserComment of this many bytes
};

// "Exif\0\0" + the TIFF structure (little-endian), as a JPEG's APP1 holds it.
std::string MakeTestExif(const TestExif& exif);

enum class TestJpegColor { kYCbCr, kGrey, kCmyk, kYcck };

struct TestJpegOptions {
  int width = 640, height = 480;
  int quality = 90;
  TestContent content = TestContent::kRealistic;
  uint32_t seed = 1;
  TestJpegColor color = TestJpegColor::kYCbCr;
  bool progressive = false;
  std::optional<TestExif> exif;
  // Written as the APP1 segment verbatim (instead of `exif`), e.g. a damaged EXIF block.
  std::optional<std::string> raw_app1;
};

std::string MakeTestJpeg(const TestJpegOptions& options);

// Options for a width x height photo with the defaults otherwise.
inline TestJpegOptions JpegOfSize(int width, int height) {
  TestJpegOptions o;
  o.width = width, o.height = height;
  return o;
}

enum class TestPngKind { kRgb, kRgba, kPalette, kRgb16, kGrey, kGreyAlpha };

struct TestPngOptions {
  int width = 64, height = 48;
  TestPngKind kind = TestPngKind::kRgb;
  TestContent content = TestContent::kQuadrants;
  uint32_t seed = 1;
  bool interlaced = false;
  // kRgba / kGreyAlpha: the bottom-right quadrant is fully transparent black,
  // the rest opaque (composited on white it must come out white).
  std::optional<TestExif> exif;  // written as an eXIf chunk
};

std::string MakeTestPng(const TestPngOptions& options);

inline TestPngOptions PngOfSize(int width, int height, bool interlaced = false) {
  TestPngOptions o;
  o.width = width, o.height = height, o.interlaced = interlaced;
  return o;
}

// The content's pixel (RGB) at (x, y) of a width x height image.
std::array<uint8_t, 3> TestContentPixel(TestContent content, uint32_t seed, int width, int height, int x, int y);

// `jpeg` with its SOF header saying width x height (the image data is left as it was).
std::string WithJpegSize(std::string jpeg, int width, int height);
// `png` with its IHDR saying width x height (CRC recomputed).
std::string WithPngSize(std::string png, int width, int height);

}  // namespace ccfield::testing
