#pragma once
// Renderer: what differs between SDL_Renderer and OpenGL 3 inside AppWindow.
// Private to platform/sdl. Each implementation owns ImGui's platform backend
// (ImGui_ImplSDL2, whose init differs per renderer) and its renderer backend,
// and shuts both down in its destructor, before the renderer or GL context.

#include <SDL.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct ImDrawData;

namespace ccfield {

// 8-bit RGBA pixels, rows top to bottom, no padding.
struct RgbaImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual void NewFrame() = 0;
  // Clears the back buffer to `rgb` and draws `data` (may be null) into it.
  virtual void Draw(ImDrawData* data, const float rgb[3]) = 0;
  virtual void Present() = 0;
  // Reads the back buffer (so: after Draw, before Present).
  virtual bool ReadBackBuffer(RgbaImage* out, std::string* error) = 0;
  virtual void RebuildFontTexture() = 0;
  // Size of the back buffer in pixels.
  virtual void DrawableSize(int* w, int* h) const = 0;
  virtual std::string name() const = 0;

  // RGBA textures for ImGui::Image (photos): the returned id is the backend's
  // ImTextureID (SDL_Texture*, or a GL texture name). nullptr + *error on failure.
  // `opaque`: every alpha is 255 (AppWindow::CreateOpaqueTexture); a backend
  // may then store it without alpha and draw it without blending.
  virtual void* CreateTexture(int width, int height, const uint8_t* rgba, bool opaque, std::string* error) = 0;
  // Replaces the pixels of a texture made with the same size.
  virtual bool UpdateTexture(void* texture, int width, int height, const uint8_t* rgba, std::string* error) = 0;
  virtual void DestroyTexture(void* texture) = 0;
  // The largest width or height a texture may have.
  virtual int MaxTextureSize() const = 0;
};

// Creates an SDL_Renderer (SDL's driver choice, or the software one) and
// initialises ImGui's SDL2 + SDL_Renderer backends. nullptr + *error on failure.
std::unique_ptr<Renderer> CreateSdlRenderer(SDL_Window* window, bool software, bool vsync, std::string* error);

// Sets the GL context attributes and returns the window flags the GL renderer
// needs. REQUIRES: called before SDL_CreateWindow.
uint32_t PrepareGl3Window();
// Creates a GL 3.0 context and initialises ImGui's SDL2 + OpenGL3 backends.
// nullptr + *error on failure.
std::unique_ptr<Renderer> CreateGl3Renderer(SDL_Window* window, bool vsync, std::string* error);

// Writes `image` as an opaque PNG (alpha forced to 255: the window is opaque,
// but some back buffers keep blend results in their alpha channel).
bool WritePng(const RgbaImage& image, const std::string& path, std::string* error);

}  // namespace ccfield
