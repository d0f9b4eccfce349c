// See sketch_style.h. The palette follows the conventions people know from
// paper and web maps (beige land, blue water, green parks, white streets with
// grey edges, yellow and orange main roads); the values are our own.
#include "sketch_style.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ccfield::maps::sketch {
namespace {

constexpr int kMinZoom = 11;
constexpr int kSize = kTileSize;

// Line widths in pixels for zooms 11..17 (0: not drawn at that zoom).
using Widths = double[7];

struct LineStyle {
  const char* kind;
  Widths width;
  uint32_t fill, casing;  // casing 0: none
};

// Bottom to top: residential streets under main roads.
constexpr LineStyle kRoads[] = {
    {"path", {0, 0, 0, 0, 1.0, 1.6, 2.2}, 0x9a8b78, 0},
    {"residential_street", {0, 0, 0, 0, 1.6, 4.5, 8.5}, 0xffffff, 0xc9c2b8},
    {"tertiary", {0, 0, 1.2, 2.2, 4.5, 7.5, 11.5}, 0xffffff, 0xb5ada3},
    {"secondary", {0, 1.2, 2.0, 3.4, 6.0, 9.0, 13.5}, 0xf6f4b6, 0xb9b27a},
    {"primary", {1.4, 2.0, 3.0, 4.5, 7.0, 10.5, 15.5}, 0xfcd6a4, 0xc99a5b},
    {"trunk", {2.0, 2.6, 3.6, 5.2, 8.0, 12.0, 17.5}, 0xf9b29c, 0xc0755a},
};
constexpr LineStyle kWaterLines[] = {
    {"stream", {0, 0, 1.0, 1.6, 2.8, 4.5, 7.0}, 0x9fcbdc, 0},
    {"river", {1.4, 2.0, 3.0, 4.5, 7.5, 12.0, 20.0}, 0x9fcbdc, 0},
};

struct AreaStyle {
  const char* kind;
  uint32_t fill, outline;  // outline 0: none
  int min_zoom;
};
constexpr AreaStyle kAreas[] = {
    {"residential", 0xe6e1da, 0, 12},   {"wetland", 0xd6ead2, 0xb7d3b3, 12},
    {"park", 0xcfe8b4, 0xa9cf8a, 12},   {"cemetery", 0xb9d5b6, 0x98b896, 13},
    {"school", 0xf4ebc8, 0xd9c99a, 14}, {"market", 0xf3d3cf, 0xd4a9a3, 14},
    {"water", 0xaad3df, 0, 0},
};

constexpr uint32_t kLand = 0xf2efe9;
constexpr uint32_t kLabelInk = 0x4a4540;
constexpr uint32_t kHalo = 0xffffff;

double WidthAt(const Widths& w, int z) { return w[std::clamp(z - kMinZoom, 0, 6)]; }

// The feature's parts in this tile's pixels.
std::vector<Ring> Project(const Feature& f, TileKey key) {
  std::vector<Ring> out;
  for (const auto& part : f.parts) {
    Ring r;
    for (const LatLon& p : part) {
      const WorldPoint w = LatLonToWorld(p, key.z);
      r.push_back(Pt{w.x - double(key.x) * kSize, w.y - double(key.y) * kSize});
    }
    out.push_back(std::move(r));
  }
  return out;
}

// Whether any part comes within `margin` pixels of the tile.
bool Near(const std::vector<Ring>& parts, double margin) {
  double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
  for (const Ring& r : parts) {
    for (const Pt& p : r)
      x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  return x1 >= -margin && y1 >= -margin && x0 <= kSize + margin && y0 <= kSize + margin;
}

void DrawAreas(Canvas* c, const std::vector<Feature>& fs, TileKey key) {
  for (const AreaStyle& s : kAreas) {
    if (key.z < s.min_zoom) continue;
    Mask fill(kSize, kSize), edge(kSize, kSize);
    for (const Feature& f : fs) {
      if (f.kind != s.kind) continue;
      std::vector<Ring> parts = Project(f, key);
      if (!Near(parts, 4)) continue;
      fill.FillPolygon(parts);
      if (s.outline && key.z >= 14) {
        for (Ring r : parts) {
          r.push_back(r.front());
          edge.StrokeLine(r, 1.0);
        }
      }
    }
    c->Paint(fill, Hex(s.fill));
    if (s.outline) c->Paint(edge, Hex(s.outline), 0.8f);
  }
}

void DrawLines(Canvas* c, const std::vector<Feature>& fs, TileKey key, const LineStyle* styles, size_t n) {
  // Casings of every class first, then fills: crossings join cleanly.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < n; ++i) {
      const LineStyle& s = styles[i];
      const double w = WidthAt(s.width, key.z);
      if (w <= 0 || (pass == 0 && !s.casing)) continue;
      const double casing = key.z >= 15 ? 2.4 : key.z >= 13 ? 1.6 : 1.0;
      const double width = pass == 0 ? w + casing : w;
      Mask m(kSize, kSize);
      for (const Feature& f : fs) {
        if (f.kind != s.kind) continue;
        std::vector<Ring> parts = Project(f, key);
        if (Near(parts, width)) m.StrokeLine(parts[0], width);
      }
      c->Paint(m, Hex(pass == 0 ? s.casing : s.fill));
    }
  }
}

