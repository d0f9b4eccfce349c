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
  return ToRgba(rgb);
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
