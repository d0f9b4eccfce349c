// The SDL_Renderer path: works wherever SDL can draw at all, including
// machines without GL (software rasteriser into the window surface).
#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>

#include <algorithm>
#include <memory>

#include "renderer.h"
#include "software_draw.h"

namespace ccfield {
namespace {

class SdlRenderer final : public Renderer {
 public:
  SdlRenderer(SDL_Window* window, SDL_Renderer* renderer) : window_(window), renderer_(renderer) {}

  ~SdlRenderer() override {
    software_draw_.reset();  // its scaled copies belong to the renderer
    if (renderer_backend_) ImGui_ImplSDLRenderer_Shutdown();
    if (platform_backend_) ImGui_ImplSDL2_Shutdown();
    SDL_DestroyRenderer(renderer_);
  }

  bool Init(bool vsync, std::string* error) {
    // Not fatal: some drivers cannot change vsync, and frames still draw.
    SDL_RenderSetVSync(renderer_, vsync ? 1 : 0);
    SDL_RendererInfo info{};
    SDL_GetRendererInfo(renderer_, &info);
    name_ = std::string("SDL_Renderer ") + (info.name ? info.name : "?");
    software_ = (info.flags & SDL_RENDERER_SOFTWARE) != 0;
    if (software_) software_draw_ = std::make_unique<SoftwareDraw>(renderer_);
    platform_backend_ = ImGui_ImplSDL2_InitForSDLRenderer(window_);
    renderer_backend_ = platform_backend_ && ImGui_ImplSDLRenderer_Init(renderer_);
    if (!renderer_backend_) *error = "cannot initialise ImGui's SDL2/SDL_Renderer backends";
    return renderer_backend_;
  }

  void NewFrame() override { ImGui_ImplSDLRenderer_NewFrame(); }

  void Draw(ImDrawData* data, const float rgb[3]) override {
    SDL_SetRenderDrawColor(renderer_, static_cast<Uint8>(rgb[0] * 255), static_cast<Uint8>(rgb[1] * 255),
                           static_cast<Uint8>(rgb[2] * 255), 255);
    // On the software renderer a clear costs a pass over the frame; the main
    // window's opaque background usually covers it all anyway.
    if (!software_draw_ || !SoftwareDraw::CoversFrame(data)) SDL_RenderClear(renderer_);
    if (data && software_draw_) {
      software_draw_->Draw(data);  // what SDL's rasteriser cannot see for itself (software_draw.h)
    } else if (data) {
      ImGui_ImplSDLRenderer_RenderDrawData(data);
    }
  }

  void Present() override { SDL_RenderPresent(renderer_); }

  bool ReadBackBuffer(RgbaImage* out, std::string* error) override {
    DrawableSize(&out->width, &out->height);
    out->pixels.resize(static_cast<size_t>(out->width) * out->height * 4);
    // RGBA32 is R,G,B,A in memory on any endianness. SDL flushes its command
    // queue first; the back buffer is undefined after SDL_RenderPresent.
    SDL_Rect all{0, 0, out->width, out->height};
    if (SDL_RenderReadPixels(renderer_, &all, SDL_PIXELFORMAT_RGBA32, out->pixels.data(), out->width * 4) != 0) {
      *error = std::string("SDL_RenderReadPixels: ") + SDL_GetError();
      return false;
    }
    return true;
  }

  void RebuildFontTexture() override {
    ImGui_ImplSDLRenderer_DestroyFontsTexture();
    ImGui_ImplSDLRenderer_CreateFontsTexture();
  }

  void DrawableSize(int* w, int* h) const override {
    if (SDL_GetRendererOutputSize(renderer_, w, h) != 0) SDL_GetWindowSize(window_, w, h);
  }

  std::string name() const override { return name_; }

