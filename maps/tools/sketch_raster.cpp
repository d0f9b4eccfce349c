// See sketch_raster.h.
#include "sketch_raster.h"

#include <algorithm>
#include <cmath>

namespace ccfield::maps::sketch {

Rgb Hex(uint32_t v) { return Rgb{uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

bool Mask::Empty() const {
  return std::all_of(c_.begin(), c_.end(), [](float v) { return v <= 0.f; });
}

void Mask::FillPolygon(const std::vector<Ring>& rings) {
  constexpr int kSub = 4;
  std::vector<double> xs;
  std::vector<float> row(size_t(w_) + 1);
  for (int y = 0; y < h_; ++y) {
    std::fill(row.begin(), row.end(), 0.f);
    bool any = false;
    for (int s = 0; s < kSub; ++s) {
      const double sy = y + (s + 0.5) / kSub;
      xs.clear();
      for (const Ring& ring : rings) {
        for (size_t i = 0, n = ring.size(); i < n; ++i) {
          const Pt a = ring[i], b = ring[(i + 1) % n];
          if ((a.y > sy) != (b.y > sy)) xs.push_back(a.x + (sy - a.y) * (b.x - a.x) / (b.y - a.y));
        }
      }
      std::sort(xs.begin(), xs.end());
      for (size_t i = 0; i + 1 < xs.size(); i += 2) {
        const double x0 = std::clamp(xs[i], 0.0, double(w_)), x1 = std::clamp(xs[i + 1], 0.0, double(w_));
        if (x1 <= x0) continue;
        any = true;
        const int p0 = int(x0), p1 = int(x1);
        if (p0 == p1) {
          row[p0] += float(x1 - x0) / kSub;
          continue;
        }
        row[p0] += float(p0 + 1 - x0) / kSub;
        for (int p = p0 + 1; p < p1; ++p) row[p] += 1.f / kSub;
        if (p1 < w_) row[p1] += float(x1 - p1) / kSub;
      }
    }
    if (!any) continue;
    for (int x = 0; x < w_; ++x) at(x, y) = std::min(1.f, at(x, y) + row[x]);
  }
}

void Mask::StrokeSegment(Pt a, Pt b, double half) {
  const int x0 = std::max(0, int(std::floor(std::min(a.x, b.x) - half - 1)));
  const int x1 = std::min(w_ - 1, int(std::ceil(std::max(a.x, b.x) + half + 1)));
  const int y0 = std::max(0, int(std::floor(std::min(a.y, b.y) - half - 1)));
  const int y1 = std::min(h_ - 1, int(std::ceil(std::max(a.y, b.y) + half + 1)));
  const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const double px = x + 0.5 - a.x, py = y + 0.5 - a.y;
      const double t = len2 > 0 ? std::clamp((px * dx + py * dy) / len2, 0.0, 1.0) : 0.0;
      const double d = std::hypot(px - t * dx, py - t * dy);
      const float c = float(std::clamp(half + 0.5 - d, 0.0, 1.0));
      if (c > at(x, y)) at(x, y) = c;
    }
  }
}

void Mask::StrokeLine(const Ring& line, double width) {
  const double half = width / 2;
  for (size_t i = 0; i + 1 < line.size(); ++i) StrokeSegment(line[i], line[i + 1], half);
  if (line.size() == 1) StrokeSegment(line[0], line[0], half);
}

Mask Mask::Dilated(int radius) const {
  Mask out(w_, h_);
  for (int y = 0; y < h_; ++y) {
    for (int x = 0; x < w_; ++x) {
      float best = 0;
      for (int dy = -radius; dy <= radius; ++dy) {
        for (int dx = -radius; dx <= radius; ++dx) {
          const int sx = x + dx, sy = y + dy;
          if (sx < 0 || sy < 0 || sx >= w_ || sy >= h_ || dx * dx + dy * dy > radius * radius + 1) continue;
          best = std::max(best, at(sx, sy));
        }
      }
      out.at(x, y) = best;
    }
  }
  return out;
}

Canvas::Canvas(int width, int height, Rgb bg) : w_(width), h_(height), rgb_(size_t(width) * height * 3) {
  for (size_t i = 0; i < rgb_.size(); i += 3) {
    rgb_[i] = bg.r, rgb_[i + 1] = bg.g, rgb_[i + 2] = bg.b;
  }
}

void Canvas::Paint(const Mask& mask, Rgb color, float opacity) {
  for (int y = 0; y < h_; ++y) {
    for (int x = 0; x < w_; ++x) {
      const float a = mask.at(x, y) * opacity;
      if (a <= 0) continue;
      uint8_t* p = &rgb_[(size_t(y) * w_ + x) * 3];
      p[0] = uint8_t(std::lround(p[0] + (color.r - p[0]) * a));
      p[1] = uint8_t(std::lround(p[1] + (color.g - p[1]) * a));
      p[2] = uint8_t(std::lround(p[2] + (color.b - p[2]) * a));
    }
  }
}

}  // namespace ccfield::maps::sketch
