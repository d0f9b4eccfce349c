#pragma once
// The photo codec (media/): reads a phone photo (JPEG or PNG) and its EXIF,
// and makes the two copies that travel (docs/sync-protocol.md, "Photos:
// blobs"): the send copy and the thumbnail, both baseline JPEG without any
// metadata. It also decodes a stored JPEG for the window. Everything here is
// a pure function of its input bytes: no files, no threads, no globals, safe
// to call from any thread at once.
//
// Untrusted input: every function refuses, with a plain sentence for the
// person holding the tablet, a file that is not a JPEG/PNG, is cut short or
// damaged, or is over the limits; the pixel count is checked from the header
// before anything the size of the image is allocated. Shrinking a 12 MP
// JPEG needs ~12 MB besides the file itself (libjpeg's DCT scaling, a
// streaming area-average downscaler; bench/photo_bench.cpp measures it); a
// progressive JPEG adds libjpeg's coefficient buffer, 2 bytes per pixel and
// component (~36 MB at 12 MP; libjpeg is capped at 256 MB in all).
// Nothing throws: a failed allocation is refused like a photo too large.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/status.h"

namespace ccfield::media {

// What a photo may be. Over these the photo is refused before decoding.
struct PhotoLimits {
  uint64_t max_file_bytes = 50ull << 20;
  uint64_t max_pixels = 60'000'000;
};

// The copies to make: the send copy's long edge and JPEG quality, the
// thumbnail's. Neither is ever larger than the photo.
struct PhotoSize {
  int long_edge = 1600;
  int quality = 80;
  int thumb_edge = 256;
  int thumb_quality = 70;
};

enum class ImageFormat { kJpeg, kPng };

struct PhotoMeta {
  ImageFormat format = ImageFormat::kJpeg;
  int width = 0, height = 0;  // as shown, after the EXIF orientation is applied
  int orientation = 1;        // EXIF 1..8 (1 when absent or invalid)
  // DateTimeOriginal as "2026-10-14T08:05:00" (the camera's local time).
  std::optional<std::string> taken_local;
  // OffsetTimeOriginal ("+03:00") when the file has a valid one next to a
  // valid DateTimeOriginal (an offset alone says nothing).
  std::optional<std::string> taken_offset;
  // EXIF GPS in decimal degrees, negative south and west; only when valid
  // (|lat| <= 90, |lon| <= 180, not 0/0 as a GPS without a fix writes).
  std::optional<double> lat, lon;
  std::optional<double> altitude_m;  // negative below sea level
};

struct EncodedJpeg {
  std::string bytes;
  int width = 0, height = 0;
};

struct PhotoCopies {
  PhotoMeta meta;
  EncodedJpeg send;
  EncodedJpeg thumb;
};

// The header and EXIF only (no decoding of the image data): format, size as
// shown, orientation, time and position. Refuses what MakePhotoCopies would
// refuse before decoding (not a photo, an unsupported format, over the
// limits, a damaged or cut header). A photo whose image data is cut short
// passes here and is refused by MakePhotoCopies.
Result<PhotoMeta> ProbePhoto(std::string_view file_bytes, const PhotoLimits& limits = {});

// The send copy (long edge <= size.long_edge, never upscaled; baseline JPEG
// at size.quality, YCbCr 4:2:0, no EXIF or other metadata) and the thumbnail
// (long edge <= size.thumb_edge) made from the send copy's pixels. The EXIF
// orientation is applied to the pixels of both. Refuses a photo that is cut
// short or damaged anywhere (libjpeg would fill the missing part with grey).
Result<PhotoCopies> MakePhotoCopies(std::string_view file_bytes, const PhotoSize& size = {},
                                    const PhotoLimits& limits = {});

// RGBA8 pixels, rows top to bottom, 4 bytes per pixel, alpha always 255.
struct RgbaImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

// Decodes a stored JPEG (thumbnail or send copy) for the window, shrunk so
// that its long edge is <= max_edge (never enlarged). The EXIF orientation is
// not applied: the copies this module makes carry none. REQUIRES: max_edge >= 1.
Result<RgbaImage> DecodeJpegToRgba(std::string_view jpeg_bytes, int max_edge, const PhotoLimits& limits = {});

}  // namespace ccfield::media
