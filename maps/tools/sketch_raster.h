#pragma once
// The demo basemap's rasterizer: coverage masks for one tile (filled
// polygons with anti-aliased edges, thick round-capped lines) and blending a
// colour through a mask onto an RGB canvas. Coordinates are tile pixels
// (x right, y down, pixel centres at +0.5). Build-time tool code: no app uses it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ccfield::maps::sketch {

struct Pt {
  double x = 0, y = 0;
};
using Ring = std::vector<Pt>;

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};
Rgb Hex(uint32_t rrggbb);

// Per-pixel coverage 0..1 of one shape layer.
class Mask {
 public:
  Mask(int width, int height) : w_(width), h_(height), c_(size_t(width) * height, 0.f) {}
  int width() const { return w_; }
  int height() const { return h_; }
  float at(int x, int y) const { return c_[size_t(y) * w_ + x]; }
  float& at(int x, int y) { return c_[size_t(y) * w_ + x]; }
  void Clear() { std::fill(c_.begin(), c_.end(), 0.f); }
  bool Empty() const;

  // Adds the polygon (even-odd over all rings: outer ring and holes), edges
  // anti-aliased with 4 sub-rows per pixel and exact horizontal coverage.
  void FillPolygon(const std::vector<Ring>& rings);
  // Adds a polyline `width` pixels wide with round caps and joins.
  void StrokeLine(const Ring& line, double width);
  // Grows the mask by `radius` pixels (text halos).
  Mask Dilated(int radius) const;

 private:
  void StrokeSegment(Pt a, Pt b, double half);
  int w_, h_;
  std::vector<float> c_;
};

// An RGB canvas, rows top to bottom.
class Canvas {
 public:
  Canvas(int width, int height, Rgb background);
  int width() const { return w_; }
  int height() const { return h_; }
  // Blends `color` over the canvas where `mask` covers it, times `opacity`.
  void Paint(const Mask& mask, Rgb color, float opacity = 1.f);
  const std::vector<uint8_t>& rgb() const { return rgb_; }

 private:
  int w_, h_;
  std::vector<uint8_t> rgb_;
};

}  // namespace ccfield::maps::sketch
