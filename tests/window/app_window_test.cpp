// AppWindow on a real X server (Xvfb, see with_xvfb.sh): frames drawn by each
// renderer and read back as PNG, wake-ups from other threads, idle waits,
// font-atlas rebuilds and the error paths.
#include "ccfield/platform/app_window.h"

#include <SDL.h>
#include <doctest/doctest.h>
#include <imgui.h>
#include <stb_image.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "support/temp_dir.h"

namespace ccfield {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kWidth = 480, kHeight = 320;
const ImVec4 kRed(230 / 255.0f, 30 / 255.0f, 30 / 255.0f, 1.0f);
const char* kDejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// An ImGui context and a window on it, torn down in the order AppWindow needs.
struct Session {
  explicit Session(RenderBackend backend) : context(ImGui::CreateContext()) {
    ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini in the build tree
    WindowOptions options;
    options.title = "ccfield window test";
    options.width = kWidth;
    options.height = kHeight;
    options.backend = backend;
    options.vsync = false;
    window = AppWindow::Open(options, &error);
  }
  ~Session() {
    window.reset();
    ImGui::DestroyContext(context);
  }
  ImGuiContext* context;
  std::unique_ptr<AppWindow> window;
  std::string error;
};

// One whole frame: `body` draws inside a window that fills the display.
void DrawFrame(AppWindow& window, const std::function<void()>& body) {
  window.WaitEvents(0);
  window.NewFrame();
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
  ImGui::Begin("test", nullptr, ImGuiWindowFlags_NoDecoration);
  body();
  ImGui::End();
  ImGui::Render();
  window.Present();
}

// Handles the burst of events a new window gets (map, expose, focus) so
// that timing tests start from a quiet queue.
void DrainStartupEvents(AppWindow& window) {
  for (int i = 0; i < 50 && window.WaitEvents(100) > 0; ++i) {
  }
}

struct Png {
  int width = 0, height = 0;
  std::vector<unsigned char> rgba;
  const unsigned char* At(int x, int y) const { return &rgba[(static_cast<size_t>(y) * width + x) * 4]; }
};

std::optional<Png> LoadPng(const std::string& path) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 4);
  if (!data) return std::nullopt;
  Png png{w, h, std::vector<unsigned char>(data, data + static_cast<size_t>(w) * h * 4)};
  stbi_image_free(data);
  return png;
}

size_t DistinctColours(const Png& png) {
  std::set<uint32_t> colours;
  for (size_t i = 0; i + 3 < png.rgba.size(); i += 4) {
    colours.insert(png.rgba[i] << 16 | png.rgba[i + 1] << 8 | png.rgba[i + 2]);
  }
  return colours.size();
}

bool Near(const unsigned char* px, int r, int g, int b) {
  auto close = [](int a, int e) { return std::abs(a - e) <= 10; };
  return close(px[0], r) && close(px[1], g) && close(px[2], b) && px[3] == 255;
}

// Draws text, a red button and a gradient, screenshots, and checks the PNG:
// the window's size, not blank, and the button red where ImGui put it (which catches
// swapped channels and GL's bottom-up rows).
void CheckScreenshot(RenderBackend backend) {
  Session s(backend);
  REQUIRE_MESSAGE(s.window, s.error);
  MESSAGE("backend: ", s.window->backend_name());
  ImVec2 button_min;
  for (int frame = 0; frame < 3; ++frame) {
    DrawFrame(*s.window, [&] {
      ImGui::Text("Hello ccfield, frame %d", frame);
      ImGui::PushStyleColor(ImGuiCol_Button, kRed);
      ImGui::PushStyleColor(ImGuiCol_ButtonHovered, kRed);
      ImGui::PushStyleColor(ImGuiCol_ButtonActive, kRed);
      ImGui::Button("Save", ImVec2(120, 40));
      button_min = ImGui::GetItemRectMin();
      ImGui::PopStyleColor(3);
      // A black-to-white gradient: interpolated vertex colours give many shades.
      ImVec2 p = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddRectFilledMultiColor(p, ImVec2(p.x + 256, p.y + 20), IM_COL32_BLACK,
                                                          IM_COL32_WHITE, IM_COL32_WHITE, IM_COL32_BLACK);
      ImGui::Dummy(ImVec2(256, 20));
    });
  }
  testing::TempDir dir;
  std::string error;
  REQUIRE_MESSAGE(s.window->SaveScreenshot(dir.File("frame.png"), &error), error);

  std::optional<Png> png = LoadPng(dir.File("frame.png"));
  REQUIRE(png);
  CHECK(png->width == kWidth);
  CHECK(png->height == kHeight);
  CHECK(DistinctColours(*png) > 100);
  const unsigned char* px = png->At(static_cast<int>(button_min.x) + 4, static_cast<int>(button_min.y) + 4);
  CHECK_MESSAGE(Near(px, 230, 30, 30), "button pixel ", int(px[0]), ",", int(px[1]), ",", int(px[2]));
}

