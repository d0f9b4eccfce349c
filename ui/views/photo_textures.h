#pragma once
// PhotoTextures: the photos on screen as ImGui textures, decoded by the App's
// PhotoImages thread and kept in a cache bounded by bytes (least recently
// drawn goes first). The window gives it a TextureMaker over its renderer;
// the headless view tests give none, and the views then draw placeholders.
//
// Main thread only. Textures are destroyed only in BeginFrame, before the
// frame's draw lists can name them.
#include <imgui.h>

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include "app/photos.h"

namespace ccfield::views {

// Makes and frees renderer textures (AppWindow's texture API in the window).
class TextureMaker {
 public:
  virtual ~TextureMaker() = default;
  // nullptr and *error on failure.
  virtual ImTextureID Create(int width, int height, const uint8_t* rgba, std::string* error) = 0;
  // For pixels whose alpha is all 255 (map tiles): a renderer may draw it
  // without blending. By default the same as Create.
  virtual ImTextureID CreateOpaque(int width, int height, const uint8_t* rgba, std::string* error) {
    return Create(width, height, rgba, error);
  }
  virtual void Destroy(ImTextureID texture) = 0;
  virtual int MaxSize() const = 0;
};

// Long edges the screens ask for.
inline constexpr int kThumbEdge = 256;    // the strip and the picker (the stored thumbnails are 256 px)
inline constexpr int kViewerEdge = 2048;  // the full-screen viewer

class PhotoTextures {
 public:
  static constexpr size_t kDefaultCapBytes = 32u << 20;

  struct Texture {
    ImTextureID id = nullptr;  // null while decoding or on error
    int width = 0, height = 0;
    std::string error;     // why it cannot be shown
    bool pending = false;  // asked for, not decoded yet
  };

  // `maker` and `images` must outlive this.
  PhotoTextures(TextureMaker* maker, app::PhotoImages* images, size_t cap_bytes = kDefaultCapBytes);
  ~PhotoTextures();
  PhotoTextures(const PhotoTextures&) = delete;
  PhotoTextures& operator=(const PhotoTextures&) = delete;

  // Once per frame, before drawing: uploads what was decoded and frees the
  // least recently drawn textures beyond the cap.
  void BeginFrame();
  // A blob (by hash) or a file (by path) at up to `max_edge` pixels: asks for
  // it the first time; the texture once decoded.
  const Texture& Blob(const std::string& hash, int max_edge);
  const Texture& File(const std::string& path, int max_edge);

  size_t bytes() const { return bytes_; }
  size_t count() const { return entries_.size(); }

 private:
  struct Entry {
    Texture tex;
    size_t bytes = 0;
    std::list<std::string>::iterator lru;  // position in lru_ (front: drawn last)
  };
  const Texture& Get(const std::string& key, const app::ImageRequest& request);

  TextureMaker* maker_;
  app::PhotoImages* images_;
  size_t cap_;
  size_t bytes_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;
};

}  // namespace ccfield::views
