#pragma once
// Pixels in memory and what is done to them between decoding and encoding:
// the streaming area-average (box) downscaler, the long-edge fit and the EXIF
// orientation. No library calls: plain arithmetic on RGB8 rows.

#include <cstdint>
#include <vector>

#include "ccfield/media/photo_codec.h"

namespace ccfield::media {

// RGB8, rows top to bottom, 3 bytes per pixel, no padding.
struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
};

// The size whose long edge is at most `long_edge`, keeping the aspect ratio
// (rounded, at least 1 x 1); the size itself when it already fits (never
// enlarged). REQUIRES: width, height, long_edge >= 1.
void FitLongEdge(int width, int height, int long_edge, int* out_width, int* out_height);

// Shrinks an image given row by row to out_width x out_height by averaging
// the area each output pixel covers (exact integer weights), keeping only two
// output rows of sums besides the output. All memory is allocated by the
// constructor (which may throw std::bad_alloc), so PushRow can be called from
// code that must not throw. REQUIRES: 1 <= out <= in in both directions.
class BoxScaler {
 public:
  BoxScaler(int in_width, int in_height, int out_width, int out_height);

  // Adds the next input row (in_width RGB pixels). Rows past in_height are ignored.
  void PushRow(const uint8_t* rgb) noexcept;
  // Whether all in_height rows were pushed.
  bool complete() const { return rows_in_ == in_h_; }
  // The output; REQUIRES: complete().
  RgbImage Take() { return std::move(out_); }

 private:
  void EmitRow(int oy) noexcept;

  int in_w_, in_h_;
  int rows_in_ = 0;
  int cur_oy_ = 0;                 // the output row acc_[0] sums into
  std::vector<int32_t> col_;       // per input column: the output column it starts in
  std::vector<uint32_t> w0_, w1_;  // its weight there and in the next column
  std::vector<uint64_t> hsum_;     // one input row, summed horizontally
  std::vector<uint64_t> acc_[2];   // output rows cur_oy_ and cur_oy_ + 1
  RgbImage out_;
};

// `image` shrunk to fit `long_edge` (a copy when it already fits).
RgbImage ShrinkToFit(const RgbImage& image, int long_edge);

// The stored pixels turned as EXIF orientation 1..8 says they are shown
// (2..8 make a new image; 5..8 swap width and height). Other values: a copy.
RgbImage ApplyOrientation(const RgbImage& image, int orientation);

// The same pixels with an opaque alpha byte each (for textures).
RgbaImage ToRgba(const RgbImage& image);

}  // namespace ccfield::media