// The longest segment of a line at this zoom: where its name goes.
bool LabelSpot(const Ring& line, Pt* mid, double* angle, double* length) {
  double best = 0;
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const double dx = line[i + 1].x - line[i].x, dy = line[i + 1].y - line[i].y, len = std::hypot(dx, dy);
    if (len <= best) continue;
    best = len;
    *mid = Pt{(line[i].x + line[i + 1].x) / 2, (line[i].y + line[i + 1].y) / 2};
    *angle = std::atan2(dy, dx);
  }
  if (*angle > M_PI / 2) *angle -= M_PI;  // never upside down
  if (*angle < -M_PI / 2) *angle += M_PI;
  *length = best;
  return best > 0;
}

struct TextJob {
  Font* font;
  std::string text;
  Pt at;
  double angle, size, spacing;
  uint32_t ink;
};

std::vector<TextJob> Labels(const std::vector<Feature>& fs, Fonts& fonts, TileKey key) {
  std::vector<TextJob> jobs;
  const int z = key.z;
  for (const Feature& f : fs) {
    if (f.name.empty()) continue;
    std::vector<Ring> parts = Project(f, key);
    if (!Near(parts, 300)) continue;
    const bool road = f.kind == "trunk" || f.kind == "primary" || f.kind == "secondary" || f.kind == "tertiary";
    const bool river = f.kind == "river" || f.kind == "stream";
    if (f.kind == "place" && z >= 13 && z <= 16 && fonts.bold) {
      jobs.push_back({fonts.bold.get(), f.name, parts[0][0], 0, z >= 15 ? 14.0 : 12.0, z >= 14 ? 1.5 : 0.5, 0x5c5650});
    } else if (f.kind == "place_small" && z >= 15 && fonts.bold) {
      jobs.push_back({fonts.bold.get(), f.name, parts[0][0], 0, 12, 1, 0x6a645d});
    } else if (f.kind == "water_label" && z >= 12 && fonts.italic) {
      jobs.push_back({fonts.italic.get(), f.name, parts[0][0], 0, z >= 14 ? 15.0 : 12.0, 1, 0x3f7a99});
    } else if ((road && z >= (f.kind == "tertiary" ? 16 : 15)) || (river && z >= 15)) {
      Font* font = river ? fonts.italic.get() : fonts.regular.get();
      Pt mid;
      double angle = 0, length = 0;
      const double size = z >= 17 ? 12 : 11;
      if (!font || !LabelSpot(parts[0], &mid, &angle, &length)) continue;
      if (font->Width(f.name, size) > length * 0.9) continue;
      jobs.push_back({font, f.name, mid, angle, size, 0, river ? 0x3f7a99 : kLabelInk});
    } else if ((f.kind == "park" || f.kind == "market" || f.kind == "school" || f.kind == "cemetery") && z >= 16 &&
               fonts.regular) {
      Pt c{0, 0};
      for (const Pt& p : parts[0]) c.x += p.x / double(parts[0].size()), c.y += p.y / double(parts[0].size());
      jobs.push_back({fonts.regular.get(), f.name, c, 0, 11, 0, 0x4f5a45});
    }
  }
  return jobs;
}

void DrawLabels(Canvas* c, const std::vector<Feature>& fs, Fonts& fonts, TileKey key) {
  std::vector<TextJob> jobs = Labels(fs, fonts, key);
  if (jobs.empty()) return;
  Mask all(kSize, kSize);
  for (const TextJob& j : jobs) j.font->Draw(&all, j.text, j.at.x, j.at.y, j.angle, j.size, j.spacing);
  if (all.Empty()) return;
  c->Paint(all.Dilated(2), Hex(kHalo), 0.85f);
  for (const TextJob& j : jobs) {  // each label in its own ink
    Mask m(kSize, kSize);
    j.font->Draw(&m, j.text, j.at.x, j.at.y, j.angle, j.size, j.spacing);
    c->Paint(m, Hex(j.ink));
  }
}

}  // namespace

Fonts LoadFonts(const std::string& dir) {
  Fonts f;
  f.regular = Font::Load(dir + "/DejaVuSans.ttf");
  f.bold = Font::Load(dir + "/DejaVuSans-Bold.ttf");
  f.italic = Font::Load(dir + "/DejaVuSans-Oblique.ttf");
  return f;
}

Canvas RenderTile(const std::vector<Feature>& features, Fonts& fonts, TileKey key) {
  Canvas c(kSize, kSize, Hex(kLand));
  DrawAreas(&c, features, key);
  DrawLines(&c, features, key, kWaterLines, std::size(kWaterLines));
  DrawLines(&c, features, key, kRoads, std::size(kRoads));
  DrawLabels(&c, features, fonts, key);
  return c;
}

}  // namespace ccfield::maps::sketch
