#pragma once
// AppWindow: the desktop window for the ImGui UI. One small class over SDL2,
// ImGui's SDL2 platform backend and one renderer backend (SDL_Renderer or
// OpenGL 3), so that the app loop and the UI never include SDL.
//
// Typical loop (idle means zero CPU: the loop blocks in WaitEvents):
//   ImGui::CreateContext();
//   auto window = AppWindow::Open(options, &error);
//   while (!window->quit_requested()) {
//     window->WaitEvents(busy ? 0 : 500);
//     window->NewFrame(); ImGui::NewFrame(); DrawUi(); ImGui::Render();
//     window->SyncTextInput(ImGui::GetIO().WantTextInput);
//     window->Present();
//   }
//   window.reset(); ImGui::DestroyContext();
//
// Thread-safety: everything except the function returned by Waker() must be
// called from the thread that called Open (SDL's video thread).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct SDL_Window;

namespace ccfield {

enum class RenderBackend {
  kAuto,         // SDL_Renderer, SDL's choice: accelerated if available, else software
  kSdlRenderer,  // SDL_Renderer, accelerated if available (same driver choice as kAuto)
  kSdlSoftware,  // SDL_Renderer's software rasteriser: needs no GL at all
  kOpenGL3,      // GL 3.0 context + ImGui's OpenGL3 backend (GLSL 130)
};

// `fallback` unless CCFIELD_RENDERER is set to software | renderer | opengl3
// | auto (unknown values are ignored, so a typo never stops the app).
RenderBackend BackendFromEnv(RenderBackend fallback);

struct WindowOptions {
  std::string title = "ccfield";
  int width = 1100, height = 720;  // window size in screen coordinates
  RenderBackend backend = RenderBackend::kAuto;
  bool vsync = true;  // off in tests, so Present never waits for a refresh
};

class Renderer;  // private to platform/sdl

class AppWindow {
 public:
  // Initialises SDL video, creates the window, the renderer (or GL context)
  // and the ImGui backends. On failure returns nullptr, stores a message in
  // *error (if not null) and leaves SDL shut down.
  // REQUIRES: an ImGui context is current (ImGui::CreateContext).
  // REQUIRES: no other AppWindow is open (the ImGui backends and SDL_Quit are
  // process-wide); a second Open fails with an error.
  static std::unique_ptr<AppWindow> Open(const WindowOptions& options, std::string* error);

  // Shuts down the ImGui backends, the renderer, the window and SDL. Does not
  // destroy the ImGui context.
  // REQUIRES: the ImGui context given to Open is still current.
  ~AppWindow();

  AppWindow(const AppWindow&) = delete;
  AppWindow& operator=(const AppWindow&) = delete;

  // Blocks until an event arrives or `timeout_ms` passes (0: do not block;
  // negative: no limit), then drains all pending events into ImGui. Returns
  // the number of events handled, wake-ups from Waker() included; 0 means the
  // timeout passed with nothing to do. Sets quit_requested() on SDL_QUIT or
  // when this window is closed.
  int WaitEvents(int timeout_ms);
  bool quit_requested() const { return quit_requested_; }

  // Starts a frame in the renderer and platform backends (display size, mouse,
  // delta time). The caller then calls ImGui::NewFrame().
  void NewFrame();

  // After ImGui::Render(): clears, draws ImGui's draw data and presents (GL:
  // swaps buffers; blocks for a refresh when vsync is on).
  void Present();

  // Sets the colour behind the ImGui windows (0..1 each; default dark grey).
  void SetClearColor(float r, float g, float b);

  // Writes the last presented frame to `path` as an 8-bit RGBA PNG of the
  // drawable size (the window size unless the display is high-DPI). It draws
  // the last frame's ImGui draw data again into the back buffer and reads that
  // back (front buffers cannot be read portably); nothing is presented.
  // REQUIRES: after Present() and before the next ImGui::NewFrame().
  // Returns false and stores a message in *error on failure.
  bool SaveScreenshot(const std::string& path, std::string* error);

