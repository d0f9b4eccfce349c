#pragma once
// SoftwareDraw: ImGui's draw data on SDL's software renderer. Private to
// platform/sdl (renderer_sdl.cpp uses it when SDL picked its software
// rasteriser); accelerated SDL renderers keep ImGui's own backend.
//
// It draws what ImGui's SDL_Renderer backend draws, command by command, in
// the same order and with the same clip rectangles, but tells SDL what its
// software rasteriser cannot see for itself:
// - an opaque axis-aligned rectangle of one colour (window and frame
//   backgrounds, the map's canvas) is filled without blending: SDL blends
//   every pixel of a rectangle it is given as geometry, even at alpha 255;
// - a triangle of one flat colour per vertex (rounded frames, circles, the
//   fringes of anti-aliased edges) is drawn as untextured geometry: ImGui
//   samples the font atlas's white texel for it, and SDL would then blit a
//   textured triangle through a temporary surface instead of filling it;
//   opaque ones are filled without blending too;
// - an opaque texture (blend mode none: map tiles) drawn scaled is scaled
//   once by SDL into a copy of the size it is drawn at, kept while it is
//   drawn at that size, and copied row by row in later frames: panning the
//   map at a fractional zoom no longer rescales every tile in every frame.
// Text, other images and textured lines go to SDL unchanged.
//
// Not thread-safe: the thread that draws (SDL's video thread).
#include <SDL.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>

struct ImDrawData;

namespace ccfield {

class SoftwareDraw {
 public:
  // `renderer` must be a software SDL_Renderer with ImGui's SDL_Renderer
  // backend initialised on it (the font atlas is its texture); it must
  // outlive this.
  explicit SoftwareDraw(SDL_Renderer* renderer) : renderer_(renderer) {}
  ~SoftwareDraw();
  SoftwareDraw(const SoftwareDraw&) = delete;
  SoftwareDraw& operator=(const SoftwareDraw&) = delete;

  // Draws `data`. Leaves the renderer's viewport, clip rectangle, draw colour
  // and blend mode as it found them. Frees the scaled copies not drawn for a
  // while (or beyond the memory cap).
  void Draw(ImDrawData* data);

  // Whether `data` begins with an opaque rectangle over the whole frame (the
  // main window's background): clearing before it would be overdrawn.
  static bool CoversFrame(const ImDrawData* data);

  // Frees the scaled copies made from `texture`. REQUIRES: called before
  // `texture` is destroyed (SDL may give its address to the next texture).
  void Forget(SDL_Texture* texture);

  size_t scaled_bytes() const { return bytes_; }

  // A copy not drawn for this many frames is freed; so are the oldest beyond
  // the cap (about two full windows of tiles at a 1.4x scale, on top of the
  // map's own texture cache: RSS, issue 13).
  static constexpr uint64_t kKeepFrames = 30;
  static constexpr size_t kCapBytes = 16u << 20;

 private:
  struct Key {
    SDL_Texture* source;
    int sx, sy, sw, sh;  // the source rectangle in texels
    int w, h;            // the size it is drawn at, in pixels
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Copy {
    SDL_Texture* texture = nullptr;
    size_t bytes = 0;
    uint64_t drawn_frame = 0;
  };
  struct Command;

  void DrawCommand(const Command& c, unsigned elem_count);
  // Draws quad `i` of `c` from a scaled copy if it is an opaque texture
  // drawn scaled; false when it is not one (nothing drawn).
  bool DrawScaledImage(const Command& c, unsigned i);
  SDL_Texture* ScaledCopy(const Key& key);
  void Trim();

  SDL_Renderer* renderer_;
  uint64_t frame_ = 0;
  size_t bytes_ = 0;
  std::unordered_map<Key, Copy, KeyHash> copies_;
};

}  // namespace ccfield
