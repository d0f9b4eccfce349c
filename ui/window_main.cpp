#include "window_main.h"

#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/app.h"
#include "ccfield/platform/app_window.h"
#include "cli/cli.h"
#include "ccfield/platform/env.h"
#include "ccfield/platform/location.h"
#include "driver/ui_driver.h"
#include "text/i18n.h"
#include "views/fonts.h"
#include "views/mirror.h"
#include "views/map_tiles.h"
#include "views/photo_textures.h"
#include "views/theme.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield {
namespace {

// Frames drawn after any input or result: ImGui needs a couple to settle
// (hover, then click), after which the loop sleeps until the next event.
constexpr int kFramesAfterActivity = 3;
// The text cursor blinks at this period; while typing, one frame per blink.
constexpr int kBlinkMs = 500;
constexpr int kSpinnerMs = 125;

RenderBackend ParseBackend(const std::string& name) {
  if (name == "software") return RenderBackend::kSdlSoftware;
  if (name == "renderer") return RenderBackend::kSdlRenderer;
  if (name == "opengl3") return RenderBackend::kOpenGL3;
  return RenderBackend::kAuto;
}

int64_t NowMs(Env* env) { return env->MonoNanos() / 1'000'000; }

// The views' photo textures, made by the window's renderer.
class WindowTextures final : public views::TextureMaker {
 public:
  explicit WindowTextures(AppWindow* window) : window_(window) {}
  ImTextureID Create(int width, int height, const uint8_t* rgba, std::string* error) override {
    return window_->CreateTexture(width, height, rgba, error);
  }
  ImTextureID CreateOpaque(int width, int height, const uint8_t* rgba, std::string* error) override {
    return window_->CreateOpaqueTexture(width, height, rgba, error);
  }
  void Destroy(ImTextureID texture) override { window_->DestroyTexture(texture); }
  int MaxSize() const override { return window_->max_texture_size(); }

 private:
  AppWindow* window_;
};

}  // namespace