  // Uploads the font atlas texture again after the app changed io.Fonts
  // (glyph ranges for a new language, a text-size change).
  // REQUIRES: between frames (not between ImGui::NewFrame and ImGui::Render).
  void RebuildFontTexture();

  // A function that wakes WaitEvents from any thread (SDL_PushEvent of a
  // registered event type). Safe to call from any thread at any time, also
  // after the window is gone (it then does nothing); cheap to copy.
  std::function<void()> Waker();

  // E.g. "SDL_Renderer software", "SDL_Renderer opengl", "OpenGL 3 (llvmpipe ...)".
  std::string backend_name() const;

  // Suggested scale for font sizes and style in ImGui units: the display's
  // horizontal DPI / 96 (X11, Windows). 1.0 when the system already scales
  // the window (drawable larger than the window: ImGui's
  // DisplayFramebufferScale covers it), when the DPI is unknown or implausible
  // (> 4x), and never below 1.0.
  float dpi_scale() const;

  // Turns SDL text input on or off (IME and on-screen keyboards on tablets);
  // pass io.WantTextInput once per frame. Calls SDL only on a change.
  void SyncTextInput(bool want);

  // ---- Textures (photos) ----
  // An RGBA texture (8 bits per channel, rows top to bottom, no padding) for
  // ImGui::Image: the returned pointer is the ImTextureID of the renderer
  // backend in use (SDL_Texture*, or a GL texture name). nullptr and *error
  // when the renderer cannot make it (too large: see max_texture_size()).
  // REQUIRES: between frames or while drawing, never inside Present.
  void* CreateTexture(int width, int height, const uint8_t* rgba, std::string* error);
  // The same for pixels that are all opaque (every alpha 255: map tiles):
  // the alpha bytes are ignored, and the SDL renderers draw it without
  // blending, the software one from its window's own pixel format, so that
  // drawing it unscaled is a copy. UpdateTexture works on it as on any.
  void* CreateOpaqueTexture(int width, int height, const uint8_t* rgba, std::string* error);
  // New pixels for a texture of the same size.
  bool UpdateTexture(void* texture, int width, int height, const uint8_t* rgba, std::string* error);
  // REQUIRES: not used by the frame being drawn (ImGui keeps the id in its
  // draw lists until Present).
  void DestroyTexture(void* texture);
  // The largest texture edge this renderer takes.
  int max_texture_size() const;

  // ---- Files dropped on the window (SDL_DROPFILE) ----
  // The paths dropped since the last call, in order; clears them.
  std::vector<std::string> TakeDroppedFiles();
  // Queues an SDL_DROPFILE event for `path`, exactly as the desktop does
  // (scripts and tests); it arrives through WaitEvents.
  void PushDropFile(const std::string& path);

  // ---- Pinch (SDL multi-finger gesture) ----
  // The zoom factor pinched since the last call (1 when none) and where the
  // fingers were, in window pixels; clears it.
  float TakePinch(float* x, float* y);
  // Queues an SDL_MULTIGESTURE event (two fingers whose distance changed by
  // `d_dist` around x, y: touch-device units, 0..1 of the window), as a touch
  // screen sends it (scripts and tests); it arrives through WaitEvents.
  void PushPinch(float d_dist, float x, float y);

 private:
  struct WakeState;
  AppWindow();
  bool Init(const WindowOptions& options, std::string* error);
  void OnPinch(float d_dist, float x, float y);
  void* MakeTexture(int width, int height, const uint8_t* rgba, bool opaque, std::string* error);

  bool sdl_video_ = false;  // SDL_Init succeeded: SDL_Quit on destruction
  SDL_Window* window_ = nullptr;
  std::unique_ptr<Renderer> renderer_;  // owns the ImGui backends
  std::shared_ptr<WakeState> wake_;
  unsigned window_id_ = 0;
  bool quit_requested_ = false;
  bool text_input_ = false;
  float clear_[3] = {0.11f, 0.11f, 0.12f};
  std::vector<std::string> dropped_;
  float pinch_ = 1.0f, pinch_x_ = 0, pinch_y_ = 0;
};

}  // namespace ccfield
