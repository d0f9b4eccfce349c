// ccfield_map_frame_bench: the map's frame time while panning over a basemap
// on the SDL software renderer at 1100 x 720 (issue 13's target: p95 < 8 ms),
// and how many tiles are uploaded per frame. Runs the App, the views, the
// tile textures and AppWindow in this process as ui/window_main.cpp does,
// under the caller's X display (xvfb-run -a). Prints figures, never asserts.
//
//   ccfield_map_frame_bench [--frames N] [--data DIR]
// Without --data, a fresh data folder gets the demo data and its basemap.
// The pointer drags the map along a square (strokes of 50 frames, 10 px per
// frame, so new tiles keep coming into view), one frame every 16.7 ms (the
// tile worker decodes in between, as at 60 Hz).
#include <imgui.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "app/app.h"
#include "bench_util.h"
#include "ccfield/platform/app_window.h"
#include "ccfield/platform/env.h"
#include "views/fonts.h"
#include "views/map_tiles.h"
#include "views/photo_textures.h"
#include "views/theme.h"
#include "views/views.h"
#include "views/widgets.h"

using namespace ccfield;
using namespace ccfield::bench;

namespace {

class Textures final : public views::TextureMaker {
 public:
  explicit Textures(AppWindow* w) : w_(w) {}
  ImTextureID Create(int width, int height, const uint8_t* rgba, std::string* error) override {
    return w_->CreateTexture(width, height, rgba, error);
  }
  ImTextureID CreateOpaque(int width, int height, const uint8_t* rgba, std::string* error) override {
    return w_->CreateOpaqueTexture(width, height, rgba, error);
  }
  void Destroy(ImTextureID t) override { w_->DestroyTexture(t); }
  int MaxSize() const override { return w_->max_texture_size(); }

 private:
  AppWindow* w_;
};

struct Frames {
  std::vector<double> ms, cpu_ms, uploads;
};

// This thread's CPU time: the frame's own work, whatever else the machine
// runs (the X server's share of Present is not in it).
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  SetProgramName("ccfield_map_frame_bench");
  int frames = 1200;
  std::string data;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--frames") == 0) frames = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
  }
  bool remove_dir = false;
  data = MakeWorkDir(data, "ccfield_map_bench", false, &remove_dir);

  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  WindowOptions wo;
  wo.title = "ccfield_map_frame_bench";
  wo.width = 1100;
  wo.height = 720;
  wo.backend = RenderBackend::kSdlSoftware;
  wo.vsync = false;
  std::string error;
  std::unique_ptr<AppWindow> window = AppWindow::Open(wo, &error);
  if (!window) Die("cannot open the window: " + error);
  app::AppOptions ao;
  ao.env = DefaultEnv();
  ao.data_dir = data;
  ao.wake = window->Waker();
  ao.background_sync = false;
  std::unique_ptr<app::App> app = Check(app::App::Open(std::move(ao)), "opening the app on " + data);
  if (app->state().map.packs.empty()) Die("no basemap pack is installed in " + data + "/maps");
  app->Apply(app::Command{app::GoTo{app::Screen::kSites}});

  Textures maker(window.get());
  auto owned_tiles = std::make_unique<views::MapTextures>(&maker, app->map_tiles());
  views::MapTextures& tiles = *owned_tiles;
  views::ViewState ui;
  ui.map_textures = &tiles;
  std::string font_error;
  if (!views::BuildFonts(views::WantedScripts("en"), 18.0f, &font_error))
    std::printf("fonts: %s\n", font_error.c_str());
  window->RebuildFontTexture();
  views::ApplyTheme(app::Theme::kLight, 1.0f);
  views::EnableItemLog(true);

  ImVec2 canvas_min, canvas_max;
  Frames warm, timed;
  const auto period = std::chrono::microseconds(16667);
  ImGuiIO& io = ImGui::GetIO();
  for (int i = -120; i < frames; ++i) {  // 120 frames (2 s) of warm-up: the first tiles, the fonts
    const auto start = std::chrono::steady_clock::now();
    window->WaitEvents(0);
    app->Tick();
    const auto t0 = Clock::now();
    const double cpu0 = ThreadCpuMs();
    tiles.BeginFrame();
    window->NewFrame();
    if (i >= 0 && canvas_max.x > canvas_min.x) {
      // Strokes of 50 frames along a square: right, down, left, up.
      const int stroke = (i / 50) % 4, step = i % 50;
      const ImVec2 mid((canvas_min.x + canvas_max.x) / 2, (canvas_min.y + canvas_max.y) / 2);
      const float dx[] = {10, 0, -10, 0}, dy[] = {0, 10, 0, -10};
      const float off = static_cast<float>(step) - 25;
      io.MousePos = ImVec2(mid.x + dx[stroke] * off, mid.y + dy[stroke] * off * 0.4f);
      io.MouseDown[0] = step != 49;  // lifted at the end of a stroke
    }
    ImGui::NewFrame();
    views::BeginItemLog();
    app::Commands commands;
    views::Frame frame{app->state(), commands, ui, 1.0f};
    views::DrawMain(frame);
    ImGui::Render();
    window->Present();
    const double ms = MsBetween(t0, Clock::now());
    const double cpu_ms = ThreadCpuMs() - cpu0;
    for (const views::LoggedItem& item : views::LastFrameItems()) {
      if (item.label == "map_canvas") canvas_min = item.min, canvas_max = item.max;
    }
    Frames& f = i < 0 ? warm : timed;
    f.ms.push_back(ms);
    f.cpu_ms.push_back(cpu_ms);
    f.uploads.push_back(tiles.uploads_last_frame());
    std::this_thread::sleep_until(start + period);
  }
  if (canvas_max.x <= canvas_min.x) Die("the map was not drawn (no \"map_canvas\" item)");
  const Stats t = Summarize(timed.ms), c = Summarize(timed.cpu_ms), u = Summarize(timed.uploads);
  size_t with_uploads = 0;
  double uploaded = 0;
  for (double n : timed.uploads) with_uploads += n > 0, uploaded += n;
  std::printf("map canvas %.0fx%.0f px in a 1100x720 window, software renderer, packs=%zu\n",
              static_cast<double>(canvas_max.x - canvas_min.x), static_cast<double>(canvas_max.y - canvas_min.y),
              app->state().map.packs.size());
  std::printf("map_frame_ms panning frames=%zu p50=%.2f p95=%.2f max=%.2f mean=%.2f (target p95 < 8 ms: %s)\n", t.n,
              t.p50, t.p95, t.max, t.mean, Verdict(t.p95 < 8.0));
  std::printf("map_frame_cpu_ms (this thread) p50=%.2f p95=%.2f max=%.2f mean=%.2f\n", c.p50, c.p95, c.max, c.mean);
  std::printf(
      "tiles_uploaded per_frame mean=%.2f max=%.0f frames_with_uploads=%zu total=%.0f cache_tiles=%zu "
      "cache_mb=%.1f\n",
      u.mean, u.max, with_uploads, uploaded, tiles.count(), static_cast<double>(tiles.bytes()) / (1 << 20));
  views::EnableItemLog(false);
  owned_tiles.reset();  // its textures belong to the window's renderer
  app.reset();
  window.reset();
  ImGui::DestroyContext();
  if (remove_dir) std::filesystem::remove_all(data);
  return 0;
}
