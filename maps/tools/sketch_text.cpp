// See sketch_text.h.
#include "sketch_text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ccfield::maps::sketch {
namespace {

std::vector<uint32_t> Utf8(const std::string& s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

}  // namespace

std::unique_ptr<Font> Font::Load(const std::string& path) {
  FT_Library lib = nullptr;
  if (FT_Init_FreeType(&lib) != 0) return nullptr;
  FT_Face face = nullptr;
  if (FT_New_Face(lib, path.c_str(), 0, &face) != 0) {
    FT_Done_FreeType(lib);
    return nullptr;
  }
  return std::unique_ptr<Font>(new Font(lib, face));
}

Font::~Font() {
  FT_Done_Face(face_);
  FT_Done_FreeType(lib_);
}

double Font::Width(const std::string& text, double size_px, double spacing) {
  FT_Set_Pixel_Sizes(face_, 0, FT_UInt(std::lround(size_px)));
  FT_Set_Transform(face_, nullptr, nullptr);
  double w = 0;
  for (uint32_t cp : Utf8(text)) {
    if (FT_Load_Char(face_, cp, FT_LOAD_NO_HINTING) != 0) continue;
    w += face_->glyph->advance.x / 64.0 + spacing;
  }
  return w;
}

void Font::Draw(Mask* mask, const std::string& text, double cx, double cy, double angle, double size_px,
                double spacing) {
  const double width = Width(text, size_px, spacing);
  const double ux = std::cos(angle), uy = std::sin(angle);  // along the baseline, screen axes
  double px = cx - ux * width / 2 - uy * size_px * 0.35;
  double py = cy - uy * width / 2 + ux * size_px * 0.35;
  FT_Matrix m;  // FreeType's y points up: a clockwise turn on screen is -angle there
  m.xx = FT_Fixed(std::lround(ux * 65536));
  m.xy = FT_Fixed(std::lround(uy * 65536));
  m.yx = FT_Fixed(std::lround(-uy * 65536));
  m.yy = FT_Fixed(std::lround(ux * 65536));
  for (uint32_t cp : Utf8(text)) {
    const double fx = std::floor(px), fy = std::floor(py);
    FT_Vector delta{FT_Pos(std::lround((px - fx) * 64)), FT_Pos(std::lround(-(py - fy) * 64))};
    FT_Set_Transform(face_, &m, &delta);
    if (FT_Load_Char(face_, cp, FT_LOAD_RENDER | FT_LOAD_NO_HINTING) == 0) {
      const FT_GlyphSlot g = face_->glyph;
      const int left = int(fx) + g->bitmap_left, top = int(fy) - g->bitmap_top;
      for (unsigned r = 0; r < g->bitmap.rows; ++r) {
        for (unsigned c = 0; c < g->bitmap.width; ++c) {
          const int x = left + int(c), y = top + int(r);
          if (x < 0 || y < 0 || x >= mask->width() || y >= mask->height()) continue;
          const float v = g->bitmap.buffer[r * unsigned(g->bitmap.pitch) + c] / 255.f;
          mask->at(x, y) = std::max(mask->at(x, y), v);
        }
      }
      px += g->advance.x / 64.0 + ux * spacing;
      py -= g->advance.y / 64.0 - uy * spacing;
    }
  }
}

}  // namespace ccfield::maps::sketch
