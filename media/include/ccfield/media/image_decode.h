#pragma once
// A JPEG or PNG decoded whole to RGBA, for pictures that are not photos (map
// tiles): the photo codec's decoders, sniffing and limits behind one call. A
// pure function of its bytes, safe to call from any thread at once.
#include <string_view>

#include "ccfield/core/status.h"
#include "ccfield/media/photo_codec.h"

namespace ccfield::media {

// Decodes `bytes` (JPEG or PNG) at its own size to RGBA8, rows top to bottom,
// alpha 255: a PNG's transparency is composited on white, as for photos. The
// file size and pixel count are checked against `limits` from the header,
// before anything the size of the image is allocated; a cut, damaged or
// other file is refused with a plain sentence. Nothing throws.
Result<RgbaImage> DecodeImageToRgba(std::string_view bytes, const PhotoLimits& limits = {});

}  // namespace ccfield::media
