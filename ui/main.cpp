// ccfield: the field app. With no command it opens the window (the demo data
// loads on first start); `ccfield window [options]` does the same with
// options; any other command is the command line (docs/cli.md).
#include <cstdlib>
#include <iostream>

#include "ccfield/platform/env.h"
#include "ccfield/platform/location.h"
#include "cli/cli.h"
#include "window_main.h"

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

// Window mode: no command at all, or the `window` command.
bool WantsWindow(const std::vector<std::string>& args, size_t* command_at) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--data" || a == "--lang" || a == "--author") {
      ++i;
      continue;
    }
    if (a.rfind("--data=", 0) == 0) continue;
    *command_at = i;
    return a == "window";
  }
  *command_at = args.size();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  ccfield::Env* env = ccfield::DefaultEnv();
  size_t command_at = 0;
  if (!WantsWindow(args, &command_at)) return ccfield::cli::Run(args, env, std::cout, std::cerr);

  ccfield::WindowArgs w;
  w.data_dir = env->DataDir();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (a == "window") continue;
    if (a == "--data") {
      w.data_dir = value();
    } else if (a.rfind("--data=", 0) == 0) {
      w.data_dir = a.substr(7);
    } else if (a == "--lang" || a == "--author") {
      value();  // command-line options; the window has its own language setting
    } else if (a == "--renderer") {
      w.renderer = value();
    } else if (a == "--script") {
      w.script = value();
    } else if (a == "--first-frame-exit") {
      w.exit_after_first_frame = true;
    } else if (a == "--stats") {
      w.stats = true;
    } else if (a == "--gpsd") {
      w.gpsd = value();
      ccfield::GpsdOptions check;
      std::string error;
      if (w.gpsd != "none" && !ccfield::ParseGpsdAddress(w.gpsd, &check, &error)) {
        std::cerr << "ccfield: " << error << "\n";
        return 2;
      }
    } else if (a == "--size") {
      std::string s = value();
      if (std::sscanf(s.c_str(), "%dx%d", &w.width, &w.height) != 2) {
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
  if (w.data_dir.empty()) {
    std::cerr << "ccfield: no data directory (set --data or $CCFIELD_DATA)\n";
    return 2;
  }
  // SDL would otherwise pick a headless video driver and run an invisible window.
  const bool no_display = !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY") && !std::getenv("SDL_VIDEODRIVER");
  int code = no_display ? ccfield::kNoWindow : ccfield::RunWindow(w, env);
  if (code == ccfield::kNoWindow && command_at == args.size()) {
    // No display (an SSH session, a server): show the text overview instead.
    if (no_display) std::cerr << "ccfield: no display for the window (DISPLAY is not set).\n";
    std::cerr << "Showing the text overview; `ccfield --help` lists the commands.\n\n";
    std::vector<std::string> home(args.begin(), args.end());
    home.push_back("home");
    return ccfield::cli::Run(home, env, std::cout, std::cerr);
  }
  return code;
}
