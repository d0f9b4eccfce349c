#pragma once
// libpng, behind two calls: read the header (and eXIf) and decode shrunk,
// row by row into the box downscaler. Every PNG becomes RGB8: palette, grey,
// 16-bit and transparency are expanded, alpha is composited on white. As in
// jpeg_codec.cpp, libpng's longjmp stays inside small C-style functions.

#include <string>
#include <string_view>

#include "box_scaler.h"
#include "ccfield/core/status.h"
#include "ccfield/media/photo_codec.h"

namespace ccfield::media {

// An interlaced PNG is decoded whole (4 bytes per pixel), so above this it is refused.
constexpr uint64_t kMaxInterlacedPngPixels = 16'000'000;

struct PngHeader {
  int width = 0, height = 0;
  bool interlaced = false;
  std::string exif;  // "Exif\0\0" + the eXIf chunk, or empty
};

// Reads the chunks before the image data. Refuses a cut or damaged header, a
// pixel count over limits.max_pixels and an interlaced PNG over
// kMaxInterlacedPngPixels.
Result<PngHeader> ReadPngHeader(std::string_view png, const PhotoLimits& limits);

// Decodes `png` as RGB shrunk to out_width x out_height (<= its size).
// Refuses a file whose image data is cut short or damaged.
Result<RgbImage> DecodePng(std::string_view png, const PngHeader& header, int out_width, int out_height);

}  // namespace ccfield::media
