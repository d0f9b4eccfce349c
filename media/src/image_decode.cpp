// JPEG/PNG to RGBA at full size; see ccfield/media/image_decode.h.
#include "ccfield/media/image_decode.h"

#include <new>

#include "box_scaler.h"
#include "image_sniff.h"
#include "jpeg_codec.h"
#include "png_decoder.h"

namespace ccfield::media {
namespace {

Result<RgbImage> DecodeRgb(std::string_view bytes, const PhotoLimits& limits) {
  CCF_ASSIGN_OR_RETURN(ImageFormat format, SniffPhoto(bytes, limits));
  if (format == ImageFormat::kJpeg) {
    CCF_ASSIGN_OR_RETURN(JpegHeader header, ReadJpegHeader(bytes, limits));
    return DecodeJpeg(bytes, header, header.width, header.height);
  }
  CCF_ASSIGN_OR_RETURN(PngHeader header, ReadPngHeader(bytes, limits));
  return DecodePng(bytes, header, header.width, header.height);
}

Result<RgbaImage> Decode(std::string_view bytes, const PhotoLimits& limits) {
  CCF_ASSIGN_OR_RETURN(RgbImage rgb, DecodeRgb(bytes, limits));
  RgbaImage out;
  out.width = rgb.width;
  out.height = rgb.height;
  const size_t n = size_t(rgb.width) * size_t(rgb.height);
  out.pixels.resize(n * 4);
  for (size_t i = 0; i < n; ++i) {
    out.pixels[i * 4] = rgb.rgb[i * 3];
    out.pixels[i * 4 + 1] = rgb.rgb[i * 3 + 1];
    out.pixels[i * 4 + 2] = rgb.rgb[i * 3 + 2];
    out.pixels[i * 4 + 3] = 255;
  }
  return out;
}

}  // namespace

Result<RgbaImage> DecodeImageToRgba(std::string_view bytes, const PhotoLimits& limits) {
  try {
    return Decode(bytes, limits);
  } catch (const std::bad_alloc&) {
    return Status::Invalid("the picture needs more memory than this device has free; close other apps and try again");
  }
}

}  // namespace ccfield::media