TEST_CASE("window: the software renderer draws frames that can be screenshotted") {
  CheckScreenshot(RenderBackend::kSdlSoftware);
}

TEST_CASE("window: OpenGL 3 draws frames that can be screenshotted") { CheckScreenshot(RenderBackend::kOpenGL3); }

TEST_CASE("window: SDL's default renderer draws frames that can be screenshotted") {
  CheckScreenshot(RenderBackend::kAuto);
}

TEST_CASE("window: backend names say which renderer runs") {
  {
    Session soft(RenderBackend::kSdlSoftware);
    REQUIRE_MESSAGE(soft.window, soft.error);
    CHECK(soft.window->backend_name() == "SDL_Renderer software");
  }
  Session gl(RenderBackend::kOpenGL3);
  REQUIRE_MESSAGE(gl.window, gl.error);
  CHECK(gl.window->backend_name().rfind("OpenGL 3 (", 0) == 0);
}

TEST_CASE("window: SaveScreenshot reports what went wrong") {
  Session s(RenderBackend::kSdlSoftware);
  REQUIRE_MESSAGE(s.window, s.error);
  std::string error;
  CHECK_FALSE(s.window->SaveScreenshot("unused.png", &error));  // nothing rendered yet
  CHECK(error.find("no frame") != std::string::npos);
  DrawFrame(*s.window, [] { ImGui::Text("x"); });
  CHECK_FALSE(s.window->SaveScreenshot("/nonexistent-dir/frame.png", &error));
  CHECK(error.find("/nonexistent-dir/frame.png") != std::string::npos);
}

TEST_CASE("window: a waker on another thread ends WaitEvents early") {
  Session s(RenderBackend::kSdlSoftware);
  REQUIRE_MESSAGE(s.window, s.error);
  DrainStartupEvents(*s.window);
  std::function<void()> wake = s.window->Waker();

  std::thread waker([&] {
    std::this_thread::sleep_for(milliseconds(100));
    wake();
  });
  Clock::time_point start = Clock::now();
  int handled = s.window->WaitEvents(5000);
  Clock::duration took = Clock::now() - start;
  waker.join();
  CHECK(handled >= 1);
  CHECK(took < milliseconds(1000));

  // Wakes coalesce while one is queued: a busy worker cannot flood SDL's queue.
  std::thread burst([&] {
    for (int i = 0; i < 1000; ++i) wake();
  });
  burst.join();
  handled = s.window->WaitEvents(0);
  CHECK(handled >= 1);
  CHECK(handled < 10);
  // And after handling, the next wake queues again.
  wake();
  CHECK(s.window->WaitEvents(1000) >= 1);

  // A waker that outlives its window does nothing (sync threads may finish late).
  s.window.reset();
  wake();
}

TEST_CASE("window: WaitEvents returns 0 after its timeout when idle") {
  Session s(RenderBackend::kSdlSoftware);
  REQUIRE_MESSAGE(s.window, s.error);
  DrainStartupEvents(*s.window);
  Clock::time_point start = Clock::now();
  int handled = s.window->WaitEvents(50);
  Clock::duration took = Clock::now() - start;
  CHECK(handled == 0);
  CHECK(took >= milliseconds(40));
  CHECK(took < milliseconds(1000));
  CHECK(s.window->WaitEvents(0) == 0);  // polling never blocks
}

TEST_CASE("window: SDL_QUIT sets quit_requested") {
  Session s(RenderBackend::kSdlSoftware);
  REQUIRE_MESSAGE(s.window, s.error);
  CHECK_FALSE(s.window->quit_requested());
  SDL_Event quit{};
  quit.type = SDL_QUIT;
  REQUIRE(SDL_PushEvent(&quit) == 1);
  CHECK(s.window->WaitEvents(1000) >= 1);
  CHECK(s.window->quit_requested());
}