int RunWindow(const WindowArgs& args, Env* env) {
  const int64_t start_ms = NowMs(env);
  std::optional<views::UiDriver> driver;
  if (!args.script.empty()) {
    std::ifstream in(args.script);
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    if (!in) error = "cannot read " + args.script;
    if (error.empty()) driver = views::UiDriver::Parse(text.str(), &error);
    if (!driver) {
      std::fprintf(stderr, "ccfield: %s\n", error.c_str());
      return 2;
    }
    views::EnableItemLog(true);
  }

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is fixed; nothing to remember between runs

  WindowOptions wo;
  wo.title = "ccfield";
  wo.width = args.width;
  wo.height = args.height;
  wo.backend = BackendFromEnv(ParseBackend(args.renderer));
  wo.vsync = !driver;
  std::string error;
  std::unique_ptr<AppWindow> window = AppWindow::Open(wo, &error);
  if (!window) {
    std::fprintf(stderr, "ccfield: cannot open the window: %s\n", error.c_str());
    ImGui::DestroyContext();
    return kNoWindow;
  }

  app::AppOptions ao;
  ao.env = env;
  ao.data_dir = args.data_dir;
  ao.wake = window->Waker();
  // Issue 13: positions from gpsd; without it the position sections say so plainly.
  GpsdOptions gpsd;
  gpsd.env = env;
  if (args.gpsd != "none" && ParseGpsdAddress(args.gpsd, &gpsd, &error)) ao.location = NewGpsdLocation(gpsd);
  Result<std::unique_ptr<app::App>> opened = app::App::Open(std::move(ao));
  if (!opened.ok()) {
    std::fprintf(stderr, "ccfield: %s\n", opened.status().ToString().c_str());
    window.reset();
    ImGui::DestroyContext();
    return 1;
  }
  std::unique_ptr<app::App> app = std::move(*opened);

  views::ViewState ui_state;
  WindowTextures texture_maker(window.get());
  // Destroyed before the window (its textures belong to the renderer).
  auto textures = std::make_unique<views::PhotoTextures>(&texture_maker, app->photo_images());
  ui_state.textures = textures.get();
  auto map_textures = std::make_unique<views::MapTextures>(&texture_maker, app->map_tiles());
  ui_state.map_textures = map_textures.get();
  unsigned font_scripts = 0;
  float font_size = 0;
  app::Theme theme{};
  float theme_scale = 0;
  int frames_left = kFramesAfterActivity;
  int64_t frames = 0, wakeups = 0;
  int exit_code = 0;

  while (!window->quit_requested()) {
    // Sleep until input, a posted result, a draft deadline or an animation frame.
    int timeout = frames_left > 0 ? 0 : -1;
    if (int64_t due = app->MillisUntilDue(); due >= 0 && frames_left == 0) timeout = static_cast<int>(due);
    if (frames_left == 0 && io.WantTextInput) timeout = timeout < 0 ? kBlinkMs : std::min(timeout, kBlinkMs);
    if (frames_left == 0 && app->state().sync.running) timeout = timeout < 0 ? kSpinnerMs : std::min(timeout, kSpinnerMs);
    if (frames_left == 0 && ui_state.redraw_in_ms >= 0) {  // the map: tiles loading, a long-press timed
      timeout = timeout < 0 ? ui_state.redraw_in_ms : std::min(timeout, ui_state.redraw_in_ms);
    }
    if (driver && !driver->done()) timeout = 0;
    int events = window->WaitEvents(timeout);
    ++wakeups;
    if (events > 0) frames_left = kFramesAfterActivity;
    // The first frame comes before anything slow: Tick's deferred counts of the
    // change log (hundreds of ms on a store with millions of unsent changes)
    // run on the next turn of the loop.
    if (frames > 0 && app->Tick()) frames_left = kFramesAfterActivity;
    if (frames_left == 0 && timeout != 0 && events == 0) frames_left = 1;  // blink, spinner or draft tick
    if (frames_left == 0 && !(driver && !driver->done())) continue;

    // Fonts follow the language, the text size and the scripts seen on screen.
    const app::UiSettings& st = app->settings();
    const float scale = st.text_scale * window->dpi_scale();
    const unsigned want = views::WantedScripts(st.language);
    if ((want & ~font_scripts) != 0 || font_size != 18.0f * scale) {
      std::string font_error;
      if (!views::BuildFonts(want, 18.0f * scale, &font_error)) std::fprintf(stderr, "ccfield: %s\n", font_error.c_str());
      window->RebuildFontTexture();
      font_scripts = want;
      font_size = 18.0f * scale;
    }
    if (theme != st.theme || theme_scale != scale) {
      views::ApplyTheme(st.theme, scale);
      window->SetClearColor(st.theme == app::Theme::kDark ? 0.1f : 1.0f, st.theme == app::Theme::kDark ? 0.1f : 1.0f,
                            st.theme == app::Theme::kDark ? 0.1f : 1.0f);
      theme = st.theme;
      theme_scale = scale;
    }

    // Files dropped on the window go to the visit or site whose photos show.
    if (std::vector<std::string> dropped = window->TakeDroppedFiles(); !dropped.empty()) {
      app->Apply(app::AttachPhotos{std::move(dropped)});
      frames_left = kFramesAfterActivity;
    }
    ui_state.pinch = window->TakePinch(&ui_state.pinch_x, &ui_state.pinch_y);
    textures->BeginFrame();
    map_textures->BeginFrame();
    ui_state.redraw_in_ms = -1;

    window->NewFrame();
    // Right to left: the views lay out left to right and the frame is
    // mirrored after Render, so pointer input comes back to layout space.
    views::SetMirrored(ui::CurrentCatalog().rtl());
    if (views::Mirrored()) {
      io.MousePos = views::ScreenToLayout(io.MousePos);
      io.MouseWheelH = -io.MouseWheelH;
      const ImVec2 pinch = views::ScreenToLayout(ImVec2(ui_state.pinch_x, ui_state.pinch_y));
      ui_state.pinch_x = pinch.x;
    }
    views::UiDriver::HostAction action;
    if (driver) {
      action = driver->BeforeFrame(io, NowMs(env));
      if (!driver->error().empty()) {
        std::fprintf(stderr, "ccfield: %s\n", driver->error().c_str());
        exit_code = 3;
        break;
      }
    }
    ImGui::NewFrame();
    views::BeginItemLog();
    app::Commands commands;
    views::Frame frame{app->state(), commands, ui_state, scale};
    views::DrawMain(frame);
    ImGui::Render();
    views::MirrorDrawData(ImGui::GetDrawData());
    window->Present();
    ++frames;
    if (frames == 1 && args.exit_after_first_frame) {
      std::printf("first_frame_ms %lld\n", static_cast<long long>(NowMs(env) - start_ms));
      break;
    }
    if (!action.screenshot.empty() && !window->SaveScreenshot(action.screenshot, &error)) {
      std::fprintf(stderr, "ccfield: screenshot: %s\n", error.c_str());
      exit_code = 3;
    }
    window->SyncTextInput(io.WantTextInput);
    if (!action.drop.empty()) window->PushDropFile(action.drop);  // arrives through WaitEvents, as from the desktop
    if (action.pinch) window->PushPinch(action.pinch_dist, action.pinch_x, action.pinch_y);  // as from a touch screen
    if (!commands.empty()) {
      app->Apply(commands);
      frames_left = kFramesAfterActivity;
    }
    if (frames_left > 0) --frames_left;
    if (action.quit) break;
  }
  if (args.stats) {
    std::printf("frames %lld wakeups %lld seconds %.1f\n", static_cast<long long>(frames),
                static_cast<long long>(wakeups), static_cast<double>(NowMs(env) - start_ms) / 1000.0);
  }
  textures.reset();
  map_textures.reset();
  app.reset();  // writes a pending draft, stops sync
  window.reset();
  ImGui::DestroyContext();
  return exit_code;
}

