#pragma once
// libjpeg-turbo, behind three calls: read the header, decode (shrunk by DCT
// scaling and the box downscaler, streaming row by row), encode. libjpeg
// reports errors by longjmp; that stays inside jpeg_codec.cpp, in small
// C-style functions that hold no C++ objects, and every path destroys the
// libjpeg object. Warnings about corrupt or missing data are errors here:
// libjpeg would otherwise fill the missing part with grey.

#include <string_view>

#include "box_scaler.h"
#include "ccfield/core/status.h"
#include "ccfield/media/photo_codec.h"

namespace ccfield::media {

struct JpegHeader {
  int width = 0, height = 0;  // as stored (before the EXIF orientation)
  int components = 0;         // 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK
  bool progressive = false;
};

// Reads the markers up to the first scan. Refuses a cut or damaged header
// and a pixel count over limits.max_pixels.
Result<JpegHeader> ReadJpegHeader(std::string_view jpeg, const PhotoLimits& limits);

// Decodes `jpeg` as RGB shrunk to out_width x out_height (<= the header's
// size): libjpeg decodes at the smallest DCT scale that is still at least
// that large, straight into a BoxScaler. Grey becomes RGB; CMYK and YCCK
// (Adobe's inverted CMYK) are converted to RGB. Refuses a file whose image
// data is cut short or corrupt.
Result<RgbImage> DecodeJpeg(std::string_view jpeg, const JpegHeader& header, int out_width, int out_height);

// Baseline JPEG, YCbCr 4:2:0, optimized Huffman tables, a JFIF header and no
// other marker. REQUIRES: 1 <= quality <= 100, a non-empty image.
Result<std::string> EncodeJpeg(const RgbImage& image, int quality);

}  // namespace ccfield::media
