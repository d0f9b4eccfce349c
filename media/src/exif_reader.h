#pragma once
// The EXIF a photo carries, read with libexif: orientation, the time it was
// taken and the GPS position. Damaged or missing EXIF is not an error: each
// field is simply absent (orientation 1).

#include <optional>
#include <string>
#include <string_view>

namespace ccfield::media {

struct ExifFields {
  int orientation = 1;
  std::optional<std::string> taken_local;   // "2026-10-14T08:05:00"
  std::optional<std::string> taken_offset;  // "+03:00"
  std::optional<double> lat, lon, altitude_m;
};

// The payload of the JPEG's EXIF APP1 segment ("Exif\0\0" + TIFF data), found
// by walking the marker segments up to the start of scan; empty when there is
// none or the segments run past the end of `jpeg`.
std::string_view FindJpegExif(std::string_view jpeg);

// Reads `exif` ("Exif\0\0" followed by TIFF data). Invalid values are left out.
ExifFields ReadExif(std::string_view exif);

}  // namespace ccfield::media
