// AppWindow: SDL setup, the event loop's wait, wake-ups from other threads,
// text input and DPI. The renderer-specific parts are in renderer_*.cpp.
#include "ccfield/platform/app_window.h"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdl.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string_view>

#include "renderer.h"

namespace ccfield {
namespace {

// ImGui's backends keep their state per ImGui context but SDL_Quit is
// process-wide: one AppWindow at a time.
std::atomic<bool> g_window_open{false};

bool Fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

}  // namespace

// Shared with every Waker() copy, so a waker that outlives the window (a
// background thread finishing late) finds `alive` false instead of calling
// into a shut-down SDL.
struct AppWindow::WakeState {
  std::mutex mu;
  bool alive = false;
  bool pending = false;  // a wake event is queued: coalesce, never flood SDL's queue
  uint32_t type = 0;
};

RenderBackend BackendFromEnv(RenderBackend fallback) {
  const char* value = std::getenv("CCFIELD_RENDERER");
  if (!value) return fallback;
  std::string_view v(value);
  if (v == "software") return RenderBackend::kSdlSoftware;
  if (v == "renderer") return RenderBackend::kSdlRenderer;
  if (v == "opengl3") return RenderBackend::kOpenGL3;
  if (v == "auto") return RenderBackend::kAuto;
  return fallback;
}

AppWindow::AppWindow() : wake_(std::make_shared<WakeState>()) {}

std::unique_ptr<AppWindow> AppWindow::Open(const WindowOptions& options, std::string* error) {
  if (!ImGui::GetCurrentContext()) {
    Fail(error, "AppWindow::Open: no ImGui context (call ImGui::CreateContext first)");
    return nullptr;
  }
  if (g_window_open.exchange(true)) {
    Fail(error, "AppWindow::Open: another AppWindow is open");
    return nullptr;
  }
  std::unique_ptr<AppWindow> window(new AppWindow());  // its destructor frees the slot
  if (!window->Init(options, error)) return nullptr;
  return window;
}

bool AppWindow::Init(const WindowOptions& options, std::string* error) {
  // Hints at normal priority: the matching environment variables still win.
  // SDL bypasses the compositor by default (made for full-screen games); a
  // windowed app then flickers or tears on some desktops.
  SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
  // SDL blocks the screensaver by default; a form app must not keep a
  // tablet's screen awake.
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");
#ifdef SDL_HINT_IME_SHOW_UI
  // Let the input method draw its own candidate window: ImGui 1.86 draws none.
  SDL_SetHint(SDL_HINT_IME_SHOW_UI, "1");
#endif
  if (SDL_Init(SDL_INIT_VIDEO) != 0) return Fail(error, std::string("SDL_Init(video): ") + SDL_GetError());
  sdl_video_ = true;

  // Registered once per process: SDL never gives event types back.
  static const uint32_t wake_type = SDL_RegisterEvents(1);
  if (wake_type == static_cast<uint32_t>(-1)) return Fail(error, "SDL_RegisterEvents: no user event types left");

  uint32_t flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
  if (options.backend == RenderBackend::kOpenGL3) flags |= PrepareGl3Window();
  window_ = SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width,
                             options.height, flags);
  if (!window_ && options.backend == RenderBackend::kOpenGL3) {
    // Typically libGL or a GLX visual is missing.
    return Fail(error, std::string("cannot create an OpenGL window (") + SDL_GetError() +
                           "); CCFIELD_RENDERER=software draws without GL");
  }
  if (!window_) return Fail(error, std::string("SDL_CreateWindow: ") + SDL_GetError());
  window_id_ = SDL_GetWindowID(window_);

  std::string message;
  switch (options.backend) {
    case RenderBackend::kOpenGL3:
      renderer_ = CreateGl3Renderer(window_, options.vsync, &message);
      break;
    case RenderBackend::kSdlSoftware:
      renderer_ = CreateSdlRenderer(window_, /*software=*/true, options.vsync, &message);
      break;
    case RenderBackend::kAuto:
    case RenderBackend::kSdlRenderer:
      renderer_ = CreateSdlRenderer(window_, /*software=*/false, options.vsync, &message);
      break;
  }
  if (!renderer_) return Fail(error, message);

  text_input_ = SDL_IsTextInputActive();
  // Files dragged from the desktop onto the window (photos to attach).
  SDL_EventState(SDL_DROPFILE, SDL_ENABLE);
  std::lock_guard lock(wake_->mu);
  wake_->type = wake_type;
  wake_->alive = true;
  return true;
}

AppWindow::~AppWindow() {
  {
    std::lock_guard lock(wake_->mu);
    wake_->alive = false;
  }
  renderer_.reset();  // ImGui backends first, then the renderer or GL context
  if (window_) SDL_DestroyWindow(window_);
  if (sdl_video_) SDL_Quit();
  g_window_open = false;
}

int AppWindow::WaitEvents(int timeout_ms) {
  SDL_Event event;
  int got = timeout_ms == 0 ? SDL_PollEvent(&event) : SDL_WaitEventTimeout(&event, timeout_ms < 0 ? -1 : timeout_ms);
  int handled = 0;
  while (got) {
    ++handled;
    if (event.type == wake_->type) {
      std::lock_guard lock(wake_->mu);
      wake_->pending = false;  // later wakes must queue a new event
    } else if (event.type == SDL_DROPFILE) {
      if (event.drop.file) dropped_.emplace_back(event.drop.file);
      SDL_free(event.drop.file);  // SDL hands the string over
    } else if (event.type == SDL_MULTIGESTURE) {
      OnPinch(event.mgesture.dDist, event.mgesture.x, event.mgesture.y);
    } else {
      ImGui_ImplSDL2_ProcessEvent(&event);
    }
    if (event.type == SDL_QUIT || (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE &&
                                   event.window.windowID == window_id_)) {
      quit_requested_ = true;
    }
    got = SDL_PollEvent(&event);
  }
  return handled;
}

