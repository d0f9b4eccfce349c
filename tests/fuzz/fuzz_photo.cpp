// Fuzz target: the photo codec (media/photo_codec.h) on untrusted files, as
// a person attaches them. Every input goes through ProbePhoto,
// MakePhotoCopies and DecodeJpegToRgba with small limits (4 MP, 1 MB) so a
// run stays fast. Checks: no crash, hang or exception; errors have a
// message; a photo that is copied also probes, with the same meta; the
// copies fit their sizes, are JPEGs without EXIF and decode again.
#include <cstdint>
#include <string>

#include "ccfield/media/photo_codec.h"
#include "fuzz_check.h"

using ccfield::fuzz::CheckError;
namespace media = ccfield::media;

namespace {

void CheckCopy(const media::EncodedJpeg& copy, int long_edge, const media::PhotoLimits& limits) {
  FUZZ_CHECK(copy.width >= 1 && copy.height >= 1, "a copy without pixels");
  FUZZ_CHECK(copy.width <= long_edge && copy.height <= long_edge, "a copy over its long edge");
  FUZZ_CHECK(copy.bytes.size() > 4 && copy.bytes.compare(0, 2, "\xFF\xD8") == 0, "a copy that is not a JPEG");
  FUZZ_CHECK(copy.bytes.find("Exif") == std::string::npos, "a copy with EXIF");
  ccfield::Result<media::RgbaImage> again = media::DecodeJpegToRgba(copy.bytes, long_edge, limits);
  FUZZ_CHECK(again.ok(), again.status().message());
  FUZZ_CHECK(again->width == copy.width && again->height == copy.height, "a copy decodes to another size");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = ccfield::fuzz::AsText(data, size);
  media::PhotoLimits limits;
  limits.max_pixels = 4'000'000;
  limits.max_file_bytes = 1 << 20;
  media::PhotoSize sizes;
  sizes.long_edge = 320;
  sizes.thumb_edge = 64;

  ccfield::Result<media::PhotoMeta> probe = media::ProbePhoto(bytes, limits);
  if (!probe.ok()) CheckError(probe.status());
  ccfield::Result<media::PhotoCopies> copies = media::MakePhotoCopies(bytes, sizes, limits);
  if (!copies.ok()) {
    CheckError(copies.status());
  } else {
    FUZZ_CHECK(probe.ok(), "copied a photo the probe refused: " + probe.status().message());
    const media::PhotoMeta& a = *probe;
    const media::PhotoMeta& b = copies->meta;
    FUZZ_CHECK(a.width == b.width && a.height == b.height && a.orientation == b.orientation &&
                   a.taken_local == b.taken_local && a.lat == b.lat && a.lon == b.lon,
               "the probe and the copies disagree on the meta");
    FUZZ_CHECK(b.orientation >= 1 && b.orientation <= 8, "an orientation out of range");
    FUZZ_CHECK(!b.lat || (*b.lat >= -90 && *b.lat <= 90), "a latitude out of range");
    FUZZ_CHECK(!b.lon || (*b.lon >= -180 && *b.lon <= 180), "a longitude out of range");
    CheckCopy(copies->send, sizes.long_edge, limits);
    CheckCopy(copies->thumb, sizes.thumb_edge, limits);
  }
  ccfield::Result<media::RgbaImage> shown = media::DecodeJpegToRgba(bytes, 48, limits);
  if (!shown.ok()) {
    CheckError(shown.status());
  } else {
    FUZZ_CHECK(shown->pixels.size() == size_t(shown->width) * size_t(shown->height) * 4, "RGBA of the wrong size");
    FUZZ_CHECK(shown->width <= 48 && shown->height <= 48, "decoded over max_edge");
  }
  return 0;
}
