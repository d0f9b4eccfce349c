// ccfield: the field app. With no command it shows the home overview (the
// ImGui window replaces this in its own issue); with a command, the CLI.
#include <iostream>

#include "ccfield/platform/env.h"
#include "cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  return ccfield::cli::Run(args, ccfield::DefaultEnv(), std::cout, std::cerr);
}
