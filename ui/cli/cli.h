#pragma once
// The `ccfield` command-line interface. Each command is a function taking the
// shared context and its own arguments; it prints human text, or stable JSON
// with --json (docs/cli.md), and returns the process exit code.
#include <iosfwd>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
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
int CmdPhotos(Context& ctx, const std::vector<std::string>& args);
int CmdPhoto(Context& ctx, const std::vector<std::string>& args);
// `maps list|add|remove` (commands_maps.cpp, issue 13).
int CmdMaps(Context& ctx, const std::vector<std::string>& args);
// Installs the demo basemap pack next to the demo data; a failure is printed
// on err and costs only the map's streets.
void InstallDemoMap(Context& ctx);
// Attaches each file to the visit or site (`visit attach`, `site attach`):
// a file that is not a usable photo is named with the reason and the others
// still attach. kExitInvalid when one was refused.
int AttachPhotos(Context& ctx, Store* store, RecordType parent_type, const std::string& parent_id,
                 const std::vector<std::string>& files, const std::string& caption);

// How many positional words a command takes: outside [min, max] the command
// line is refused with `wrong` and the usage.
struct WordCount {
  size_t min = 0;
  size_t max = std::numeric_limits<size_t>::max();
  std::string wrong;
};
// No positional words: "<command> takes no arguments".
WordCount NoWords(const std::string& command);

// What a command takes on its line, declared once beside the command: the help
// (printed for --help, and after the message when the line is refused), the
// options (--help is added) and how many positional words.
struct CommandSpec {
  const char* help;
  std::vector<OptionSpec> options = {};
  WordCount words = {};
};

// Parses `args` with `spec`'s options plus --help and checks the number of
// positional words. Returns nullopt with *exit_code set when the command is
// done: on --help (help printed, exit 0) or a bad command line (message and
// usage printed, exit 2).
std::optional<Args> ParseCommand(Context& ctx, const std::vector<std::string>& args, const CommandSpec& spec,
                                 int* exit_code);

// The store (ctx.OpenStore()), or nullptr with *exit_code set when it cannot
// be opened (the error printed).
Store* OpenStoreOrFail(Context& ctx, int* exit_code);

// A command's parsed line and the store it works on.
struct CommandStart {
  Args args;
  Store* store;
};
// ParseCommand, then OpenStoreOrFail: for a command that checks nothing more
// before it opens the store. Returns nullopt with *exit_code set when the
// command is done (help, usage, or the store's error printed).
std::optional<CommandStart> BeginCommand(Context& ctx, const std::vector<std::string>& args, const CommandSpec& spec,
                                         int* exit_code);

// Prints `j` as the stable JSON output (one line) and returns kExitOk.
int PrintJson(Context& ctx, const nlohmann::json& j);

// ---- Looking records up by the id (or its first 6+ characters) typed ----

// The record `id` names, which must be a `type`: "ID is a site, not a visit".
Result<Record> FindTyped(Store* store, const std::string& id, RecordType type);
// A command whose only word is a record id (show, history): parses `args`
// (ParseCommand), opens the store and finds the record. Returns nullopt with
// *exit_code set when the command is done (help, usage, or the error printed).
std::optional<Record> ParseRecordCommand(Context& ctx, const std::vector<std::string>& args, const char* help,
                                         int* exit_code);
// The live workspace `id` names; kNotFound ("there is no workspace ID on this
// device") when it names nothing, something else or a deleted workspace.
Result<Record> FindWorkspace(Store* store, const std::string& id);

}  // namespace ccfield::cli
