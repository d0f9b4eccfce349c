#pragma once
// The field app's window: the event loop that ties the App (state and
// commands), the views (ImGui) and the platform window (SDL2) together, and
// the window program's command line (ccfield-window, which `ccfield` runs
// when the window is asked for: ui/main.cpp).
#include <string>
#include <vector>

namespace ccfield {

class Env;

struct WindowArgs {
  std::string data_dir;
  std::string renderer;   // "", "software", "renderer", "opengl3" (CCFIELD_RENDERER also works)
  std::string script;     // a UiDriver script file (tests, tours)
  bool exit_after_first_frame = false;  // bench: print start-up time and quit
  bool stats = false;     // print frames drawn and idle wake-ups at exit
  int width = 1100, height = 720;
  std::string gpsd = "127.0.0.1:2947";  // issue 13: where gpsd listens (HOST:PORT); "none": no position source
};

// Exit code when no window can be opened (no display): the caller may fall back to text.
inline constexpr int kNoWindow = 4;

// Runs until the window is closed. Returns the process exit code.
int RunWindow(const WindowArgs& args, Env* env);

// The window program: `args` are the words `ccfield` was given (without the
// program name: [--data DIR] [--lang L] [--author A] [window [options]]).
// Parses the window's options (--help prints them), opens the window, and
// without a display, when no command was given, prints the text overview
// (`ccfield home`) instead. Returns the process exit code.
int WindowMain(const std::vector<std::string>& args, Env* env);

}  // namespace ccfield
