// The public entry points: sniff, limits, header and EXIF, then decode shrunk,
// turn, encode. See ccfield/media/photo_codec.h for the contract.
#include "ccfield/media/photo_codec.h"

#include <algorithm>
#include <new>
#include <utility>

#include "box_scaler.h"
#include "exif_reader.h"
#include "image_sniff.h"
#include "jpeg_codec.h"
#include "png_decoder.h"

namespace ccfield::media {
namespace {

// A photo's header, whichever its format.
struct Header {
  ImageFormat format = ImageFormat::kJpeg;
  JpegHeader jpeg;
  PngHeader png;
  int width = 0, height = 0;  // as stored
  ExifFields exif;
};

Result<Header> ReadHeader(std::string_view bytes, const PhotoLimits& limits) {
  Header h;
  CCF_ASSIGN_OR_RETURN(h.format, SniffPhoto(bytes, limits));
  if (h.format == ImageFormat::kJpeg) {
    CCF_ASSIGN_OR_RETURN(h.jpeg, ReadJpegHeader(bytes, limits));
    h.width = h.jpeg.width;
    h.height = h.jpeg.height;
    h.exif = ReadExif(FindJpegExif(bytes));
  } else {
    CCF_ASSIGN_OR_RETURN(h.png, ReadPngHeader(bytes, limits));
    h.width = h.png.width;
    h.height = h.png.height;
    h.exif = ReadExif(h.png.exif);
  }
  return h;
}

PhotoMeta MetaOf(const Header& h) {
  PhotoMeta meta;
  meta.format = h.format;
  meta.orientation = h.exif.orientation;
  const bool turned = meta.orientation >= 5;
  meta.width = turned ? h.height : h.width;
  meta.height = turned ? h.width : h.height;
  meta.taken_local = h.exif.taken_local;
  meta.taken_offset = h.exif.taken_offset;
  meta.lat = h.exif.lat;
  meta.lon = h.exif.lon;
  meta.altitude_m = h.exif.altitude_m;
  return meta;
}

// The stored pixels shrunk so that the long edge fits (orientation not applied).
Result<RgbImage> DecodeShrunk(std::string_view bytes, const Header& h, int long_edge) {
  int w = 0, h_out = 0;
  FitLongEdge(h.width, h.height, long_edge, &w, &h_out);
  if (h.format == ImageFormat::kJpeg) return DecodeJpeg(bytes, h.jpeg, w, h_out);
  return DecodePng(bytes, h.png, w, h_out);
}

Result<EncodedJpeg> Encode(const RgbImage& image, int quality) {
  EncodedJpeg out;
  CCF_ASSIGN_OR_RETURN(out.bytes, EncodeJpeg(image, quality));
  out.width = image.width;
  out.height = image.height;
  return out;
}

Status CheckSize(const PhotoSize& size) {
  if (size.long_edge < 1 || size.thumb_edge < 1 || size.quality < 1 || size.quality > 100 || size.thumb_quality < 1 ||
      size.thumb_quality > 100) {
    return Status::Invalid("the photo size settings are out of range (edges from 1 pixel, quality 1 to 100)");
  }
  return Status::Ok();
}

// Runs `work`; a failed allocation (a tablet out of memory) becomes an error value.
template <typename T, typename F>
Result<T> GuardMemory(F work) {
  try {
    return work();
  } catch (const std::bad_alloc&) {
    return Status::Invalid(
        "the photo needs more memory than this tablet has free; close other apps and try again, or set the camera "
        "to a smaller photo size");
  }
}

Result<PhotoCopies> MakeCopies(std::string_view file_bytes, const PhotoSize& size, const PhotoLimits& limits) {
  CCF_RETURN_IF_ERROR(CheckSize(size));
  CCF_ASSIGN_OR_RETURN(Header h, ReadHeader(file_bytes, limits));
  PhotoCopies copies;
  copies.meta = MetaOf(h);
  CCF_ASSIGN_OR_RETURN(RgbImage send, DecodeShrunk(file_bytes, h, size.long_edge));
  if (h.exif.orientation != 1) send = ApplyOrientation(send, h.exif.orientation);
  CCF_ASSIGN_OR_RETURN(copies.send, Encode(send, size.quality));
  // The thumbnail comes from the send copy's pixels, never from a second decode.
  RgbImage thumb = ShrinkToFit(send, std::min(size.thumb_edge, size.long_edge));
  send = RgbImage();
  CCF_ASSIGN_OR_RETURN(copies.thumb, Encode(thumb, size.thumb_quality));
  return copies;
}

Result<RgbaImage> DecodeToRgba(std::string_view jpeg_bytes, int max_edge, const PhotoLimits& limits) {
  if (max_edge < 1) return Status::Invalid("the picture size to show must be at least 1 pixel");
  CCF_ASSIGN_OR_RETURN(ImageFormat format, SniffPhoto(jpeg_bytes, limits));
  if (format != ImageFormat::kJpeg) return Status::Invalid("this stored picture is not a JPEG; take the photo again");
  CCF_ASSIGN_OR_RETURN(JpegHeader header, ReadJpegHeader(jpeg_bytes, limits));
  int w = 0, h = 0;
  FitLongEdge(header.width, header.height, max_edge, &w, &h);
  CCF_ASSIGN_OR_RETURN(RgbImage rgb, DecodeJpeg(jpeg_bytes, header, w, h));
  return ToRgba(rgb);
}

}  // namespace

Result<PhotoMeta> ProbePhoto(std::string_view file_bytes, const PhotoLimits& limits) {
  return GuardMemory<PhotoMeta>([&]() -> Result<PhotoMeta> {
    CCF_ASSIGN_OR_RETURN(Header h, ReadHeader(file_bytes, limits));
    return MetaOf(h);
  });
}

Result<PhotoCopies> MakePhotoCopies(std::string_view file_bytes, const PhotoSize& size, const PhotoLimits& limits) {
  return GuardMemory<PhotoCopies>([&] { return MakeCopies(file_bytes, size, limits); });
}

Result<RgbaImage> DecodeJpegToRgba(std::string_view jpeg_bytes, int max_edge, const PhotoLimits& limits) {
  return GuardMemory<RgbaImage>([&] { return DecodeToRgba(jpeg_bytes, max_edge, limits); });
}

}  // namespace ccfield::media
