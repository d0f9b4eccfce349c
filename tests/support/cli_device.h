#pragma once
// The `ccfield` command line run in-process (cli::Run) for tests: what a run
// printed, and a device whose data folder is a fresh temporary directory
// (`ccfield --data DIR ...` with the real Env). Only for use inside doctest
// test cases (the helpers REQUIRE).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ccfield/platform/env.h"
#include "support/temp_dir.h"

namespace ccfield::testing {

// What one run printed, and its exit code.
struct CliOut {
  int code;
  std::string out, err;
  // The standard output as JSON; REQUIREs that it parses.
  nlohmann::json Json() const;
};

// Runs `ccfield ARGS...` in-process with `env`.
CliOut RunCli(const std::vector<std::string>& args, Env* env);

// `s` without its trailing newlines and spaces (an id printed by a command).
std::string TrimEnd(std::string s);

// One device: `ccfield --data DIR ...` with the real Env and clock.
struct CliDevice {
  using Out = CliOut;

  TempDir dir;

  // `ccfield --data DIR ARGS...`.
  Out Run(std::vector<std::string> args);
  // `ccfield --data DIR --json ARGS...`; REQUIREs exit 0 and JSON on standard output.
  nlohmann::json Ok(std::vector<std::string> args);
  // The ids of the listed sites (`list sites --limit 1000`), in the listed order.
  std::vector<std::string> SiteIds();
  // Whether site `id` is listed.
  bool HasSite(const std::string& id);
  // The device's store file.
  std::string Db() const { return dir.File("ccfield.db"); }
};

}  // namespace ccfield::testing