TEST_CASE("window: RebuildFontTexture uploads a font added between frames") {
  RenderBackend backend = RenderBackend::kSdlSoftware;
  SUBCASE("software") {}
  SUBCASE("opengl3") { backend = RenderBackend::kOpenGL3; }
  Session s(backend);
  REQUIRE_MESSAGE(s.window, s.error);
  DrawFrame(*s.window, [] { ImGui::Text("default font"); });

  // Latin + Cyrillic + the full block, whose solid glyph shows whether the
  // new atlas was really uploaded (a stale texture samples something else).
  static const ImWchar kRanges[] = {0x0020, 0x00FF, 0x0400, 0x04FF, 0x2588, 0x2588, 0};
  ImFont* font = ImGui::GetIO().Fonts->AddFontFromFileTTF(kDejaVu, 48.0f, nullptr, kRanges);
  REQUIRE(font);
  s.window->RebuildFontTexture();
  CHECK(ImGui::GetIO().Fonts->IsBuilt());
  CHECK(ImGui::GetIO().Fonts->TexID != ImTextureID{});
  CHECK(font->FindGlyphNoFallback(0x041F));  // П

  ImVec2 block_min, block_max;
  for (int frame = 0; frame < 2; ++frame) {
    DrawFrame(*s.window, [&] {
      ImGui::PushFont(font);
      ImGui::TextUnformatted("Привет");
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0, 1, 0, 1));
      ImGui::TextUnformatted("\u2588");
      block_min = ImGui::GetItemRectMin();
      block_max = ImGui::GetItemRectMax();
      ImGui::PopStyleColor();
      ImGui::PopFont();
    });
  }
  testing::TempDir dir;
  std::string error;
  REQUIRE_MESSAGE(s.window->SaveScreenshot(dir.File("font.png"), &error), error);
  std::optional<Png> png = LoadPng(dir.File("font.png"));
  REQUIRE(png);
  const unsigned char* px =
      png->At(static_cast<int>((block_min.x + block_max.x) / 2), static_cast<int>((block_min.y + block_max.y) / 2));
  CHECK_MESSAGE(Near(px, 0, 255, 0), "block pixel ", int(px[0]), ",", int(px[1]), ",", int(px[2]));
}

TEST_CASE("window: SyncTextInput switches SDL text input and dpi_scale is 1 at 96 DPI") {
  Session s(RenderBackend::kSdlSoftware);
  REQUIRE_MESSAGE(s.window, s.error);
  s.window->SyncTextInput(false);
  CHECK_FALSE(SDL_IsTextInputActive());
  s.window->SyncTextInput(true);
  CHECK(SDL_IsTextInputActive());
  s.window->SyncTextInput(false);
  CHECK_FALSE(SDL_IsTextInputActive());
  // with_xvfb.sh runs Xvfb at 96 DPI: scale 1.
  CHECK(s.window->dpi_scale() == doctest::Approx(1.0f));
}

// Sets (or with nullptr unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_CASE("window: Open fails with a message and leaves nothing behind") {
  std::string error;
  SUBCASE("no ImGui context") {
    CHECK_FALSE(AppWindow::Open(WindowOptions{}, &error));
    CHECK(error.find("ImGui context") != std::string::npos);
  }
  SUBCASE("a second window") {
    Session first(RenderBackend::kSdlSoftware);
    REQUIRE_MESSAGE(first.window, first.error);
    CHECK_FALSE(AppWindow::Open(WindowOptions{}, &error));
    CHECK(error.find("another AppWindow") != std::string::npos);
  }
  SUBCASE("an X display that does not exist") {
    ScopedEnv driver("SDL_VIDEODRIVER", "x11");  // no fallback to another driver
    ScopedEnv display("DISPLAY", ":65000");
    Session s(RenderBackend::kSdlSoftware);
    CHECK_FALSE(s.window);
    CHECK(s.error.find("SDL_Init") != std::string::npos);
  }
  SUBCASE("no libGL for OpenGL 3") {
    ScopedEnv gl("SDL_OPENGL_LIBRARY", "/nonexistent/libGL.so.1");  // read by SDL on X11
    Session s(RenderBackend::kOpenGL3);
    CHECK_FALSE(s.window);
    CHECK(s.error.find("OpenGL") != std::string::npos);
    MESSAGE(s.error);
  }
  // Each failure freed the one-window slot and shut SDL down.
  Session after(RenderBackend::kSdlSoftware);
  CHECK_MESSAGE(after.window, after.error);
}

TEST_CASE("window: BackendFromEnv reads CCFIELD_RENDERER") {
  {
    ScopedEnv env("CCFIELD_RENDERER", "software");
    CHECK(BackendFromEnv(RenderBackend::kAuto) == RenderBackend::kSdlSoftware);
  }
  {
    ScopedEnv env("CCFIELD_RENDERER", "opengl3");
    CHECK(BackendFromEnv(RenderBackend::kAuto) == RenderBackend::kOpenGL3);
  }
  {
    ScopedEnv env("CCFIELD_RENDERER", "renderer");
    CHECK(BackendFromEnv(RenderBackend::kOpenGL3) == RenderBackend::kSdlRenderer);
  }
  {
    ScopedEnv env("CCFIELD_RENDERER", "vulkan");  // unknown: the fallback
    CHECK(BackendFromEnv(RenderBackend::kOpenGL3) == RenderBackend::kOpenGL3);
  }
  ScopedEnv unset("CCFIELD_RENDERER", nullptr);
  CHECK(BackendFromEnv(RenderBackend::kSdlSoftware) == RenderBackend::kSdlSoftware);
}

}  // namespace
}  // namespace ccfield
