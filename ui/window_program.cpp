// ccfield-window: the field app's window as its own program, so that the
// command line (`ccfield`, ui/main.cpp) never loads SDL, OpenGL, Dear ImGui
// or FriBidi. People type `ccfield` (no command, or `ccfield window ...`),
// which runs this program from its own directory with the same words; it
// can also be run directly with them.
#include <iostream>
#include <string>
#include <vector>

#include "ccfield/platform/env.h"
#include "window_main.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  return ccfield::WindowMain(args, ccfield::DefaultEnv());
}
