#pragma once
// What kind of file a photo is, from its first bytes, and the limit checks
// every entry point runs before decoding. The messages name the problem and
// what to do, for the person holding the tablet.

#include <cstdint>
#include <string_view>

#include "ccfield/core/status.h"
#include "ccfield/media/photo_codec.h"

namespace ccfield::media {

// JPEG or PNG; refuses an empty file, one over limits.max_file_bytes, and
// anything else, naming GIF, WebP, HEIC, AVIF, TIFF and BMP by their magic.
Result<ImageFormat> SniffPhoto(std::string_view bytes, const PhotoLimits& limits);

// Refuses a width x height over limits.max_pixels ("the photo has 64
// megapixels; photos over 60 megapixels are refused").
Status CheckPixels(uint64_t width, uint64_t height, const PhotoLimits& limits);

// The messages shared by the JPEG and PNG readers.
Status CutShortError();
Status DamagedError(std::string_view detail);

}  // namespace ccfield::media
