#pragma once
// Map labels for the demo basemap: text drawn with FreeType into a coverage
// mask, along any angle, positioned in tile pixels. Build-time tool code.
#include <ft2build.h>
#include FT_FREETYPE_H

#include <memory>
#include <string>

#include "sketch_raster.h"

namespace ccfield::maps::sketch {

class Font {
 public:
  // nullptr when the file cannot be loaded.
  static std::unique_ptr<Font> Load(const std::string& path);
  ~Font();
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;

  // The advance width of `text` at `size_px`, plus `spacing` after each letter.
  double Width(const std::string& text, double size_px, double spacing = 0);
  // Adds `text` to `mask`, centred on (cx, cy), its baseline turned by
  // `angle` radians (clockwise on screen).
  void Draw(Mask* mask, const std::string& text, double cx, double cy, double angle, double size_px,
            double spacing = 0);

 private:
  Font(FT_Library lib, FT_Face face) : lib_(lib), face_(face) {}
  FT_Library lib_;
  FT_Face face_;
};

}  // namespace ccfield::maps::sketch
