#include "image_sniff.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ccfield::media {
namespace {

bool StartsWith(std::string_view bytes, std::string_view magic, size_t at = 0) {
  return bytes.size() >= at + magic.size() && bytes.substr(at, magic.size()) == magic;
}

// "50 MB" for whole MiB, "1.5 MB" otherwise (MB meaning MiB, as the limits).
std::string Megabytes(uint64_t bytes) {
  char text[32];
  double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
  if (bytes % (1024 * 1024) == 0) {
    std::snprintf(text, sizeof text, "%.0f MB", mb);
  } else {
    std::snprintf(text, sizeof text, "%.1f MB", mb);
  }
  return text;
}

// Millions of pixels, with as many decimals as it takes to be over `limit`
// ("64", "4.002"), so that a refusal never reads "4 megapixels; over 4".
std::string Megapixels(uint64_t pixels, uint64_t limit) {
  char text[32];
  const double mp = static_cast<double>(pixels) / 1e6;
  for (int decimals = 0; decimals < 6; ++decimals) {
    std::snprintf(text, sizeof text, "%.*f", decimals, mp);
    const double shown = std::strtod(text, nullptr) * 1e6;
    if (pixels > limit ? shown > static_cast<double>(limit) : std::fabs(shown - pixels) < 0.5) return text;
  }
  return text;
}

// An ISO base media file (HEIC, AVIF): "ftyp" at offset 4, then the brands.
Status IsoMediaError(std::string_view bytes) {
  uint64_t box = 0;
  for (int i = 0; i < 4; ++i) box = (box << 8) | static_cast<uint8_t>(bytes[i]);
  std::string_view brands = bytes.substr(8, std::min<uint64_t>(std::max<uint64_t>(box, 12), bytes.size()) - 8);
  if (brands.find("avif") != std::string_view::npos || brands.find("avis") != std::string_view::npos) {
    return Status::Invalid(
        "AVIF photos are not supported yet: set the camera to JPEG ('Most compatible') or convert the photo");
  }
  for (std::string_view heic : {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"}) {
    if (brands.find(heic) != std::string_view::npos) {
      return Status::Invalid(
          Msg("HEIC photos are not supported yet: set the camera to JPEG ('Most compatible') or convert the photo"));
    }
  }
  return Status::Invalid(Msg("this file is a video or another media file, not a photo (JPEG or PNG)"));
}

Status OtherFormatError(std::string_view bytes) {
  auto unsupported = [](const char* name) {
    return Status::Invalid(
        Msg("{format} images are not supported: attach a JPEG or PNG photo instead", {{"format", name}}));
  };
  if (StartsWith(bytes, "GIF87a") || StartsWith(bytes, "GIF89a")) return unsupported("GIF");
  if (StartsWith(bytes, "RIFF") && StartsWith(bytes, "WEBP", 8)) return unsupported("WebP");
  if (StartsWith(bytes, "ftyp", 4) && bytes.size() >= 12) return IsoMediaError(bytes);
  if (StartsWith(bytes, std::string_view("II*\0", 4)) || StartsWith(bytes, std::string_view("MM\0*", 4))) {
    return unsupported("TIFF (or camera RAW)");
  }
  if (StartsWith(bytes, "BM") && bytes.size() >= 14) return unsupported("BMP");
  return Status::Invalid(Msg("this file is not a photo (JPEG or PNG)"));
}

}  // namespace

Result<ImageFormat> SniffPhoto(std::string_view bytes, const PhotoLimits& limits) {
  if (bytes.empty()) return Status::Invalid(Msg("the photo file is empty (0 bytes); pick the photo again"));
  if (bytes.size() > limits.max_file_bytes) {
    return Status::Invalid(
        Msg("the photo is larger than {size}: set the camera to a smaller photo size, or attach a smaller copy",
            {{"size", Megabytes(limits.max_file_bytes)}}));
  }
  if (StartsWith(bytes, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (StartsWith(bytes, "\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  return OtherFormatError(bytes);
}

Status CheckPixels(uint64_t width, uint64_t height, const PhotoLimits& limits) {
  uint64_t pixels = width * height;  // each below 2^32: no overflow
  if (pixels <= limits.max_pixels) return Status::Ok();
  return Status::Invalid(Msg(
      "the photo has {pixels} megapixels; photos over {max} megapixels are refused: set the camera "
      "to a smaller photo size",
      {{"pixels", Megapixels(pixels, limits.max_pixels)}, {"max", Megapixels(limits.max_pixels, limits.max_pixels)}}));
}

Status CutShortError() {
  return Status::Invalid(
      Msg("the photo is cut short (the file ends in the middle of the image); copy it again from the camera"));
}

Status DamagedError(std::string_view detail) {
  return Status::Invalid(Msg("the photo is damaged ({detail}); copy it again from the camera or take it again",
                             {{"detail", std::string(detail)}}));
}

}  // namespace ccfield::media