std::function<void()> AppWindow::Waker() {
  return [state = wake_] {
    std::lock_guard lock(state->mu);
    if (!state->alive || state->pending) return;
    SDL_Event event{};
    event.type = state->type;
    // Thread-safe; it also interrupts SDL_WaitEventTimeout on the main thread.
    state->pending = SDL_PushEvent(&event) == 1;
  };
}

void AppWindow::NewFrame() {
  renderer_->NewFrame();
  ImGui_ImplSDL2_NewFrame();
}

void AppWindow::Present() {
  renderer_->Draw(ImGui::GetDrawData(), clear_);
  renderer_->Present();
}

void AppWindow::SetClearColor(float r, float g, float b) {
  clear_[0] = r;
  clear_[1] = g;
  clear_[2] = b;
}

bool AppWindow::SaveScreenshot(const std::string& path, std::string* error) {
  std::string message;
  ImDrawData* data = ImGui::GetDrawData();
  if (!data) return Fail(error, "screenshot: no frame (call after ImGui::Render and Present)");
  renderer_->Draw(data, clear_);
  RgbaImage image;
  if (!renderer_->ReadBackBuffer(&image, &message) || !WritePng(image, path, &message)) return Fail(error, message);
  return true;
}

void AppWindow::RebuildFontTexture() { renderer_->RebuildFontTexture(); }

std::string AppWindow::backend_name() const { return renderer_->name(); }

float AppWindow::dpi_scale() const {
  int ww = 0, wh = 0, dw = 0, dh = 0;
  SDL_GetWindowSize(window_, &ww, &wh);
  renderer_->DrawableSize(&dw, &dh);
  // The system already scales (macOS, Wayland): ImGui's DisplayFramebufferScale
  // covers it and ImGui units stay logical points.
  if (dw > ww) return 1.0f;
  float hdpi = 0;
  int display = SDL_GetWindowDisplayIndex(window_);
  if (display < 0 || SDL_GetDisplayDPI(display, nullptr, &hdpi, nullptr) != 0) return 1.0f;
  float scale = hdpi / 96.0f;  // 96 DPI is scale 1 on X11 and Windows
  // Projectors and some virtual displays report nonsense physical sizes.
  if (!(scale > 1.0f && scale <= 4.0f)) return 1.0f;
  return scale;
}

void AppWindow::SyncTextInput(bool want) {
  if (want == text_input_) return;
  if (want) {
    SDL_StartTextInput();
  } else {
    SDL_StopTextInput();
  }
  text_input_ = want;
}

void* AppWindow::CreateTexture(int width, int height, const uint8_t* rgba, std::string* error) {
  return MakeTexture(width, height, rgba, /*opaque=*/false, error);
}

void* AppWindow::CreateOpaqueTexture(int width, int height, const uint8_t* rgba, std::string* error) {
  return MakeTexture(width, height, rgba, /*opaque=*/true, error);
}

void* AppWindow::MakeTexture(int width, int height, const uint8_t* rgba, bool opaque, std::string* error) {
  std::string message;
  if (width <= 0 || height <= 0 || width > max_texture_size() || height > max_texture_size()) {
    Fail(error, "texture of " + std::to_string(width) + "x" + std::to_string(height) + " pixels: too large for " +
                    renderer_->name());
    return nullptr;
  }
  void* t = renderer_->CreateTexture(width, height, rgba, opaque, &message);
  if (!t) Fail(error, message);
  return t;
}

bool AppWindow::UpdateTexture(void* texture, int width, int height, const uint8_t* rgba, std::string* error) {
  std::string message;
  if (!renderer_->UpdateTexture(texture, width, height, rgba, &message)) return Fail(error, message);
  return true;
}

void AppWindow::DestroyTexture(void* texture) {
  if (texture) renderer_->DestroyTexture(texture);
}

int AppWindow::max_texture_size() const { return renderer_->MaxTextureSize(); }

std::vector<std::string> AppWindow::TakeDroppedFiles() {
  std::vector<std::string> out;
  out.swap(dropped_);
  return out;
}

void AppWindow::PushDropFile(const std::string& path) {
  SDL_Event event{};
  event.type = SDL_DROPFILE;
  event.drop.windowID = window_id_;
  event.drop.file = SDL_strdup(path.c_str());  // freed where the event is handled
  if (SDL_PushEvent(&event) != 1) SDL_free(event.drop.file);
}

void AppWindow::PushPinch(float d_dist, float x, float y) {
  SDL_Event event{};
  event.type = SDL_MULTIGESTURE;
  event.mgesture.timestamp = SDL_GetTicks();
  event.mgesture.dDist = d_dist;
  event.mgesture.x = x;
  event.mgesture.y = y;
  event.mgesture.numFingers = 2;
  SDL_PushEvent(&event);
}

void AppWindow::OnPinch(float d_dist, float x, float y) {
  // dDist is the change of the fingers' distance in touch-device units (0..1
  // across the device): spreading across a third of it doubles the zoom.
  pinch_ *= std::clamp(1.0f + d_dist * 3.0f, 0.5f, 2.0f);
  int w = 0, h = 0;
  SDL_GetWindowSize(window_, &w, &h);
  pinch_x_ = x * static_cast<float>(w);
  pinch_y_ = y * static_cast<float>(h);
}

float AppWindow::TakePinch(float* x, float* y) {
  const float p = pinch_;
  if (x) *x = pinch_x_;
  if (y) *y = pinch_y_;
  pinch_ = 1.0f;
  return p;
}

}  // namespace ccfield
