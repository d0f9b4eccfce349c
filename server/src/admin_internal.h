#pragma once
// What the admin command files share (admin.cpp: dispatch, records and
// imports; admin_people.cpp: users, members, devices, sign-ins). Not part of
// the admin API (admin.h).

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "admin.h"
#include "ccfield/core/records.h"

namespace ccfield::server::admin_detail {

// Arguments of one command: positionals and --options.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--x" -> value ("" for flags)
  std::string error;                           // set when the words do not parse
};
// Parses args[from...] with CLI11: options of `with_value` take one value,
// `flags` none; other words are positionals. An unknown option, a missing
// value or an option given twice sets `error`.
Args ParseArgs(const std::vector<std::string>& args, size_t from, const std::set<std::string>& with_value,
               const std::set<std::string>& flags);
std::string Opt(const Args& a, const std::string& key);
// NotFound (naming the id) unless `ws` is a workspace that is not deleted.
Status RequireWorkspace(ServerStorage* s, const std::string& ws);

// Creates the record `id` of `type`, in workspace `ws` ("" for none); its
// fields follow as server changes (WriteField).
Status CreateRecord(ServerStorage* s, ChangeType type, const std::string& id, const std::string& ws = "");
// Writes one field of an admin-made record as a server change.
Status WriteField(ServerStorage* s, Env* env, RecordType type, const std::string& id, const std::string& ws,
                  const std::string& field, const nlohmann::json& value, bool created);
std::string FormatMs(int64_t ms);

// One RunAdmin call, for the command files.
struct AdminCall {
  const std::vector<std::string>& args;  // args[0] is the command's name
  ServerStorage* s;
  Env* env;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const AdminOptions& options;
  std::function<int(const std::string&)> usage;  // prints msg + synopsis, returns kExitUsage
  std::function<int(const Status&)> fail;        // prints the error, returns kExitFailed
};

// One admin command: its synopsis (after "admin"), what it does (--help), the
// options it takes, and the function that runs it. RunAdmin finds the command
// by name, parses the words after it (ParseArgs with `with_value` and
// `flags`; a parse error is a usage error) and calls `run`, which checks the
// positionals. A new command is one more entry in a table below.
struct AdminCommand {
  const char* name;
  std::string synopsis;
  std::string details;
  std::set<std::string> with_value;  // options that take a value: "--role"
  std::set<std::string> flags;       // options without one: "--admin"
  int (*run)(const AdminCall& call, const Args& args);
};

// The people commands (admin_people.cpp).
const std::vector<AdminCommand>& PeopleCommands();
// The photo blob commands (admin_blobs.cpp).
const std::vector<AdminCommand>& BlobCommands();

}  // namespace ccfield::server::admin_detail
