// ccfield: the field app. Any command is the command line (docs/cli.md),
// run in this process, which loads no window library (SDL, OpenGL, Dear
// ImGui, FriBidi): a command starts at once. With no command, or with
// `ccfield window [options]`, the window program ccfield-window (from the
// same directory: ui/window_program.cpp) replaces this process with the
// same words; the demo data loads on first start.
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "ccfield/platform/env.h"
#include "cli/cli.h"

namespace {

// Window mode: no command at all, or the `window` command. Sets *no_command
// when no command was given (only global options that take a value).
bool WantsWindow(const std::vector<std::string>& args, bool* no_command) {
  *no_command = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--data" || a == "--lang" || a == "--author") {
      ++i;
      continue;
    }
    if (a.rfind("--data=", 0) == 0) continue;
    return a == "window";
  }
  *no_command = true;
  return true;
}

// The window program beside this one (the same directory as the running
// binary, whatever name or link it was started by); "" when unknown.
std::string WindowProgramPath() {
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "";
  std::string dir(self, static_cast<size_t>(n));
  dir.resize(dir.rfind('/') + 1);
  return dir + "ccfield-window";
}

// Replaces this process with ccfield-window and `args`. Returns only when
// that fails, with the reason in plain words.
std::string ExecWindow(const std::vector<std::string>& args) {
  const std::string path = WindowProgramPath();
  if (path.empty()) return "cannot find where ccfield is installed (/proc/self/exe)";
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::cout.flush();
  ::execv(path.c_str(), argv.data());
  return "cannot start the window program " + path + ": " + std::strerror(errno) +
         " (it is built and installed with ccfield)";
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  ccfield::Env* env = ccfield::DefaultEnv();
  bool no_command = false;
  if (!WantsWindow(args, &no_command)) return ccfield::cli::Run(args, env, std::cout, std::cerr);
  // Without a display the window program would show the text overview: no
  // need to start it for that.
  const bool no_display = !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY") && !std::getenv("SDL_VIDEODRIVER");
  if (!(no_display && no_command)) {
    const std::string why = ExecWindow(args);
    std::cerr << "ccfield: " << why << "\n";
    if (!no_command) return 1;
  } else {
    std::cerr << "ccfield: no display for the window (DISPLAY is not set).\n";
  }
  std::cerr << "Showing the text overview; `ccfield --help` lists the commands.\n\n";
  std::vector<std::string> home(args.begin(), args.end());
  home.push_back("home");
  return ccfield::cli::Run(home, env, std::cout, std::cerr);
}