  void* CreateTexture(int width, int height, const uint8_t* rgba, bool opaque, std::string* error) override {
    // RGBA32: R, G, B, A bytes in memory on any endianness, as the decoder
    // writes them. Opaque pixels on the software renderer: the window's own
    // format, so that SDL copies rows instead of converting and blending
    // every pixel of every frame (UpdateTexture converts once).
    const Uint32 format = opaque && software_ ? OpaqueFormat() : static_cast<Uint32>(SDL_PIXELFORMAT_RGBA32);
    SDL_Texture* t = SDL_CreateTexture(renderer_, format, SDL_TEXTUREACCESS_STATIC, width, height);
    if (!t) {
      *error = std::string("SDL_CreateTexture: ") + SDL_GetError();
      return nullptr;
    }
    SDL_SetTextureBlendMode(t, opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);  // photos are drawn shrunk and zoomed
    if (!UpdateTexture(t, width, height, rgba, error)) {
      SDL_DestroyTexture(t);
      return nullptr;
    }
    return t;
  }

  bool UpdateTexture(void* texture, int width, int height, const uint8_t* rgba, std::string* error) override {
    SDL_Texture* t = static_cast<SDL_Texture*>(texture);
    Uint32 format = SDL_PIXELFORMAT_RGBA32;
    SDL_QueryTexture(t, &format, nullptr, nullptr, nullptr);
    if (format != SDL_PIXELFORMAT_RGBA32) {  // an opaque texture in the window's format
      converted_.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 4);
      if (SDL_ConvertPixels(width, height, SDL_PIXELFORMAT_RGBA32, rgba, width * 4, format, converted_.data(),
                            width * 4) != 0) {
        *error = std::string("SDL_ConvertPixels: ") + SDL_GetError();
        return false;
      }
      rgba = converted_.data();
    }
    SDL_Rect all{0, 0, width, height};
    if (SDL_UpdateTexture(t, &all, rgba, width * 4) != 0) {
      *error = std::string("SDL_UpdateTexture: ") + SDL_GetError();
      return false;
    }
    return true;
  }

  void DestroyTexture(void* texture) override {
    if (software_draw_) software_draw_->Forget(static_cast<SDL_Texture*>(texture));
    SDL_DestroyTexture(static_cast<SDL_Texture*>(texture));
  }

  // The window's pixel format when it is 32-bit RGB (what the software
  // renderer draws into), else RGBA32.
  Uint32 OpaqueFormat() const {
    const Uint32 f = SDL_GetWindowPixelFormat(window_);
    const bool rgb32 = f != SDL_PIXELFORMAT_UNKNOWN && !SDL_ISPIXELFORMAT_INDEXED(f) && !SDL_ISPIXELFORMAT_FOURCC(f) &&
                       SDL_BYTESPERPIXEL(f) == 4;
    return rgb32 ? f : static_cast<Uint32>(SDL_PIXELFORMAT_RGBA32);
  }

  int MaxTextureSize() const override {
    SDL_RendererInfo info{};
    SDL_GetRendererInfo(renderer_, &info);
    const int m = std::min(info.max_texture_width, info.max_texture_height);
    return m > 0 ? m : 16384;  // 0: no limit (the software renderer)
  }

 private:
  SDL_Window* window_;
  SDL_Renderer* renderer_;
  bool platform_backend_ = false, renderer_backend_ = false;
  bool software_ = false;          // SDL's software rasteriser (SDL_RENDERER_SOFTWARE)
  std::vector<uint8_t> converted_;  // UpdateTexture's pixels in an opaque texture's format
  std::unique_ptr<SoftwareDraw> software_draw_;  // when software_
  std::string name_;
};

}  // namespace

std::unique_ptr<Renderer> CreateSdlRenderer(SDL_Window* window, bool software, bool vsync, std::string* error) {
  // Flags 0 let SDL try its accelerated drivers first and fall back to
  // software. Vsync is set afterwards: as a creation flag it would also
  // filter the drivers SDL may pick.
  if (software) {
    // Otherwise SDL shows the software renderer's frames through an OpenGL
    // texture when GL exists: Mesa's llvmpipe then costs ~3 ms per frame and
    // ~90 MB of memory on exactly the machines that asked for no GL.
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  }
  SDL_Renderer* r = SDL_CreateRenderer(window, -1, software ? SDL_RENDERER_SOFTWARE : 0);
  if (!r) {
    *error = std::string("SDL_CreateRenderer") + (software ? " (software)" : "") + ": " + SDL_GetError();
    return nullptr;
  }
  auto renderer = std::make_unique<SdlRenderer>(window, r);
  if (!renderer->Init(vsync, error)) return nullptr;
  return renderer;
}

}  // namespace ccfield
