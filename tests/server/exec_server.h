#pragma once
// For the tests that fork the ccfield-server binary themselves (SERVER_BIN,
// set by tests/CMakeLists.txt): the forked child's last step.
#include <unistd.h>

#include <string>
#include <vector>

namespace ccfield::server::testing {

// Replaces the calling process (a forked child, its descriptors set up) with
// `SERVER_BIN ARGS...`; exits with 127 when that fails.
[[noreturn]] inline void ExecServer(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(SERVER_BIN));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(SERVER_BIN, argv.data());
  _exit(127);
}

}  // namespace ccfield::server::testing
