#pragma once
// Admin commands, run against the data directory by `ccfield-server --data
// DIR admin COMMAND ...` (while the server runs or not: each command is one
// storage transaction). Records the admin creates (workspaces, members,
// practices, forms) are written as server changes so that devices receive
// them on their next sync.
//
// Errors are plain-language Status values; RunAdmin turns them into a
// message on `err` and a non-zero exit code.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "auth.h"
#include "ccfield/core/site_import.h"
#include "ccfield/platform/env.h"
#include "ccfield/server/storage.h"

namespace CLI {
class ParseError;
}

namespace ccfield::server {

struct AdminOptions {
  PasswordCost password_cost = PasswordCost::kInteractive;
  // Shows `prompt` and reads one line typed without echo. Set (by main) only
  // when standard input is a terminal: create-user without a password option
  // then asks for it twice; unset, it asks for --password-stdin instead.
  std::function<Result<std::string>(const std::string& prompt)> read_password;
  // Photo blobs, for blob-stats: the serve flags' values (main fills them in).
  std::string blob_dir;
  int64_t blob_quota_bytes = int64_t{2048} << 20;
};

// Shows `prompt` on standard error and reads a line from the terminal on
// standard input with echo off. The terminal's settings are restored before
// returning, and also when SIGINT, SIGTERM or SIGHUP ends the process while it
// waits (the signal is then delivered as before). REQUIRES: isatty(0).
Result<std::string> ReadPasswordFromTerminal(const std::string& prompt);

// Exit codes of RunAdmin.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command ran and failed (message on err)
inline constexpr int kExitUsage = 2;   // unknown command or bad arguments

// Runs one command: `args` are the words after "admin". `storage` may be
// null when AdminNeedsStorage(args) is false.
int RunAdmin(const std::vector<std::string>& args, ServerStorage* storage, Env* env, std::istream& in,
             std::ostream& out, std::ostream& err, const AdminOptions& options = {});
// A CLI11 parse error in plain words ("unknown option --bogus", "--port needs
// a value"), for main.cpp and the admin commands, which parse with CLI11.
std::string DescribeParseError(const CLI::ParseError& e);
// The usage text of the admin commands.
std::string AdminUsage();
// False for what only prints help: no command, or --help / -h anywhere.
bool AdminNeedsStorage(const std::vector<std::string>& args);

// The commands as functions (RunAdmin calls these; tests too).
// Returns the new user's id.
Result<std::string> CreateUser(ServerStorage* storage, Env* env, const std::string& username,
                               const std::string& password, bool admin, PasswordCost cost);
// Returns the new workspace's id. `country` and `language` may be empty.
Result<std::string> CreateWorkspace(ServerStorage* storage, Env* env, const std::string& name,
                                    const std::string& country, const std::string& language);
// Makes the user a member of the workspace (or changes the role); returns
// the id of the member record. `display_name` empty: the user name.
Result<std::string> AddMember(ServerStorage* storage, Env* env, const std::string& workspace_id,
                              const std::string& username, const std::string& role,
                              const std::string& display_name = "");
Status RevokeDevice(ServerStorage* storage, const std::string& device_id);
// Ends the user's membership of the workspace (kNotFound when there is none).
// Their next sync gets the workspace's changes refused and none of its records.
Status RemoveMember(ServerStorage* storage, const std::string& workspace_id, const std::string& username);
// Disables (ending every token) or enables the user.
Status DisableUser(ServerStorage* storage, const std::string& username, bool disabled);
// Sets a new password and ends every token of the user.
Status ResetPassword(ServerStorage* storage, const std::string& username, const std::string& password,
                     PasswordCost cost);
Status RevokeTokenById(ServerStorage* storage, const std::string& token_id);

struct ImportCounts {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
};
// ccfield-records@1 JSON ({"practice": [...]}) or a bare array of practices.
// All or nothing.
Result<ImportCounts> ImportPractices(ServerStorage* storage, Env* env, const nlohmann::json& doc);
// Sites for a workspace (rows from core's ParseSiteFile, site_import.h),
// written as server changes in one transaction: all or nothing. Rows are
// matched with the workspace's live sites by PlanSiteImport, so importing
// the same file again changes nothing. kNotFound for an unknown workspace.
Result<ImportCounts> ImportSites(ServerStorage* storage, Env* env, const std::string& workspace_id,
                                 const std::vector<SiteImportRow>& rows);
struct FormImport {
  std::string key;             // "id@version"
  bool already_known = false;  // the identical definition was built in or imported before
};
// A form definition (docs/forms.md), checked with core's ParseForm. Importing
// the identical definition again is a no-op; a different definition under an
// existing key is refused (forms are versioned: use a new version).
Result<FormImport> ImportForm(ServerStorage* storage, Env* env, const nlohmann::json& definition);

}  // namespace ccfield::server
