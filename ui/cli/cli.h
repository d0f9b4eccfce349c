#pragma once
// The `ccfield` command-line interface. Each command is a function taking the
// shared context and its own arguments; it prints human text, or stable JSON
// with --json (docs/cli.md), and returns the process exit code.
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "ccfield/core/store.h"
#include "cli/args.h"

namespace ccfield::cli {

// Exit codes (documented in docs/cli.md).
enum ExitCode {
  kExitOk = 0,
  kExitFailure = 1,     // anything else
  kExitUsage = 2,       // bad command line
  kExitNotFound = 3,    // record, form or file not found
  kExitInvalid = 4,     // input rejected: nothing was written
  kExitStore = 5,       // the store cannot be used now: busy, disk full, damaged
};

struct Context {
  Env* env;
  std::ostream& out;
  std::ostream& err;
  bool json = false;
  std::string lang = "en";
  std::string data_dir;
  std::string author;
  std::unique_ptr<Store> store;

  std::string StorePath() const { return data_dir + "/ccfield.db"; }
  // Opens the store, creating the data directory and file if needed.
  Result<Store*> OpenStore();
};

// Runs `ccfield <argv...>` (argv without the program name).
int Run(const std::vector<std::string>& argv, Env* env, std::ostream& out, std::ostream& err);

// Prints `status` (plain text, or {"error":...} JSON on err) and returns the exit code.
int Fail(Context& ctx, const Status& status);
int Usage(Context& ctx, const std::string& message, const char* help);

// Commands. `args` excludes the command words.
int CmdHome(Context& ctx, const std::vector<std::string>& args);
int CmdInit(Context& ctx, const std::vector<std::string>& args);
int CmdDemo(Context& ctx, const std::vector<std::string>& args);
int CmdForms(Context& ctx, const std::vector<std::string>& args);
int CmdVisit(Context& ctx, const std::vector<std::string>& args);
int CmdSite(Context& ctx, const std::vector<std::string>& args);
int CmdList(Context& ctx, const std::vector<std::string>& args);
int CmdShow(Context& ctx, const std::vector<std::string>& args);
int CmdSearch(Context& ctx, const std::vector<std::string>& args);
int CmdHistory(Context& ctx, const std::vector<std::string>& args);
int CmdExport(Context& ctx, const std::vector<std::string>& args);
int CmdImport(Context& ctx, const std::vector<std::string>& args);
int CmdLogin(Context& ctx, const std::vector<std::string>& args);
int CmdSync(Context& ctx, const std::vector<std::string>& args);
int CmdStatus(Context& ctx, const std::vector<std::string>& args);
int CmdConflicts(Context& ctx, const std::vector<std::string>& args);
int CmdResolve(Context& ctx, const std::vector<std::string>& args);
int CmdRefused(Context& ctx, const std::vector<std::string>& args);
int CmdLogout(Context& ctx, const std::vector<std::string>& args);

// Parses `args` with `specs` plus --help; on --help prints `help` and sets
// *done (exit 0); on error prints usage and sets *done with exit code 2.
std::optional<Args> ParseCommand(Context& ctx, const std::vector<std::string>& args,
                                 std::vector<OptionSpec> specs, const char* help, int* exit_code);

}  // namespace ccfield::cli
