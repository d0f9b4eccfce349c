#include "box_scaler.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace ccfield::media {

void FitLongEdge(int width, int height, int long_edge, int* out_width, int* out_height) {
  *out_width = width;
  *out_height = height;
  if (std::max(width, height) <= long_edge) return;
  // Rounded to the nearest pixel in 64-bit integers: 4000x3000 -> 1600x1200.
  if (width >= height) {
    *out_width = long_edge;
    *out_height = static_cast<int>((int64_t{height} * long_edge * 2 + width) / (int64_t{width} * 2));
  } else {
    *out_height = long_edge;
    *out_width = static_cast<int>((int64_t{width} * long_edge * 2 + height) / (int64_t{height} * 2));
  }
  *out_width = std::max(1, *out_width);
  *out_height = std::max(1, *out_height);
}

// Coordinates are scaled so that both grids are integers: input pixel x
// covers [x * out_w, (x + 1) * out_w), output pixel ox covers
// [ox * in_w, (ox + 1) * in_w). An input pixel is never wider than an output
// pixel, so it falls into at most two output columns; each output column's
// weights add up to in_w (and each output row's to in_h).
BoxScaler::BoxScaler(int in_width, int in_height, int out_width, int out_height) : in_w_(in_width), in_h_(in_height) {
  col_.resize(in_w_);
  w0_.resize(in_w_);
  w1_.resize(in_w_);
  for (int x = 0; x < in_w_; ++x) {
    int64_t start = int64_t{x} * out_width, end = start + out_width;
    int64_t ox = start / in_w_, boundary = (ox + 1) * in_w_;
    col_[x] = static_cast<int32_t>(ox);
    w0_[x] = static_cast<uint32_t>(std::min(end, boundary) - start);
    w1_[x] = static_cast<uint32_t>(end > boundary ? end - boundary : 0);
  }
  hsum_.assign(size_t(out_width) * 3 + 3, 0);  // + 3: the second column of the last pixel (weight 0)
  acc_[0].assign(size_t(out_width) * 3, 0);
  acc_[1].assign(size_t(out_width) * 3, 0);
  out_.width = out_width;
  out_.height = out_height;
  out_.rgb.assign(size_t(out_width) * out_height * 3, 0);
}

void BoxScaler::PushRow(const uint8_t* rgb) noexcept {
  if (rows_in_ >= in_h_) return;
  std::fill(hsum_.begin(), hsum_.end(), 0);
  for (int x = 0; x < in_w_; ++x) {
    uint64_t* h = &hsum_[size_t(col_[x]) * 3];
    const uint8_t* p = rgb + size_t(x) * 3;
    const uint32_t a = w0_[x], b = w1_[x];
    h[0] += p[0] * a, h[1] += p[1] * a, h[2] += p[2] * a;
    h[3] += p[0] * b, h[4] += p[1] * b, h[5] += p[2] * b;
  }
  const int64_t out_h = out_.height;
  const int64_t start = int64_t{rows_in_} * out_h, end = start + out_h;
  const int64_t boundary = (int64_t{cur_oy_} + 1) * in_h_;
  const uint64_t a = static_cast<uint64_t>(std::min(end, boundary) - start);
  const uint64_t b = static_cast<uint64_t>(end > boundary ? end - boundary : 0);
  const size_t n = acc_[0].size();
  for (size_t i = 0; i < n; ++i) {
    acc_[0][i] += hsum_[i] * a;
    acc_[1][i] += hsum_[i] * b;
  }
  ++rows_in_;
  if (end >= boundary) {
    EmitRow(cur_oy_);
    std::swap(acc_[0], acc_[1]);  // swaps buffers, allocates nothing
    std::fill(acc_[1].begin(), acc_[1].end(), 0);
    ++cur_oy_;
  }
}

void BoxScaler::EmitRow(int oy) noexcept {
  if (oy >= out_.height) return;
  const uint64_t total = uint64_t(in_w_) * uint64_t(in_h_);
  uint8_t* row = &out_.rgb[size_t(oy) * out_.width * 3];
  for (size_t i = 0; i < acc_[0].size(); ++i) {
    row[i] = static_cast<uint8_t>(std::min<uint64_t>(255, (acc_[0][i] + total / 2) / total));
  }
}

RgbImage ShrinkToFit(const RgbImage& image, int long_edge) {
  int w = 0, h = 0;
  FitLongEdge(image.width, image.height, long_edge, &w, &h);
  if (w == image.width && h == image.height) return image;
  BoxScaler scaler(image.width, image.height, w, h);
  for (int y = 0; y < image.height; ++y) scaler.PushRow(&image.rgb[size_t(y) * image.width * 3]);
  return scaler.Take();
}

RgbImage ApplyOrientation(const RgbImage& image, int orientation) {
  if (orientation < 2 || orientation > 8) return image;
  const int w = image.width, h = image.height;
  const bool swap = orientation >= 5;
  RgbImage out;
  out.width = swap ? h : w;
  out.height = swap ? w : h;
  out.rgb.resize(image.rgb.size());
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;  // the stored pixel shown at (x, y)
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          break;
        case 3:
          sx = w - 1 - x, sy = h - 1 - y;
          break;
        case 4:
          sy = h - 1 - y;
          break;
        case 5:
          sx = y, sy = x;
          break;
        case 6:
          sx = y, sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y, sy = h - 1 - x;
          break;
        case 8:
          sx = w - 1 - y, sy = x;
          break;
      }
      std::memcpy(&out.rgb[(size_t(y) * out.width + x) * 3], &image.rgb[(size_t(sy) * w + sx) * 3], 3);
    }
  }
  return out;
}

RgbaImage ToRgba(const RgbImage& image) {
  RgbaImage out;
  out.width = image.width;
  out.height = image.height;
  const size_t n = size_t(image.width) * size_t(image.height);
  out.pixels.resize(n * 4);
  for (size_t i = 0; i < n; ++i) {
    out.pixels[i * 4] = image.rgb[i * 3];
    out.pixels[i * 4 + 1] = image.rgb[i * 3 + 1];
    out.pixels[i * 4 + 2] = image.rgb[i * 3 + 2];
    out.pixels[i * 4 + 3] = 255;
  }
  return out;
}

}  // namespace ccfield::media