namespace {

constexpr const char* kWindowHelp = R"(Usage: ccfield [--data DIR] [window [options]]

Opens the field app's window. Options:
  --data DIR             data directory (default: $CCFIELD_DATA or ~/.local/share/ccfield)
  --renderer NAME        software | renderer | opengl3 (default: SDL's choice; also $CCFIELD_RENDERER)
  --size WxH             window size (default 1100x720)
  --script FILE          drive the window with a UI script (tests, tours)
  --first-frame-exit     print the start-up time to the first frame and quit
  --stats                print frames drawn and wake-ups at exit
  --gpsd HOST:PORT       where gpsd gives the position (default 127.0.0.1:2947; "none": no GPS)
For the command line: ccfield --help
)";

// Whether the line names no command at all (only the global options that
// take a value): then, without a display, the text overview stands in.
bool NoCommand(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--data" || a == "--lang" || a == "--author") {
      ++i;
      continue;
    }
    if (a.rfind("--data=", 0) != 0) return false;
  }
  return true;
}

// The window's options into *w. Returns -1 to go on, else the exit code
// (--help printed: 0; a bad option, its message printed: 2).
int ParseWindowArgs(const std::vector<std::string>& args, WindowArgs* w) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (a == "window") continue;
    if (a == "--data") {
      w->data_dir = value();
    } else if (a.rfind("--data=", 0) == 0) {
      w->data_dir = a.substr(7);
    } else if (a == "--lang" || a == "--author") {
      value();  // command-line options; the window has its own language setting
    } else if (a == "--renderer") {
      w->renderer = value();
    } else if (a == "--script") {
      w->script = value();
    } else if (a == "--first-frame-exit") {
      w->exit_after_first_frame = true;
    } else if (a == "--stats") {
      w->stats = true;
    } else if (a == "--gpsd") {
      w->gpsd = value();
      GpsdOptions check;
      std::string error;
      if (w->gpsd != "none" && !ParseGpsdAddress(w->gpsd, &check, &error)) {
        std::cerr << "ccfield: " << error << "\n";
        return 2;
      }
    } else if (a == "--size") {
      std::string s = value();
      if (std::sscanf(s.c_str(), "%dx%d", &w->width, &w->height) != 2) {
        std::cerr << "ccfield: --size takes WxH, e.g. 1280x800\n";
        return 2;
      }
    } else if (a == "--help" || a == "-h") {
      std::cout << kWindowHelp;
      return 0;
    } else {
      std::cerr << "ccfield: unknown window option " << a << "\n" << kWindowHelp;
      return 2;
    }
  }
  return -1;
}

}  // namespace

int WindowMain(const std::vector<std::string>& args, Env* env) {
  WindowArgs w;
  w.data_dir = env->DataDir();
  if (int code = ParseWindowArgs(args, &w); code >= 0) return code;
  if (w.data_dir.empty()) {
    std::cerr << "ccfield: no data directory (set --data or $CCFIELD_DATA)\n";
    return 2;
  }
  // SDL would otherwise pick a headless video driver and run an invisible window.
  const bool no_display = !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY") && !std::getenv("SDL_VIDEODRIVER");
  int code = no_display ? kNoWindow : RunWindow(w, env);
  if (code == kNoWindow && NoCommand(args)) {
    // No display (an SSH session, a server): show the text overview instead.
    if (no_display) std::cerr << "ccfield: no display for the window (DISPLAY is not set).\n";
    std::cerr << "Showing the text overview; `ccfield --help` lists the commands.\n\n";
    std::vector<std::string> home(args.begin(), args.end());
    home.push_back("home");
    return cli::Run(home, env, std::cout, std::cerr);
  }
  return code;
}

}  // namespace ccfield
