#include "app_test_util.h"

#include <doctest/doctest.h>
#include <stb_image.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <unordered_map>
#include <utility>

namespace ccfield::testing {

std::unique_ptr<Store> OpenAppStore(const std::string& data_dir) {
  StoreOptions o;
  o.path = data_dir + "/ccfield.db";
  Result<std::unique_ptr<Store>> store = Store::Open(DefaultEnv(), o);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(store).value();
}

std::string WriteScript(const TempDir& dir, const std::string& name, const std::vector<std::string>& lines) {
  std::string path = dir.File(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const std::string& line : lines) out << line << '\n';
  return path;
}

std::vector<std::string> WindowArgs(const std::string& data_dir, const std::string& renderer,
                                    const std::string& script) {
  const std::string size = std::to_string(kAppWidth) + "x" + std::to_string(kAppHeight);
  return {"--data", data_dir, "window", "--renderer", renderer, "--size", size, "--script", script};
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout, std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

uint32_t Image::Rgb(int x, int y) const {
  const uint8_t* p = &rgba[(static_cast<size_t>(y) * width + x) * 4];
  return uint32_t{p[0]} << 16 | uint32_t{p[1]} << 8 | p[2];
}

std::optional<Image> LoadPng(const std::string& path) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 4);
  if (!data) return std::nullopt;
  Image image{w, h, std::vector<uint8_t>(data, data + static_cast<size_t>(w) * h * 4)};
  stbi_image_free(data);
  return image;
}

ImageStats Analyse(const Image& image) {
  ImageStats s;
  std::unordered_map<uint32_t, size_t> counts;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) ++counts[image.Rgb(x, y)];
  }
  s.distinct_colours = counts.size();
  size_t most = 0;
  for (const auto& [colour, n] : counts) {
    if (n > most) {
      most = n;
      s.background = colour;
    }
  }
  const size_t pixels = static_cast<size_t>(image.width) * image.height;
  if (pixels == 0) return s;
  s.content_share = 1.0 - static_cast<double>(most) / static_cast<double>(pixels);
  const int band = std::min(60, image.height);
  size_t band_content = 0;
  for (int y = 0; y < band; ++y) {
    for (int x = 0; x < image.width; ++x) band_content += image.Rgb(x, y) != s.background;
  }
  s.top_band_content_share = static_cast<double>(band_content) / (static_cast<double>(band) * image.width);
  return s;
}

double DifferentShare(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.rgba.empty()) return 1.0;
  size_t differ = 0;
  for (size_t i = 0; i + 3 < a.rgba.size(); i += 4) {
    for (size_t c = 0; c < 3; ++c) {
      if (std::abs(int{a.rgba[i + c]} - int{b.rgba[i + c]}) > 16) {
        ++differ;
        break;
      }
    }
  }
  return static_cast<double>(differ) / static_cast<double>(a.rgba.size() / 4);
}

}  // namespace ccfield::testing
