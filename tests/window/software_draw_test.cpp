// The software renderer's own draw path (platform/sdl/src/software_draw.h) on
// a real X server: opaque and translucent fills, flat triangles, opaque
// textures drawn scaled from a kept copy, the draw order around them, and a
// texture made where a freed one was (its kept copy must not come back).
#include <doctest/doctest.h>
#include <imgui.h>
#include <stb_image.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/platform/app_window.h"
#include "support/temp_dir.h"

namespace ccfield {
namespace {

constexpr int kWidth = 320, kHeight = 240;

struct Session {
  Session() : context(ImGui::CreateContext()) {
    ImGui::GetIO().IniFilename = nullptr;
    WindowOptions options;
    options.title = "ccfield software draw test";
    options.width = kWidth;
    options.height = kHeight;
    options.backend = RenderBackend::kSdlSoftware;
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

struct Shot {
  int width = 0, height = 0;
  std::vector<unsigned char> rgba;
  uint32_t Rgb(int x, int y) const {
    const unsigned char* p = &rgba[(static_cast<size_t>(y) * width + x) * 4];
    return static_cast<uint32_t>(p[0]) << 16 | static_cast<uint32_t>(p[1]) << 8 | p[2];
  }
};

// Draws one frame with `body` on the foreground draw list (over an empty
// display) and reads it back.
Shot DrawAndShoot(AppWindow& window, const std::function<void(ImDrawList*)>& body) {
  window.WaitEvents(0);
  window.NewFrame();
  ImGui::NewFrame();
  body(ImGui::GetForegroundDrawList());
  ImGui::Render();
  window.Present();
  testing::TempDir dir;
  std::string error;
  REQUIRE_MESSAGE(window.SaveScreenshot(dir.File("shot.png"), &error), error);
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(dir.File("shot.png").c_str(), &w, &h, &channels, 4);
  REQUIRE(data);
  Shot shot{w, h, std::vector<unsigned char>(data, data + static_cast<size_t>(w) * h * 4)};
  stbi_image_free(data);
  return shot;
}

// Blended colours: SDL's rounding may differ by one or two per channel.
bool Near(uint32_t c, uint32_t want) {
  for (int shift : {16, 8, 0}) {
    if (std::abs(static_cast<int>((c >> shift) & 255) - static_cast<int>((want >> shift) & 255)) > 2) return false;
  }
  return true;
}

// A width x height texture of one colour; alpha 255 unless given.
std::vector<uint8_t> Pixels(int width, int height, uint32_t rgb, uint8_t alpha = 255) {
  std::vector<uint8_t> px(static_cast<size_t>(width) * height * 4);
  for (size_t i = 0; i < px.size(); i += 4) {
    px[i] = static_cast<uint8_t>(rgb >> 16);
    px[i + 1] = static_cast<uint8_t>(rgb >> 8);
    px[i + 2] = static_cast<uint8_t>(rgb);
    px[i + 3] = alpha;
  }
  return px;
}

TEST_CASE("software draw: fills, translucent fills and round shapes keep their colours") {
  Session s;
  REQUIRE_MESSAGE(s.window, s.error);
  s.window->SetClearColor(0, 0, 0);
  const Shot shot = DrawAndShoot(*s.window, [](ImDrawList* dl) {
    dl->AddRectFilled(ImVec2(10, 10), ImVec2(110, 110), IM_COL32(200, 40, 10, 255));       // opaque
    dl->AddRectFilled(ImVec2(60, 60), ImVec2(160, 160), IM_COL32(255, 255, 255, 128));     // half over it
    dl->AddRectFilled(ImVec2(180, 10), ImVec2(300, 100), IM_COL32(20, 160, 60, 255), 12);  // rounded
    dl->AddCircleFilled(ImVec2(240, 180), 40, IM_COL32(30, 60, 220, 255));
  });
  CHECK(shot.Rgb(30, 30) == 0xC8280Au);
  // White at alpha 128 over the red and over the black clear colour.
  CHECK_MESSAGE(Near(shot.Rgb(80, 80), 0xE39384u), std::hex, shot.Rgb(80, 80));
  CHECK_MESSAGE(Near(shot.Rgb(140, 140), 0x808080u), std::hex, shot.Rgb(140, 140));
  CHECK(shot.Rgb(240, 55) == 0x14A03Cu);  // inside the rounded rectangle (triangles)
  CHECK(shot.Rgb(181, 11) == 0x000000u);  // outside its rounded corner
  CHECK(shot.Rgb(240, 180) == 0x1E3CDCu);
  CHECK(shot.Rgb(240, 225) == 0x000000u);  // below the circle
}

TEST_CASE("software draw: an opaque texture drawn scaled, in order, from a fresh copy after it is freed") {
  Session s;
  REQUIRE_MESSAGE(s.window, s.error);
  s.window->SetClearColor(0, 0, 0);
  std::string error;
  const std::vector<uint8_t> red = Pixels(4, 4, 0xE01010);
  void* tex = s.window->CreateOpaqueTexture(4, 4, red.data(), &error);
  REQUIRE_MESSAGE(tex, error);
  auto body = [&](ImDrawList* dl) {
    dl->AddRectFilled(ImVec2(0, 0), ImVec2(100, 100), IM_COL32(0, 200, 0, 255));  // under the image
    dl->AddImage(tex, ImVec2(20, 20), ImVec2(120, 120));                          // 4 x 4 texels drawn 25 times larger
    dl->AddRectFilled(ImVec2(100, 100), ImVec2(140, 140), IM_COL32(250, 250, 0, 255));  // over it
  };
  for (int frame = 0; frame < 2; ++frame) {  // the first frame makes the scaled copy, the second draws from it
    CAPTURE(frame);
    const Shot shot = DrawAndShoot(*s.window, body);
    CHECK(shot.Rgb(10, 10) == 0x00C800u);
    CHECK(shot.Rgb(60, 60) == 0xE01010u);
    CHECK(shot.Rgb(110, 110) == 0xFAFA00u);
    CHECK(shot.Rgb(130, 60) == 0x000000u);
  }
  // A new texture at the freed one's address (SDL reuses the memory; made
  // until it does), drawn at the same size: its own pixels, not the copy.
  s.window->DestroyTexture(tex);
  void* old = tex;
  const std::vector<uint8_t> blue = Pixels(4, 4, 0x1010E0);
  std::vector<void*> others;
  for (int i = 0; i < 64; ++i) {
    tex = s.window->CreateOpaqueTexture(4, 4, blue.data(), &error);
    REQUIRE_MESSAGE(tex, error);
    if (tex == old) break;
    others.push_back(tex);
  }
  MESSAGE("same address: ", tex == old);
  const Shot shot = DrawAndShoot(*s.window, body);
  CHECK(shot.Rgb(60, 60) == 0x1010E0u);
  s.window->DestroyTexture(tex);
  for (void* t : others) s.window->DestroyTexture(t);
}

TEST_CASE("software draw: a texture with transparent pixels still blends") {
  Session s;
  REQUIRE_MESSAGE(s.window, s.error);
  s.window->SetClearColor(0, 0, 0);
  std::string error;
  const std::vector<uint8_t> px = Pixels(4, 4, 0xFFFFFF, 0);  // all transparent
  void* tex = s.window->CreateTexture(4, 4, px.data(), &error);
  REQUIRE_MESSAGE(tex, error);
  const Shot shot = DrawAndShoot(*s.window, [&](ImDrawList* dl) {
    dl->AddRectFilled(ImVec2(0, 0), ImVec2(100, 100), IM_COL32(0, 200, 0, 255));
    dl->AddImage(tex, ImVec2(10, 10), ImVec2(90, 90));
  });
  CHECK(shot.Rgb(50, 50) == 0x00C800u);
  s.window->DestroyTexture(tex);
}

}  // namespace
}  // namespace ccfield
