// PNG output through stb_image_write, whose implementation is compiled into
// Debian's libstb (pkg-config stb, pulled in by imgui), so only the header here.
#include <stb_image_write.h>

#include "renderer.h"

namespace ccfield {

bool WritePng(const RgbaImage& image, const std::string& path, std::string* error) {
  if (image.width <= 0 || image.height <= 0) {
    *error = "screenshot: empty image";
    return false;
  }
  std::vector<uint8_t> opaque = image.pixels;
  for (size_t i = 3; i < opaque.size(); i += 4) opaque[i] = 255;
  if (!stbi_write_png(path.c_str(), image.width, image.height, 4, opaque.data(), image.width * 4)) {
    *error = "screenshot: cannot write PNG " + path;
    return false;
  }
  return true;
}

}  // namespace ccfield
